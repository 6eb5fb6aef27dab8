import { ConflictError, ForbiddenError, ValidationError } from '@crm/kit/domain';
import type { PolicyStep } from './policy';

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'changes-requested' | 'withdrawn';
export type Decision = 'approve' | 'reject' | 'request-changes';
export const DECISIONS: readonly Decision[] = ['approve', 'reject', 'request-changes'];

/** The actor recorded for what the engine does by itself (no policy matched, a timer fired). */
export const ENGINE = 'approval-service';

/** One entry of a request's audit trail. */
export interface TrailEntry {
  action:
    | 'requested'
    | 'auto-approved'
    | 'step-assigned'
    | 'approved'
    | 'rejected'
    | 'changes-requested'
    | 'delegated'
    | 'escalated'
    | 'withdrawn';
  step: number;
  actorId: string;
  userIds: string[];
  comment: string;
  at: Date;
}

/** A step of the request: the policy's step with its approvers resolved when the request was made. */
export interface RequestStep extends PolicyStep {
  approverIds: string[];
  /** Who the step goes to when its time limit passes (resolved up front, so a timer needs no lookup). */
  escalationIds: string[];
}

/** Where a request stands: everything a decision or a timer reads and changes. */
export interface RequestState {
  requesterId: string;
  status: RequestStatus;
  steps: RequestStep[];
  currentStep: number;
  currentApproverIds: string[];
  /** Approvals given on the current step (an all-step needs every approver). */
  approvedBy: string[];
  /** When the current step escalates; null when it has no limit or already escalated. */
  dueAt: Date | null;
  /** Steps that escalated: a step escalates at most once. */
  escalatedSteps: number[];
  trail: TrailEntry[];
  decidedAt: Date | null;
  decidedBy: string;
}

/** What a change means to the outside: the events the use case publishes with it. */
export type Outcome =
  | { kind: 'step-assigned'; reason: 'started' | 'next-step' | 'escalated' }
  | { kind: 'decided'; decidedBy: string }
  | { kind: 'escalated'; step: number; to: string[] };

const entry = (
  action: TrailEntry['action'],
  step: number,
  actorId: string,
  at: Date,
  userIds: string[] = [],
  comment = '',
): TrailEntry => ({ action, step, actorId, userIds, comment, at });

const dueAtOf = (s: RequestStep | undefined, from: Date) =>
  s && s.timeLimitMinutes > 0 ? new Date(from.getTime() + s.timeLimitMinutes * 60_000) : null;

/**
 * A new request: approved at once without steps (no policy matched), otherwise waiting on the first
 * step. The requester never approves their own request, so they are never among the approvers.
 */
export function startRequest(
  requesterId: string,
  steps: RequestStep[],
  now: Date,
): {
  state: RequestState;
  outcomes: Outcome[];
} {
  const requested = entry('requested', 0, requesterId, now);
  if (steps.length === 0) {
    return {
      state: {
        requesterId,
        status: 'approved',
        steps,
        currentStep: 0,
        currentApproverIds: [],
        approvedBy: [],
        dueAt: null,
        escalatedSteps: [],
        trail: [requested, entry('auto-approved', 0, ENGINE, now, [], 'no policy matched')],
        decidedAt: now,
        decidedBy: ENGINE,
      },
      outcomes: [{ kind: 'decided', decidedBy: ENGINE }],
    };
  }
  const first = steps[0]!;
  return {
    state: {
      requesterId,
      status: 'pending',
      steps,
      currentStep: 0,
      currentApproverIds: first.approverIds,
      approvedBy: [],
      dueAt: dueAtOf(first, now),
      escalatedSteps: [],
      trail: [requested, entry('step-assigned', 0, ENGINE, now, first.approverIds)],
      decidedAt: null,
      decidedBy: '',
    },
    outcomes: [{ kind: 'step-assigned', reason: 'started' }],
  };
}

/**
 * A decision on the current step by `deciderId`, acting as approver `asApproverId` (themself, or the
 * approver who delegated to them). The order of the checks is what the caller sees: their own request
 * is 403 whatever its state, a decided request or step 409, not an approver 403.
 */
export function decide(
  s: RequestState,
  d: { deciderId: string; asApproverId: string; decision: Decision; comment: string },
  now: Date,
): { state: RequestState; outcomes: Outcome[] } {
  if (d.deciderId === s.requesterId || d.asApproverId === s.requesterId)
    throw new ForbiddenError('nobody approves their own request');
  if (s.status !== 'pending') throw new ConflictError(`the request is already ${s.status}`);
  if (!s.currentApproverIds.includes(d.asApproverId))
    throw new ForbiddenError('you are not an approver of the current step');
  if (s.approvedBy.includes(d.asApproverId)) throw new ConflictError('you already approved this step');
  if (!DECISIONS.includes(d.decision))
    throw new ValidationError([{ field: 'decision', description: `must be one of ${DECISIONS.join(', ')}` }]);
  const comment = d.comment.trim();
  if (d.decision !== 'approve' && !comment)
    throw new ValidationError([{ field: 'comment', description: `is required to ${d.decision}` }]);
  if (comment.length > 2000)
    throw new ValidationError([{ field: 'comment', description: 'is longer than 2000 characters' }]);

  const step = s.currentStep;
  const trail = [...s.trail];
  if (d.asApproverId !== d.deciderId)
    trail.push(entry('delegated', step, d.deciderId, now, [d.asApproverId]));
  if (d.decision !== 'approve') {
    const status = d.decision === 'reject' ? 'rejected' : 'changes-requested';
    trail.push(entry(status, step, d.deciderId, now, [], comment));
    return {
      state: { ...s, status, trail, dueAt: null, decidedAt: now, decidedBy: d.deciderId },
      outcomes: [{ kind: 'decided', decidedBy: d.deciderId }],
    };
  }
  trail.push(entry('approved', step, d.deciderId, now, [], comment));
  const approvedBy = [...s.approvedBy, d.asApproverId];
  const current = s.steps[step]!;
  // After an escalation its targets take over the step: one of them approving finishes it, even a
  // step that needs all its approvers (the ones who did not decide in time are why it escalated).
  const escalatedTo = s.escalatedSteps.includes(step) ? current.escalationIds : [];
  const stepDone =
    current.mode === 'any' ||
    escalatedTo.includes(d.asApproverId) ||
    s.currentApproverIds.every((a) => approvedBy.includes(a));
  if (!stepDone) return { state: { ...s, approvedBy, trail }, outcomes: [] };
  const nextIndex = step + 1;
  const next = s.steps[nextIndex];
  if (!next) {
    return {
      state: {
        ...s,
        status: 'approved',
        currentStep: nextIndex,
        currentApproverIds: [],
        approvedBy: [],
        dueAt: null,
        trail,
        decidedAt: now,
        decidedBy: d.deciderId,
      },
      outcomes: [{ kind: 'decided', decidedBy: d.deciderId }],
    };
  }
  trail.push(entry('step-assigned', nextIndex, ENGINE, now, next.approverIds));
  return {
    state: {
      ...s,
      currentStep: nextIndex,
      currentApproverIds: next.approverIds,
      approvedBy: [],
      dueAt: dueAtOf(next, now),
      trail,
    },
    outcomes: [{ kind: 'step-assigned', reason: 'next-step' }],
  };
}

/** Withdrawn by its requester (or the service asking for them) while pending. */
export function withdraw(s: RequestState, actorId: string, comment: string, now: Date) {
  if (s.status !== 'pending') throw new ConflictError(`the request is already ${s.status}`);
  const trail = [...s.trail, entry('withdrawn', s.currentStep, actorId, now, [], comment.trim())];
  return {
    state: { ...s, status: 'withdrawn' as const, trail, dueAt: null, decidedAt: now, decidedBy: actorId },
    outcomes: [{ kind: 'decided', decidedBy: actorId }] as Outcome[],
  };
}

/**
 * The current step's time limit passed: its escalation targets join its approvers, once per step
 * (and any one of them may then finish the step: see decide).
 * Undefined when there is nothing to do (decided meanwhile, not due yet, already escalated).
 */
export function escalate(
  s: RequestState,
  now: Date,
): { state: RequestState; outcomes: Outcome[] } | undefined {
  if (s.status !== 'pending' || !s.dueAt || s.dueAt > now) return undefined;
  if (s.escalatedSteps.includes(s.currentStep)) return undefined;
  const step = s.steps[s.currentStep]!;
  const to = step.escalationIds.filter((u) => u !== s.requesterId);
  const currentApproverIds = [...new Set([...s.currentApproverIds, ...to])];
  return {
    state: {
      ...s,
      currentApproverIds,
      dueAt: null,
      escalatedSteps: [...s.escalatedSteps, s.currentStep],
      trail: [...s.trail, entry('escalated', s.currentStep, ENGINE, now, to)],
    },
    outcomes: [
      { kind: 'escalated', step: s.currentStep, to },
      { kind: 'step-assigned', reason: 'escalated' },
    ],
  };
}
