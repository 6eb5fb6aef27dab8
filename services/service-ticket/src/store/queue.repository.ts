import { type Actor, inserted, type OutboxEntry, saveAtVersion } from '@crm/kit';
import type { OpenLoad, QueueRepository, RulesRepository, TurnLog } from '../application/queue-ports';
import type { QueueDoc, QueueModels, RulesDoc, TurnDoc } from './queue.model';
import { RULES_ID } from './queue.model';
import type { TicketModels } from './ticket.model';

const NO_OUTBOX = { outbox: 0 } as const;
/** Turns kept per queue; older ones only matter to nobody (the rotation reads the last one). */
const TURNS_KEPT = 100;

export class MongoQueueRepository implements QueueRepository {
  constructor(private readonly m: QueueModels) {}

  async get(key: string): Promise<QueueDoc | undefined> {
    return (await this.m.Queue.findById(key, NO_OUTBOX).lean<QueueDoc>()) ?? undefined;
  }

  list(): Promise<QueueDoc[]> {
    return this.m.Queue.find({}, NO_OUTBOX).sort({ _id: 1 }).lean<QueueDoc[]>();
  }

  async keysWithMember(userId: string): Promise<string[]> {
    const docs = await this.m.Queue.find({ 'members.userId': userId }, { _id: 1 }).lean<{ _id: string }[]>();
    return docs.map((d) => d._id);
  }

  insert(doc: QueueDoc): Promise<boolean> {
    return inserted(() => this.m.Queue.create(doc));
  }

  save(
    current: QueueDoc,
    set: Partial<QueueDoc>,
    actor: Actor,
    events: (next: QueueDoc) => OutboxEntry[],
  ): Promise<QueueDoc> {
    return saveAtVersion(this.m.Queue, current, set, actor, events);
  }
}

export class MongoRulesRepository implements RulesRepository {
  constructor(private readonly m: QueueModels) {}

  async get(): Promise<RulesDoc | undefined> {
    return (await this.m.Rules.findById(RULES_ID, NO_OUTBOX).lean<RulesDoc>()) ?? undefined;
  }

  insert(doc: RulesDoc): Promise<boolean> {
    return inserted(() => this.m.Rules.create(doc));
  }

  save(current: RulesDoc, set: Partial<RulesDoc>, actor: Actor): Promise<RulesDoc> {
    return saveAtVersion(this.m.Rules, current, set, actor, () => []);
  }
}

export class MongoTurnLog implements TurnLog {
  constructor(private readonly m: QueueModels) {}

  async last(queue: string): Promise<TurnDoc | undefined> {
    const [turn] = await this.m.Turn.find({ queue }).sort({ seq: -1 }).limit(1).lean<TurnDoc[]>();
    return turn;
  }

  since(queue: string, from: Date): Promise<TurnDoc[]> {
    return this.m.Turn.find({ queue, at: { $gte: from } }).lean<TurnDoc[]>();
  }

  async claim(turn: TurnDoc): Promise<boolean> {
    const won = await inserted(() => this.m.Turn.create(turn));
    if (won && turn.seq % TURNS_KEPT === 0)
      await this.m.Turn.deleteMany({ queue: turn.queue, seq: { $lte: turn.seq - TURNS_KEPT } });
    return won;
  }
}

/** Open tickets per agent, for least-loaded assignment. */
export class MongoOpenLoad implements OpenLoad {
  constructor(private readonly m: TicketModels) {}

  async openTickets(agentIds: string[]): Promise<Map<string, number>> {
    const docs = await this.m.Ticket.find(
      { assigneeId: { $in: agentIds }, status: { $in: ['new', 'open', 'pending'] } },
      { assigneeId: 1 },
    ).lean<{ assigneeId: string }[]>();
    const load = new Map<string, number>();
    for (const d of docs) load.set(d.assigneeId, (load.get(d.assigneeId) ?? 0) + 1);
    return load;
  }

  async stored(ticketIds: string[]): Promise<Set<string>> {
    const docs = await this.m.Ticket.find({ _id: { $in: ticketIds } }, { _id: 1 }).lean<{ _id: string }[]>();
    return new Set(docs.map((d) => d._id));
  }
}
