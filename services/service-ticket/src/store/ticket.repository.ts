import { type Actor, afterCursor, inserted, nextCursorOf, type OutboxEntry, saveAtVersion } from '@crm/kit';
import type { Model } from 'mongoose';
import type { SettingsRepository, TicketQuery, TicketRepository } from '../application/ports';
import { OPEN_STATUSES } from '../domain/ticket';
import type { SettingsDoc, TicketDoc, TicketModels } from './ticket.model';

const NO_OUTBOX = { outbox: 0 } as const;

/** Business calendars, SLA policies or the service settings: a handful of documents keyed by id. */
export class MongoSettingsRepository<T extends SettingsDoc> implements SettingsRepository<T> {
  constructor(private readonly model: Model<T>) {}

  async get(id: string): Promise<T | undefined> {
    return (await this.model.findById(id, NO_OUTBOX).lean<T>()) ?? undefined;
  }

  list(): Promise<T[]> {
    return this.model.find({}, NO_OUTBOX).sort({ _id: 1 }).lean<T[]>();
  }

  insert(doc: T): Promise<boolean> {
    return inserted(() => this.model.create(doc));
  }

  save(current: T, set: Partial<T>, actor: Actor, events: (next: T) => OutboxEntry[]): Promise<T> {
    return saveAtVersion(this.model as never, current, set, actor, events) as Promise<T>;
  }
}

/** Tickets in MongoDB: queries and writes only (the rules are in src/application). */
export class MongoTicketRepository implements TicketRepository {
  constructor(private readonly m: TicketModels) {}

  async get(id: string): Promise<TicketDoc | undefined> {
    return (await this.m.Ticket.findById(id, NO_OUTBOX).lean<TicketDoc>()) ?? undefined;
  }

  insert(ticket: TicketDoc): Promise<boolean> {
    return inserted(() => this.m.Ticket.create(ticket));
  }

  /** Tickets whose SLA timer is due, oldest due first. */
  dueForSlaCheck(now: Date, limit: number): Promise<TicketDoc[]> {
    return this.m.Ticket.find({ slaCheckAt: { $lte: now } }, NO_OUTBOX)
      .sort({ slaCheckAt: 1, _id: 1 })
      .limit(limit)
      .lean<TicketDoc[]>();
  }

  openAssignedOnAccount(accountId: string, assigneeId: string): Promise<TicketDoc[]> {
    return this.m.Ticket.find({ accountId, assigneeId, status: { $in: [...OPEN_STATUSES] } }, NO_OUTBOX)
      .sort({ createdAt: 1, _id: 1 })
      .lean<TicketDoc[]>();
  }

  ofAccount(accountId: string): Promise<TicketDoc[]> {
    return this.m.Ticket.find({ accountId }, NO_OUTBOX).sort({ createdAt: 1, _id: 1 }).lean<TicketDoc[]>();
  }

  /** Resolved tickets whose auto-close time has come, oldest first. */
  dueForAutoClose(now: Date, limit: number): Promise<TicketDoc[]> {
    return this.m.Ticket.find({ status: 'resolved', autoCloseAt: { $lte: now } }, NO_OUTBOX)
      .sort({ autoCloseAt: 1, _id: 1 })
      .limit(limit)
      .lean<TicketDoc[]>();
  }

  /** Newest first, or nearest SLA due time first; paged by a (field, _id) cursor. */
  async list(q: TicketQuery): Promise<{ tickets: TicketDoc[]; nextCursor: string }> {
    const and: Record<string, unknown>[] = [];
    if (q.queuesIn) and.push({ queue: { $in: q.queuesIn } });
    if (q.status) and.push({ status: q.status });
    if (q.queue) and.push({ queue: q.queue });
    if (q.assigneeId) and.push({ assigneeId: q.assigneeId });
    if (q.priority) and.push({ priority: q.priority });
    if (q.accountId) and.push({ accountId: q.accountId });
    if (q.slaState) and.push({ slaState: q.slaState });
    const bySla = q.sort === 'sla';
    const field = bySla ? 'slaSortAt' : 'createdAt';
    if (q.cursor) and.push(afterCursor(q.cursor, field, !bySla, 'date'));
    const docs = await this.m.Ticket.find(and.length ? { $and: and } : {}, NO_OUTBOX)
      .sort(bySla ? { slaSortAt: 1, _id: 1 } : { createdAt: -1, _id: -1 })
      .limit(q.limit + 1)
      .lean<TicketDoc[]>();
    const { page, nextCursor } = nextCursorOf(docs, q.limit, (d) => (bySla ? d.slaSortAt : d.createdAt));
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
