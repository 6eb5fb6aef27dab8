import { approval as pb } from '@crm/proto';
import type { PolicyStep } from '../domain/policy';
import type { RawPolicy } from '../application/policies';
import type { ApprovalRequestDoc, DelegationDoc, PolicyDoc } from '../store/approval.model';

export function toProtoRequest(r: ApprovalRequestDoc): pb.ApprovalRequest {
  return {
    id: r._id,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    idempotencyKey: r.idempotencyKey,
    snapshot: { ...r.snapshot },
    title: r.title,
    requesterId: r.requesterId,
    status: r.status,
    policyId: r.policyId,
    policyVersion: r.policyVersion,
    currentStep: r.currentStep,
    currentApproverIds: [...r.currentApproverIds],
    trail: r.trail.map((t) => ({ ...t, userIds: [...t.userIds] })),
    createdAt: r.createdAt,
    decidedAt: r.decidedAt ?? undefined,
    version: r.version,
  };
}

const toProtoStep = (s: PolicyStep): pb.ApprovalStep => ({
  name: s.name,
  userIds: [...s.userIds],
  roles: [...s.roles],
  requesterManager: s.requesterManager,
  mode: s.mode,
  timeLimitMinutes: s.timeLimitMinutes,
  escalateTo: s.escalateTo,
  escalateToUserId: s.escalateToUserId,
});

export function toProtoPolicy(p: PolicyDoc): pb.ApprovalPolicy {
  const { steps, snapshotFields, ...rest } = p.policy;
  return {
    id: p._id,
    version: p.version,
    policy: { ...rest, snapshotFields: [...snapshotFields], steps: steps.map(toProtoStep) },
    updatedAt: p.updatedAt,
    updatedBy: p.updatedBy,
  };
}

/** A policy from the wire: proto3 has no "unset", so an empty mode or escalation means the default. */
export function fromProtoPolicy(p: pb.ApprovalPolicyInput | undefined): RawPolicy {
  if (!p) return {};
  return {
    ...p,
    steps: p.steps.map((s) => ({
      ...s,
      mode: (s.mode || undefined) as PolicyStep['mode'] | undefined,
      escalateTo: (s.escalateTo || undefined) as PolicyStep['escalateTo'] | undefined,
    })),
  };
}

export function toProtoDelegation(d: DelegationDoc): pb.Delegation {
  return {
    id: d._id,
    delegatorId: d.delegatorId,
    delegateId: d.delegateId,
    startsOn: d.startsOn,
    endsOn: d.endsOn,
    comment: d.comment,
    active: d.active,
    createdAt: d.createdAt,
    createdBy: d.createdBy,
  };
}
