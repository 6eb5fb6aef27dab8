import { type Actor, changedFields, retryOnVersionMismatch } from '@crm/kit';
import type { TicketAssignment } from '../domain/queue';
import { OPEN_STATUSES } from '../domain/ticket';
import { queueEvents } from '../events/queue-events';
import { ticketEvents as events } from '../events/ticket-events';
import type { TicketDoc } from '../store/ticket.model';
import type { TicketPorts } from './ports';
import { settingsInForce } from './service-settings';

/** An account changed hands (crm.account.v1.AccountOwnerChanged), as the consumer hands it over. */
export interface AccountOwnerChange {
  accountId: string;
  previousOwnerId: string;
  newOwnerId: string;
  /** The ownership transfer that moved the account; '' for a reassignment or a pool claim. */
  transferId: string;
  /** "transfer", "reassigned", "pool-claim" or "pool-release". */
  reason: string;
  /** When the account changed hands (the event's occurred_at). */
  at: Date;
}

type Ports = Pick<TicketPorts, 'tickets' | 'written' | 'serviceSettings' | 'closedLoop' | 'settingsWritten'>;

const HANDED_OVER: (keyof TicketDoc)[] = ['assigneeId'];

/** Why the ticket changed hands, for its timeline (assignments[].reason). */
export function followReason(c: AccountOwnerChange): string {
  const why = c.transferId ? `ownership transfer ${c.transferId}` : c.reason || 'reassigned';
  return `account ${c.accountId} went from ${c.previousOwnerId} to ${c.newOwnerId} (${why})`;
}

/**
 * Tickets follow their account to its new owner where the service settings say so
 * (`followAccountTransfer: assignee`): the account's open tickets assigned to the previous owner go
 * to the new one, each a compare-and-set with TicketUpdated and TicketAssigned, recorded as whoever
 * moved the account. Support ownership is by queue, so by default (`none`) nothing moves. Resolved
 * and closed tickets never move, nor a ticket handed to the previous owner after the account moved
 * (a deliberate choice, or an old event replayed).
 */
export class AccountFollow {
  constructor(private readonly p: Ports) {}

  /** How many tickets moved; safe to repeat (a moved ticket is no longer the previous owner's). */
  async follow(change: AccountOwnerChange, actor: Actor, requestId: string): Promise<number> {
    const { previousOwnerId, newOwnerId } = change;
    if (!previousOwnerId || !newOwnerId || previousOwnerId === newOwnerId) return 0;
    if ((await settingsInForce(this.p)).followAccountTransfer !== 'assignee') return 0;
    let moved = 0;
    for (const t of await this.p.tickets.openAssignedOnAccount(change.accountId, previousOwnerId))
      if (await retryOnVersionMismatch(() => this.handOver(t._id, change, actor, requestId))) moved++;
    return moved;
  }

  private async handOver(
    id: string,
    change: AccountOwnerChange,
    actor: Actor,
    requestId: string,
  ): Promise<boolean> {
    const current = await this.p.tickets.get(id);
    // Closed, resolved, or handed to someone else meanwhile: no longer this change's to make.
    if (!current || current.assigneeId !== change.previousOwnerId) return false;
    if (!(OPEN_STATUSES as readonly string[]).includes(current.status)) return false;
    if (lastAssignedAt(current) > change.at.getTime()) return false;
    const assignment: TicketAssignment = {
      assigneeId: change.newOwnerId,
      previousAssigneeId: current.assigneeId,
      queue: current.queue,
      method: 'follow-account',
      assignedBy: actor.userId,
      assignedAt: new Date(),
      reason: followReason(change),
    };
    const set: Partial<TicketDoc> = {
      assigneeId: change.newOwnerId,
      assignments: [...(current.assignments ?? []), assignment],
    };
    await this.p.tickets.save(current, set, actor, (n) => [
      events.updated(n, changedFields(current, n, HANDED_OVER), actor, requestId),
      queueEvents.assigned(n, assignment, actor, requestId),
    ]);
    this.p.written(id);
    return true;
  }
}

/**
 * Tickets follow their account into a merge (crm.account.v1.AccountsMerged): every ticket of the merged
 * account, closed ones included, points at the survivor, so the survivor's ticket list and the
 * account's history hold them. Assignee, queue and SLA stay; the account name shown stays the one
 * captured when the ticket was opened. Safe to repeat: a moved ticket is no longer on the merged account.
 */
export class AccountMergeFollow {
  constructor(private readonly p: Pick<TicketPorts, 'tickets' | 'written'>) {}

  async follow(mergedId: string, survivorId: string, actor: Actor, requestId: string): Promise<number> {
    if (!mergedId || !survivorId || mergedId === survivorId) return 0;
    let moved = 0;
    for (const t of await this.p.tickets.ofAccount(mergedId))
      if (await retryOnVersionMismatch(() => this.repoint(t._id, mergedId, survivorId, actor, requestId)))
        moved++;
    return moved;
  }

  private async repoint(id: string, from: string, to: string, actor: Actor, requestId: string) {
    const current = await this.p.tickets.get(id);
    if (!current || current.accountId !== from) return false;
    await this.p.tickets.save(current, { accountId: to }, actor, (n) => [
      events.updated(n, changedFields(current, n, ['accountId']), actor, requestId),
    ]);
    this.p.written(id);
    return true;
  }
}

const lastAssignedAt = (t: TicketDoc): number =>
  Math.max(0, ...(t.assignments ?? []).map((a) => new Date(a.assignedAt).getTime()));
