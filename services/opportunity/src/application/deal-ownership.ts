import { type Actor, changedFields, retryOnVersionMismatch } from '@crm/kit';
import type { TransferRequest, TransferStamp } from '@crm/ownership';
import { closedDealRefusal, teamAfterHandOver } from '../domain/deal-ownership';
import { opportunityEvents as events } from '../events/opportunity-events';
import type { OpportunityDoc } from '../store/opportunity.model';
import type { OpportunityRepository, Written } from './ports';

/** The deals that change hands, as the store finds them (store/opportunity-ownership.ts). */
export interface MovableDeals {
  /** Open, live deals of the transfer's from-user (in its teams when limited). */
  toMove(t: TransferRequest): Promise<OpportunityDoc[]>;
  /** How many deals carry this transfer's stamp. */
  countMoved(transferId: string): Promise<number>;
  /** Open, live deals of an account held by this owner. */
  ofAccount(accountId: string, ownerId: string): Promise<OpportunityDoc[]>;
  /** Every live deal of an account, open or closed. */
  allOfAccount(accountId: string): Promise<OpportunityDoc[]>;
}

/** A change of hands: from whom, to whom and which team (empty: the deal keeps its team). */
interface HandOver {
  fromUserId: string;
  toUserId: string;
  toTeamId: string;
  withinTeams?: string[];
  stamp?: TransferStamp;
  requestId: string;
}

/** An account changed owner (crm.account.v1.AccountUpdated with its previous owner). */
export interface AccountOwnerChange {
  accountId: string;
  fromUserId: string;
  toUserId: string;
  toTeamId: string;
}

const HANDED_OVER: (keyof OpportunityDoc)[] = ['ownerId', 'teamId', 'teamMembers'];

/**
 * Open deals follow their account: when a rep's book is transferred, and when one account is handed
 * to another rep (the deals its previous owner held on it go along). Each deal moves by itself, like any
 * change: a compare-and-set with an OpportunityUpdated event and who/when (updatedBy, updatedAt; a
 * transfer's stamp too), its team's owner entry handed over. Won and lost deals keep their owner.
 */
export class DealOwnership {
  constructor(
    private readonly p: { opportunities: OpportunityRepository; written: Written },
    private readonly deals: MovableDeals,
  ) {}

  /** Safe to repeat: a moved deal no longer belongs to the from-user, and the count comes from the stamps. */
  async moveForTransfer(t: TransferRequest, actor: Actor, at = new Date()): Promise<number> {
    const stamp: TransferStamp = { id: t.transferId, fromUserId: t.fromUserId, by: actor.userId, at };
    const move: HandOver = { ...t, stamp, requestId: `ownership-transfer:${t.transferId}` };
    for (const deal of await this.deals.toMove(t))
      await retryOnVersionMismatch(() => this.handOver(deal._id, move, actor));
    return this.deals.countMoved(t.transferId);
  }

  /** The account's open deals its previous owner held go to its new owner (and team). */
  async followAccount(change: AccountOwnerChange, actor: Actor, requestId: string): Promise<number> {
    if (!change.fromUserId || !change.toUserId || change.fromUserId === change.toUserId) return 0;
    const move: HandOver = { ...change, requestId };
    let moved = 0;
    for (const deal of await this.deals.ofAccount(change.accountId, change.fromUserId))
      if (await retryOnVersionMismatch(() => this.handOver(deal._id, move, actor))) moved++;
    return moved;
  }

  /**
   * An account was merged into another (crm.account.v1.AccountsMerged): its deals, won and lost ones
   * included, move to the survivor, so the survivor's pipeline, history and figures hold them and an
   * activity on the survivor may name them. Owners stay. Safe to repeat: a moved deal is no longer
   * on the merged account.
   */
  async followMerge(mergedId: string, survivorId: string, actor: Actor, requestId: string): Promise<number> {
    if (!mergedId || !survivorId || mergedId === survivorId) return 0;
    let moved = 0;
    for (const deal of await this.deals.allOfAccount(mergedId))
      if (await retryOnVersionMismatch(() => this.repoint(deal._id, mergedId, survivorId, actor, requestId)))
        moved++;
    return moved;
  }

  private async repoint(id: string, from: string, to: string, actor: Actor, requestId: string) {
    const current = await this.p.opportunities.get(id);
    if (!current || current.discardedAt || current.accountId !== from) return false;
    await this.p.opportunities.save(current, { accountId: to }, actor, (n) => [
      events.updated(n, changedFields(current, n, ['accountId']), actor, requestId),
    ]);
    this.p.written('opportunity', id);
    return true;
  }

  private async handOver(id: string, m: HandOver, actor: Actor): Promise<boolean> {
    const current = await this.p.opportunities.get(id);
    // Closed, moved or handed to another team meanwhile: no longer this move's to make.
    if (!current || current.discardedAt || current.ownerId !== m.fromUserId) return false;
    if (closedDealRefusal(current.status)) return false;
    if (m.withinTeams && !m.withinTeams.includes(current.teamId)) return false;
    const teamMembers = teamAfterHandOver(current.teamMembers, m.toUserId);
    const set: Partial<OpportunityDoc> = {
      ownerId: m.toUserId,
      teamId: m.toTeamId || current.teamId,
      teamMembers,
      memberIds: teamMembers.map((x) => x.userId),
    };
    if (m.stamp) set.transfer = m.stamp;
    await this.p.opportunities.save(current, set, actor, (n) => [
      events.updated(n, changedFields(current, n, HANDED_OVER), actor, m.requestId),
    ]);
    this.p.written('opportunity', id);
    return true;
  }
}
