import {
  allows,
  changedFields,
  checkVersion,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  retryOnVersionMismatch,
  ValidationError,
} from '@crm/kit';
import { NEVER, slaIndex } from '../domain/sla-clock';
import { type Comment, requireWorker, type TicketLink } from '../domain/ticket';
import { ticketEvents as events } from '../events/ticket-events';
import type { TicketDoc } from '../store/ticket.model';
import type { Caller, TicketPorts } from './ports';
import type { Tickets } from './tickets';

/**
 * Merging a duplicate into the ticket that stays. Two documents and no transactions: the target takes
 * the duplicate's comments, links and attachments first (once: it then lists the duplicate in
 * mergedTickets), then the duplicate closes pointing at it, with TicketMerged. A merge that fails
 * between the two writes is finished by asking again; the target never takes the copies twice.
 */
export class TicketMerge {
  constructor(
    private readonly tickets: Tickets,
    private readonly p: Pick<TicketPorts, 'tickets' | 'written'>,
  ) {}

  async merge(
    id: string,
    expectedVersion: number,
    intoTicketId: string,
    c: Caller,
  ): Promise<{ duplicate: TicketDoc; target: TicketDoc }> {
    if (!allows(c.actor.roles, 'ticket.work')) throw new ForbiddenError('this role does not work tickets');
    const into = (intoTicketId ?? '').trim();
    if (!into) throw invalid('is required');
    if (into === id) throw invalid('a ticket cannot be merged into itself');
    const once = async () => {
      const duplicate = await this.tickets.get(id, c);
      checkVersion(expectedVersion, duplicate.version);
      requireWorker(c.actor, duplicate);
      const target = await this.tickets.get(into, c).catch((err: unknown) => {
        throw err instanceof NotFoundError ? invalid('is not a ticket you can see') : err;
      });
      requireWorker(c.actor, target);
      if (target.accountId !== duplicate.accountId)
        throw invalid('is a ticket of another account: only tickets of one account are merged');
      if (duplicate.status === 'closed')
        throw new ConflictError(
          duplicate.mergedIntoTicketId
            ? `already merged into ticket ${duplicate.mergedIntoTicketId}`
            : 'a closed ticket is not merged: reopen it first',
        );
      if (target.status === 'closed')
        throw new ConflictError('a closed ticket takes no merge: reopen it first');
      const now = new Date();
      const kept = await this.takeCopies(target, duplicate, c, now);
      const closed = await this.closeAsMerged(duplicate, kept._id, c, now);
      return { duplicate: closed, target: kept };
    };
    return expectedVersion ? once() : await retryOnVersionMismatch(once);
  }

  private async takeCopies(target: TicketDoc, dup: TicketDoc, c: Caller, now: Date): Promise<TicketDoc> {
    if ((target.mergedTickets ?? []).some((m) => m.ticketId === dup._id)) return target;
    const set: Partial<TicketDoc> = {
      comments: withComments(target.comments, dup),
      links: withLinks(target, dup),
      attachments: withAttachments(target, dup),
      mergedTickets: [
        ...(target.mergedTickets ?? []),
        { ticketId: dup._id, mergedBy: c.actor.userId, mergedAt: now },
      ],
    };
    const next = await this.p.tickets.save(target, set, c.actor, (n) => [
      events.updated(
        n,
        [...changedFields(target, n, ['comments', 'links', 'attachments']), 'merged_tickets'],
        c.actor,
        c.requestId,
      ),
    ]);
    this.p.written(next._id);
    return next;
  }

  private async closeAsMerged(dup: TicketDoc, intoId: string, c: Caller, now: Date): Promise<TicketDoc> {
    const set: Partial<TicketDoc> = {
      status: 'closed',
      pendingReason: '',
      statusHistory: [
        ...dup.statusHistory,
        {
          fromStatus: dup.status,
          toStatus: 'closed',
          pendingReason: '',
          note: `merged into ticket ${intoId}`,
          changedBy: c.actor.userId,
          changedAt: now,
        },
      ],
      closedAt: now,
      mergedIntoTicketId: intoId,
      mergedAt: now,
      mergedBy: c.actor.userId,
      links: dup.links.some((l) => l.ticketId === intoId)
        ? dup.links
        : [...dup.links, { ticketId: intoId, kind: 'duplicate-of' }],
      // No confirmation link and no auto-close for a duplicate; a closed ticket's SLA timers stop.
      confirmation: { nonce: '', expiresAt: NEVER },
      autoCloseAt: NEVER,
    };
    Object.assign(set, slaIndex({ ...dup, ...set, status: 'closed', sla: dup.sla }));
    const next = await this.p.tickets.save(dup, set, c.actor, (n) => [
      events.updated(n, changedFields(dup, n, ['status', 'pendingReason', 'links']), c.actor, c.requestId),
      events.merged(n, intoId, c.actor, c.requestId),
    ]);
    this.p.written(next._id);
    return next;
  }
}

const invalid = (description: string) => new ValidationError([{ field: 'intoTicketId', description }]);

/** The target's comments with the duplicate's, each marked with where it was written, oldest first. */
function withComments(mine: Comment[], dup: TicketDoc): Comment[] {
  const have = new Set(mine.map((x) => x.id));
  const theirs = dup.comments
    .filter((x) => !have.has(x.id))
    .map((x) => ({ ...x, mergedFromTicketId: x.mergedFromTicketId || dup._id }));
  return [...mine, ...theirs].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** The duplicate's links the target lacks (none to itself), and one to the duplicate. */
function withLinks(target: TicketDoc, dup: TicketDoc): TicketLink[] {
  const out = [...target.links];
  const add = (l: TicketLink) => {
    if (l.ticketId !== target._id && !out.some((x) => x.ticketId === l.ticketId)) out.push({ ...l });
  };
  dup.links.forEach(add);
  add({ ticketId: dup._id, kind: 'related' });
  return out;
}

function withAttachments(target: TicketDoc, dup: TicketDoc) {
  const key = (a: { name: string; sizeBytes: number; contentType: string }) =>
    `${a.name}\u0000${a.sizeBytes}\u0000${a.contentType}`;
  const have = new Set(target.attachments.map(key));
  return [...target.attachments, ...dup.attachments.filter((a) => !have.has(key(a)))];
}
