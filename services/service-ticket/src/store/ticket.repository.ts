import {
  type Actor,
  afterCursor,
  isDuplicateKey,
  nextCursorOf,
  type OutboxEntry,
  saveAtVersion,
} from '@crm/kit';
import type { TicketQuery, TicketRepository } from '../application/ports';
import type { TicketDoc, TicketModels } from './ticket.model';

const NO_OUTBOX = { outbox: 0 } as const;

/** Tickets in MongoDB: queries and writes only (the rules are in src/application). */
export class MongoTicketRepository implements TicketRepository {
  constructor(private readonly m: TicketModels) {}

  async get(id: string): Promise<TicketDoc | undefined> {
    return (await this.m.Ticket.findById(id, NO_OUTBOX).lean<TicketDoc>()) ?? undefined;
  }

  async insert(ticket: TicketDoc): Promise<boolean> {
    try {
      await this.m.Ticket.create(ticket);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Newest first, paged by a (createdAt, _id) cursor. */
  async list(q: TicketQuery): Promise<{ tickets: TicketDoc[]; nextCursor: string }> {
    const and: Record<string, unknown>[] = [];
    if (q.queuesIn) and.push({ queue: { $in: q.queuesIn } });
    if (q.status) and.push({ status: q.status });
    if (q.queue) and.push({ queue: q.queue });
    if (q.assigneeId) and.push({ assigneeId: q.assigneeId });
    if (q.priority) and.push({ priority: q.priority });
    if (q.accountId) and.push({ accountId: q.accountId });
    if (q.cursor) and.push(afterCursor(q.cursor, 'createdAt', true, 'date'));
    const docs = await this.m.Ticket.find(and.length ? { $and: and } : {}, NO_OUTBOX)
      .sort({ createdAt: -1, _id: -1 })
      .limit(q.limit + 1)
      .lean<TicketDoc[]>();
    const { page, nextCursor } = nextCursorOf(docs, q.limit, (d) => d.createdAt);
    return { tickets: page, nextCursor };
  }

  save(
    current: TicketDoc,
    set: Partial<TicketDoc>,
    actor: Actor,
    events: (next: TicketDoc) => OutboxEntry[],
  ): Promise<TicketDoc> {
    return saveAtVersion(this.m.Ticket, current, set, actor, events);
  }
}
