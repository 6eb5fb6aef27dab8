import { type Actor, changedFields, retryOnVersionMismatch } from '@crm/kit';
import type { TransferRequest } from '@crm/ownership';
import { closedDealRefusal, teamAfterHandOver } from '../domain/deal-ownership';
import { opportunityEvents as events } from '../events/opportunity-events';
import type { OpportunityDoc } from '../store/opportunity.model';
import type { OpportunityRepository, Written } from './ports';

/** The deals an ownership transfer finds (store/opportunity-ownership.ts). */
export interface TransferredDeals {
  /** Open, live deals of the transfer's from-user (in its teams when limited), not yet moved by it. */
  toMove(t: TransferRequest): Promise<OpportunityDoc[]>;
  /** How many deals carry this transfer's stamp. */
  countMoved(transferId: string): Promise<number>;
}

const HANDED_OVER: (keyof OpportunityDoc)[] = ['ownerId', 'teamId', 'teamMembers'];

/**
 * Deals follow their owner's book in an ownership transfer (when a rep leaves, their accounts and the
 * open deals on them go to the same successor). Each deal moves by itself, like any change: a
 * compare-and-set with an OpportunityUpdated event, stamped with the transfer, who ran it and when,
 * and its team's owner entry handed over too.
 */
export class DealOwnership {
  constructor(
    private readonly p: { opportunities: OpportunityRepository; written: Written },
    private readonly deals: TransferredDeals,
  ) {}

  /** Safe to repeat: a moved deal no longer belongs to the from-user, and the count comes from the stamps. */
  async moveForTransfer(t: TransferRequest, actor: Actor, at = new Date()): Promise<number> {
    for (const deal of await this.deals.toMove(t))
      await retryOnVersionMismatch(() => this.handOver(deal._id, t, actor, at));
    return this.deals.countMoved(t.transferId);
  }

  private async handOver(id: string, t: TransferRequest, actor: Actor, at: Date): Promise<void> {
    const current = await this.p.opportunities.get(id);
    // Closed, moved or handed to another team meanwhile: no longer this transfer's to move.
    if (!current || current.discardedAt || current.ownerId !== t.fromUserId) return;
    if (closedDealRefusal(current.status)) return;
    if (t.withinTeams && !t.withinTeams.includes(current.teamId)) return;
    const teamMembers = teamAfterHandOver(current.teamMembers, t.toUserId);
    const set: Partial<OpportunityDoc> = {
      ownerId: t.toUserId,
      teamId: t.toTeamId || current.teamId,
      teamMembers,
      memberIds: teamMembers.map((m) => m.userId),
      transfer: { id: t.transferId, fromUserId: t.fromUserId, by: actor.userId, at },
    };
    await this.p.opportunities.save(current, set, actor, (n) => [
      events.updated(n, changedFields(current, n, HANDED_OVER), actor, `ownership-transfer:${t.transferId}`),
    ]);
    this.p.written('opportunity', id);
  }
}
