import { type Actor, type OutboxEntry, VersionMismatchError } from '@crm/kit';
import type { ApprovalPorts, Directory, InboxQuery } from '../../src/application/ports';
import type { ApprovalRequestDoc, DelegationDoc, PolicyDoc } from '../../src/store/approval.model';

interface Stored {
  _id: string;
  version: number;
  outbox: OutboxEntry[];
}

/** One collection with the write semantics of kit's saveAtVersion; records are copied in and out. */
class Collection<T extends Stored> {
  readonly docs = new Map<string, T>();
  /** Every event written, in order. */
  readonly events: OutboxEntry[] = [];

  async get(id: string): Promise<T | undefined> {
    const d = this.docs.get(id);
    return d ? { ...structuredClone(d), outbox: [] } : undefined;
  }

  all(): T[] {
    return [...this.docs.values()].map((d) => ({ ...structuredClone(d), outbox: [] }));
  }

  async insert(doc: T): Promise<boolean> {
    if (this.docs.has(doc._id)) return false;
    this.docs.set(doc._id, structuredClone(doc));
    this.events.push(...doc.outbox);
    return true;
  }

  async save(current: T, set: Partial<T>, actor: Actor, events: (next: T) => OutboxEntry[]): Promise<T> {
    const stored = this.docs.get(current._id);
    if (!stored || stored.version !== current.version)
      throw new VersionMismatchError(current.version, stored?.version ?? current.version);
    const next = {
      ...current,
      ...set,
      version: current.version + 1,
      updatedAt: new Date(),
      updatedBy: actor.userId,
    };
    const outbox = events(next);
    this.docs.set(current._id, { ...structuredClone(next), outbox: [...stored.outbox, ...outbox] });
    this.events.push(...outbox);
    return next;
  }
}

class Requests extends Collection<ApprovalRequestDoc> {
  async byIdempotencyKey(key: string) {
    return this.all().find((d) => d.idempotencyKey === key);
  }
  override async insert(doc: ApprovalRequestDoc) {
    if (this.all().some((d) => d.idempotencyKey === doc.idempotencyKey)) return false;
    return super.insert(doc);
  }
  async list(q: InboxQuery) {
    const requests = this.all()
      .filter(
        (d) =>
          !q.visibleTo ||
          d.participantIds.includes(q.visibleTo.participant) ||
          (d.status === 'pending' && d.currentApproverIds.some((a) => q.visibleTo!.delegators.includes(a))),
      )
      .filter((d) => !q.assignedTo || d.currentApproverIds.some((a) => q.assignedTo!.includes(a)))
      .filter((d) => !q.requesterId || d.requesterId === q.requesterId)
      .filter((d) => !q.status || d.status === q.status)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, q.limit);
    return { requests, nextCursor: '' };
  }
  async dueForEscalation(now: Date) {
    return this.all().filter((d) => d.status === 'pending' && d.dueAt && d.dueAt <= now);
  }
}

class Policies extends Collection<PolicyDoc> {
  async list(subjectType?: string) {
    return this.all().filter((p) => !subjectType || p.policy.subjectType === subjectType);
  }
}

class Delegations extends Collection<DelegationDoc> {
  async list(delegatorId?: string) {
    return this.all().filter((d) => !delegatorId || d.delegatorId === delegatorId);
  }
  async toDelegate(delegateId: string) {
    return this.all().filter((d) => d.delegateId === delegateId && d.active);
  }
}

/** A directory of a few people: roles and the managers of each user's teams. */
export class FakeDirectory implements Directory {
  constructor(
    readonly roles: Record<string, string[]> = {},
    readonly managers: Record<string, string[]> = {},
  ) {}
  async usersWithRole(role: string) {
    return this.roles[role] ?? [];
  }
  async managersOf(userId: string) {
    return (this.managers[userId] ?? []).filter((m) => m !== userId);
  }
}

export function inMemoryPorts(directory = new FakeDirectory()) {
  let clock = new Date('2026-03-02T09:00:00Z');
  const ports = {
    requests: new Requests(),
    policies: new Policies(),
    delegations: new Delegations(),
    directory,
    written: () => undefined,
    now: () => clock,
  } satisfies ApprovalPorts;
  return { ports, advance: (ms: number) => (clock = new Date(clock.getTime() + ms)), at: () => clock };
}
