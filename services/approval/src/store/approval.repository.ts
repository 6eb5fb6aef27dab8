import { type Actor, afterCursor, inserted, nextCursorOf, type OutboxEntry, saveAtVersion } from '@crm/kit';
import type {
  ApprovalRequestRepository,
  DelegationRepository,
  InboxQuery,
  PolicyRepository,
} from '../application/ports';
import type { ApprovalModels, ApprovalRequestDoc, DelegationDoc, PolicyDoc } from './approval.model';

const NO_OUTBOX = { outbox: 0 } as const;

/** Approval requests in MongoDB: queries and writes only (the rules are in src/application). */
export class MongoApprovalRequestRepository implements ApprovalRequestRepository {
  constructor(private readonly m: ApprovalModels) {}

  async get(id: string) {
    return (await this.m.ApprovalRequest.findById(id, NO_OUTBOX).lean<ApprovalRequestDoc>()) ?? undefined;
  }

  async byIdempotencyKey(key: string) {
    return (
      (await this.m.ApprovalRequest.findOne({ idempotencyKey: key }, NO_OUTBOX).lean<ApprovalRequestDoc>()) ??
      undefined
    );
  }

  insert(doc: ApprovalRequestDoc) {
    return inserted(() => this.m.ApprovalRequest.create(doc));
  }

  /** Newest first, paged by a (createdAt, _id) cursor. */
  async list(q: InboxQuery) {
    const and: Record<string, unknown>[] = [];
    if (q.visibleTo)
      and.push({
        $or: [
          { participantIds: q.visibleTo.participant },
          { status: 'pending', currentApproverIds: { $in: q.visibleTo.delegators } },
        ],
      });
    if (q.assignedTo) and.push({ currentApproverIds: { $in: q.assignedTo } });
    if (q.requesterId) and.push({ requesterId: q.requesterId });
    if (q.status) and.push({ status: q.status });
    if (q.cursor) and.push(afterCursor(q.cursor, 'createdAt', true, 'date'));
    const docs = await this.m.ApprovalRequest.find(and.length ? { $and: and } : {}, NO_OUTBOX)
      .sort({ createdAt: -1, _id: -1 })
      .limit(q.limit + 1)
      .lean<ApprovalRequestDoc[]>();
    const { page, nextCursor } = nextCursorOf(docs, q.limit, (d) => d.createdAt);
    return { requests: page, nextCursor };
  }

  dueForEscalation(now: Date) {
    return this.m.ApprovalRequest.find({ status: 'pending', dueAt: { $ne: null, $lte: now } }, NO_OUTBOX)
      .limit(500)
      .lean<ApprovalRequestDoc[]>();
  }

  save(
    current: ApprovalRequestDoc,
    set: Partial<ApprovalRequestDoc>,
    actor: Actor,
    events: (next: ApprovalRequestDoc) => OutboxEntry[],
  ) {
    return saveAtVersion(this.m.ApprovalRequest, current, set, actor, events);
  }
}

export class MongoPolicyRepository implements PolicyRepository {
  constructor(private readonly m: ApprovalModels) {}

  async get(id: string) {
    return (await this.m.Policy.findById(id, NO_OUTBOX).lean<PolicyDoc>()) ?? undefined;
  }

  list(subjectType?: string) {
    return this.m.Policy.find(subjectType ? { 'policy.subjectType': subjectType } : {}, NO_OUTBOX).lean<
      PolicyDoc[]
    >();
  }

  insert(doc: PolicyDoc) {
    return inserted(() => this.m.Policy.create(doc));
  }

  save(
    current: PolicyDoc,
    set: Partial<PolicyDoc>,
    actor: Actor,
    events: (next: PolicyDoc) => OutboxEntry[],
  ) {
    return saveAtVersion(this.m.Policy, current, set, actor, events);
  }
}

export class MongoDelegationRepository implements DelegationRepository {
  constructor(private readonly m: ApprovalModels) {}

  async get(id: string) {
    return (await this.m.Delegation.findById(id, NO_OUTBOX).lean<DelegationDoc>()) ?? undefined;
  }

  list(delegatorId?: string) {
    return this.m.Delegation.find(delegatorId ? { delegatorId } : {}, NO_OUTBOX)
      .sort({ createdAt: -1, _id: -1 })
      .lean<DelegationDoc[]>();
  }

  toDelegate(delegateId: string) {
    return this.m.Delegation.find({ delegateId, active: true }, NO_OUTBOX).lean<DelegationDoc[]>();
  }

  insert(doc: DelegationDoc) {
    return inserted(() => this.m.Delegation.create(doc));
  }

  save(
    current: DelegationDoc,
    set: Partial<DelegationDoc>,
    actor: Actor,
    events: (next: DelegationDoc) => OutboxEntry[],
  ) {
    return saveAtVersion(this.m.Delegation, current, set, actor, events);
  }
}
