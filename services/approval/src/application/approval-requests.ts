import { randomUUID } from 'node:crypto';
import {
  allows,
  checkVersion,
  ConflictError,
  ForbiddenError,
  hasRole,
  NotFoundError,
  pageLimit,
  retryOnVersionMismatch,
  Roles,
  ServiceRoles,
  ValidationError,
  Violations,
} from '@crm/kit';
import {
  type Decision,
  decide,
  escalate,
  type Outcome,
  type RequestState,
  type RequestStep,
  startRequest,
  withdraw,
} from '../domain/approval-request';
import { dayOf, delegationRuns } from '../domain/delegation';
import { checkSnapshot, choosePolicy, type PolicyStep, SUBJECT_TYPE } from '../domain/policy';
import { approvalEvents as events } from '../events/approval-events';
import type { ApprovalRequestDoc } from '../store/approval.model';
import type { ApprovalPorts, Caller } from './ports';

export interface NewApprovalRequest {
  subjectType: string;
  subjectId: string;
  idempotencyKey: string;
  snapshot: Record<string, unknown>;
  title: string;
  requesterId: string;
}

export interface InboxFilter {
  /** 'me' or a user id; '' for any. */
  assignedTo: string;
  requesterId: string;
  status: string;
  limit: number;
  cursor: string;
}

const STATUSES = ['pending', 'approved', 'rejected', 'changes-requested', 'withdrawn'];
/** The services that ask for approvals on their own (service token), e.g. the opportunity service. */
const SERVICE_ROLES: string[] = Object.values(ServiceRoles).filter((r) => allows([r], 'approval.request'));
/** A service asking for a user (service token): it names the requester and may read and withdraw. */
const isService = (c: Caller) => hasRole(c.actor, ...SERVICE_ROLES);
const seesAll = (c: Caller) => hasRole(c.actor, Roles.admin, Roles.integrator) || isService(c);

/**
 * Approval requests: asked for by services (RequestApproval), decided by approvers, withdrawn by
 * requesters, escalated by a timer. Every change is one compare-and-set write with its events, so
 * two approvers deciding at once cannot both win and a timer firing twice changes nothing twice.
 */
export class ApprovalRequests {
  constructor(private readonly p: ApprovalPorts) {}

  private now(): Date {
    return this.p.now?.() ?? new Date();
  }

  /** Starts a request, or returns the one already started with the same idempotency key. */
  async request(raw: NewApprovalRequest, c: Caller): Promise<ApprovalRequestDoc> {
    if (!allows(c.actor.roles, 'approval.request')) throw new ForbiddenError('you may not ask for approvals');
    const input = this.validRequest(raw, c);
    const existing = await this.p.requests.byIdempotencyKey(input.idempotencyKey);
    if (existing) return this.sameSubject(existing, input);

    const policies = await this.p.policies.list(input.subjectType);
    const chosen = choosePolicy(
      policies.map((d) => ({ id: d._id, version: d.version, policy: d.policy })),
      input.subjectType,
      input.snapshot,
    );
    const steps = chosen ? await this.resolveSteps(chosen.policy.steps, input.requesterId) : [];
    const now = this.now();
    const { state, outcomes } = startRequest(input.requesterId, steps, now);
    const doc: ApprovalRequestDoc = {
      _id: randomUUID(),
      version: 1,
      ...input,
      policyId: chosen?.id ?? '',
      policyVersion: chosen?.version ?? 0,
      ...state,
      participantIds: participants(input.requesterId, steps),
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox = [
      events.requested(doc, c.actor, c.requestId),
      ...events.of(outcomes, doc, c.actor, c.requestId),
    ];
    if (!(await this.p.requests.insert(doc))) {
      // Another call with the same key won the race: answer with its request.
      const winner = await this.p.requests.byIdempotencyKey(input.idempotencyKey);
      if (!winner) throw new ConflictError('the request was made concurrently; try again');
      return this.sameSubject(winner, input);
    }
    this.p.written('request', doc._id);
    return doc;
  }

  async get(id: string, c: Caller): Promise<ApprovalRequestDoc> {
    const doc = await this.p.requests.get(id.trim());
    if (!doc || !(await this.maySee(doc, c))) throw new NotFoundError('approval request', id);
    return doc;
  }

  /** The inbox: requests the caller takes part in (every request for admins), newest first. */
  async list(f: InboxFilter, c: Caller) {
    if (!allows(c.actor.roles, 'approval.use') && !isService(c))
      throw new ForbiddenError('you may not read approvals');
    const v = new Violations();
    if (f.status && !STATUSES.includes(f.status)) v.add('status', `must be one of ${STATUSES.join(', ')}`);
    v.throwIfAny();
    const me = c.actor.userId;
    const delegators = await this.delegatorsOf(me);
    const assignedTo = f.assignedTo === 'me' ? me : f.assignedTo.trim();
    return this.p.requests.list({
      visibleTo: seesAll(c) ? undefined : { participant: me, delegators },
      // My inbox includes what waits for those who delegated to me.
      assignedTo: assignedTo ? (assignedTo === me ? [me, ...delegators] : [assignedTo]) : undefined,
      requesterId: f.requesterId === 'me' ? me : f.requesterId.trim(),
      status: f.status,
      limit: pageLimit(f.limit),
      cursor: f.cursor,
    });
  }

  /** A decision on the current step by an approver of it, or by the delegate of one. */
  async decide(
    id: string,
    expectedVersion: number,
    decision: string,
    comment: string,
    c: Caller,
  ): Promise<ApprovalRequestDoc> {
    if (!allows(c.actor.roles, 'approval.use')) throw new ForbiddenError('you may not decide approvals');
    const me = c.actor.userId;
    const delegators = await this.delegatorsOf(me);
    // A stale read loses the compare-and-set and runs again on the fresh state, where a step decided
    // meanwhile is a 409: of two approvers deciding at once exactly one wins.
    const run = async () => {
      const current = await this.get(id, c);
      if (expectedVersion) checkVersion(expectedVersion, current.version);
      const asApproverId = current.currentApproverIds.includes(me)
        ? me
        : (current.currentApproverIds.find((a) => delegators.includes(a)) ?? me);
      const { state, outcomes } = decide(
        stateOf(current),
        { deciderId: me, asApproverId, decision: decision as Decision, comment },
        this.now(),
      );
      // A delegate who decided takes part from now on: they keep seeing what they decided.
      const participantIds = [...new Set([...current.participantIds, me])];
      return this.save(current, { ...state, participantIds }, outcomes, c);
    };
    return expectedVersion ? run() : retryOnVersionMismatch(run);
  }

  /** Withdrawn by the requester, the service that asked for them, or an admin. */
  async withdraw(id: string, comment: string, c: Caller): Promise<ApprovalRequestDoc> {
    return retryOnVersionMismatch(async () => {
      const current = await this.get(id, c);
      if (current.requesterId !== c.actor.userId && !isService(c) && !hasRole(c.actor, Roles.admin))
        throw new ForbiddenError('only the requester withdraws a request');
      const { state, outcomes } = withdraw(stateOf(current), c.actor.userId, comment, this.now());
      return this.save(current, state, outcomes, c);
    });
  }

  /**
   * The timer's work: every pending request whose current step is past its limit escalates, once.
   * Safe to run on several replicas or again after a crash: each escalation is a compare-and-set
   * that marks the step, so a second run finds nothing to do.
   */
  async escalateDue(c: Caller): Promise<number> {
    const now = this.now();
    let escalated = 0;
    for (const due of await this.p.requests.dueForEscalation(now)) {
      const done = await retryOnVersionMismatch(async () => {
        const current = await this.p.requests.get(due._id);
        const change = current && escalate(stateOf(current), now);
        if (!current || !change) return false;
        await this.save(current, change.state, change.outcomes, c);
        return true;
      });
      if (done) escalated++;
    }
    return escalated;
  }

  private async save(
    current: ApprovalRequestDoc,
    state: RequestState & Partial<ApprovalRequestDoc>,
    outcomes: Outcome[],
    c: Caller,
  ): Promise<ApprovalRequestDoc> {
    const next = await this.p.requests.save(current, state, c.actor, (n) =>
      events.of(outcomes, n, c.actor, c.requestId),
    );
    this.p.written('request', next._id);
    return next;
  }

  private validRequest(raw: NewApprovalRequest, c: Caller): NewApprovalRequest {
    const v = new Violations();
    const subjectType = raw.subjectType.trim();
    if (!SUBJECT_TYPE.test(subjectType)) v.add('subjectType', 'must be a lower-case kebab-case type');
    const subjectId = raw.subjectId.trim();
    if (!subjectId || subjectId.length > 200) v.add('subjectId', 'is required (at most 200 characters)');
    const idempotencyKey = raw.idempotencyKey.trim();
    if (!idempotencyKey || idempotencyKey.length > 200)
      v.add('idempotencyKey', 'is required (at most 200 characters)');
    const title = raw.title.trim();
    if (title.length > 500) v.add('title', 'is longer than 500 characters');
    v.throwIfAny();
    checkSnapshot(raw.snapshot);
    let requesterId = raw.requesterId.trim();
    if (isService(c)) {
      if (!requesterId) throw new ValidationError([{ field: 'requesterId', description: 'is required' }]);
    } else {
      if (requesterId && requesterId !== c.actor.userId)
        throw new ForbiddenError('a user asks for approvals only as themself');
      requesterId = c.actor.userId;
    }
    return { subjectType, subjectId, idempotencyKey, snapshot: raw.snapshot, title, requesterId };
  }

  private sameSubject(existing: ApprovalRequestDoc, input: NewApprovalRequest): ApprovalRequestDoc {
    if (existing.subjectType !== input.subjectType || existing.subjectId !== input.subjectId)
      throw new ConflictError(
        `the idempotency key ${input.idempotencyKey} was already used for ${existing.subjectType} ${existing.subjectId}`,
      );
    return existing;
  }

  /** Approvers of each step, resolved now; the requester is never one (they cannot approve their own). */
  private async resolveSteps(steps: PolicyStep[], requesterId: string): Promise<RequestStep[]> {
    const admins = () => this.p.directory.usersWithRole(Roles.admin);
    const resolved: RequestStep[] = [];
    for (const s of steps) {
      const ids = new Set(s.userIds);
      for (const role of s.roles) for (const u of await this.p.directory.usersWithRole(role)) ids.add(u);
      const managers =
        s.requesterManager || s.escalateTo === 'next-level'
          ? await this.p.directory.managersOf(requesterId)
          : [];
      if (s.requesterManager) for (const u of managers) ids.add(u);
      ids.delete(requesterId);
      // A step nobody could decide (the requester is the only approver) goes to the admins.
      const approverIds = ids.size ? [...ids] : (await admins()).filter((u) => u !== requesterId);
      let escalationIds: string[] = [];
      if (s.escalateTo === 'user') escalationIds = [s.escalateToUserId];
      else if (s.escalateTo === 'next-level') {
        const above = managers.filter((m) => !approverIds.includes(m));
        escalationIds = above.length ? above : (await admins()).filter((u) => !approverIds.includes(u));
      }
      resolved.push({ ...s, approverIds, escalationIds: escalationIds.filter((u) => u !== requesterId) });
    }
    return resolved;
  }

  private async maySee(doc: ApprovalRequestDoc, c: Caller): Promise<boolean> {
    if (seesAll(c) || doc.participantIds.includes(c.actor.userId)) return true;
    // A delegate sees what waits now for someone who delegated to them.
    const delegators = await this.delegatorsOf(c.actor.userId);
    return doc.status === 'pending' && doc.currentApproverIds.some((a) => delegators.includes(a));
  }

  /** Users whose approvals this user decides today, through a running delegation. */
  private async delegatorsOf(userId: string): Promise<string[]> {
    const day = dayOf(this.now());
    return (await this.p.delegations.toDelegate(userId))
      .filter((d) => delegationRuns(d, day))
      .map((d) => d.delegatorId);
  }
}

function participants(requesterId: string, steps: RequestStep[]): string[] {
  return [...new Set([requesterId, ...steps.flatMap((s) => [...s.approverIds, ...s.escalationIds])])];
}

function stateOf(d: ApprovalRequestDoc): RequestState {
  return {
    requesterId: d.requesterId,
    status: d.status,
    steps: d.steps,
    currentStep: d.currentStep,
    currentApproverIds: d.currentApproverIds,
    approvedBy: d.approvedBy,
    dueAt: d.dueAt,
    escalatedSteps: d.escalatedSteps,
    trail: d.trail,
    decidedAt: d.decidedAt,
    decidedBy: d.decidedBy,
  };
}
