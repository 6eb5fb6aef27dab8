import { InMemoryVersioned as Collection } from '@crm/kit/testing';
import type { ApprovalPorts, Directory, InboxQuery } from '../../src/application/ports';
import type { ApprovalRequestDoc, DelegationDoc, PolicyDoc } from '../../src/store/approval.model';

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
