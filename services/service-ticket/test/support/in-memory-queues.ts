import type { Actor } from '@crm/kit';
import { InMemoryVersioned } from '@crm/kit/testing';
import type { QueuePorts } from '../../src/application/queue-ports';
import type { QueueDoc, RulesDoc, TurnDoc } from '../../src/store/queue.model';
import { RULES_ID } from '../../src/store/queue.model';
import type { InMemoryTickets } from './in-memory-repositories';

export class InMemoryQueues extends InMemoryVersioned<QueueDoc> {
  async list() {
    return this.all().sort((a, b) => a._id.localeCompare(b._id));
  }
  async keysWithMember(userId: string) {
    return this.all()
      .filter((q) => q.members.some((m) => m.userId === userId))
      .map((q) => q._id);
  }
}

export class InMemoryRules extends InMemoryVersioned<RulesDoc> {
  override async get() {
    return super.get(RULES_ID);
  }
  override async save(current: RulesDoc, set: Partial<RulesDoc>, actor: Actor) {
    return this.apply(current, set, actor, () => []);
  }
}

/** Turns by id: a second insert of the same turn number loses, as a duplicate key does in the store. */
export class InMemoryTurns {
  readonly turns = new Map<string, TurnDoc>();
  /** Called between reading the last turn and claiming the next: lets a test slip a rival in. */
  beforeClaim?: () => Promise<void>;
  async last(queue: string) {
    return [...this.turns.values()].filter((t) => t.queue === queue).sort((a, b) => b.seq - a.seq)[0];
  }
  async since(queue: string, from: Date) {
    return [...this.turns.values()].filter((t) => t.queue === queue && t.at.getTime() >= from.getTime());
  }
  async claim(turn: TurnDoc) {
    await this.beforeClaim?.();
    if (this.turns.has(turn._id)) return false;
    this.turns.set(turn._id, { ...turn });
    return true;
  }
}

export function inMemoryQueuePorts(tickets: InMemoryTickets) {
  const queues = new InMemoryQueues();
  const rules = new InMemoryRules();
  const turns = new InMemoryTurns();
  const written: string[] = [];
  const ports: QueuePorts = {
    queues,
    rules,
    turns,
    load: {
      openTickets: async (ids) => {
        const load = new Map<string, number>();
        for (const t of tickets.all())
          if (ids.includes(t.assigneeId) && ['new', 'open', 'pending'].includes(t.status))
            load.set(t.assigneeId, (load.get(t.assigneeId) ?? 0) + 1);
        return load;
      },
      stored: async (ids) => new Set(ids.filter((id) => tickets.docs.has(id))),
    },
    written: (key) => void written.push(key),
  };
  return { ports, queues, rules, turns, written };
}
