import { type Actor, eventPackage, type OutboxEntry } from '@crm/kit';
import { approvalEvents as pb } from '@crm/proto';
import type { Outcome } from '../domain/approval-request';
import { toProtoDelegation, toProtoPolicy, toProtoRequest } from '../grpc/approval.mapper';
import type { ApprovalRequestDoc, DelegationDoc, PolicyDoc } from '../store/approval.model';

const entry = eventPackage<'approval-request' | 'approval-policy' | 'approval-delegation'>('crm.approval.v1');

/**
 * Outbox entries of the approval service's events: subjects are the full proto names
 * (crm.approval.v1.ApprovalRequestDecided), all in the stream CRM_APPROVAL (crm.approval.>).
 */
export const approvalEvents = {
  requested(r: ApprovalRequestDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.ApprovalRequested.encode({ request: toProtoRequest(r) }).finish();
    return entry('ApprovalRequested', payload, 'approval-request', r, actor, requestId);
  },
  /** The events a change of a request means: assignments, escalations, the outcome. */
  of(outcomes: Outcome[], r: ApprovalRequestDoc, actor: Actor, requestId: string): OutboxEntry[] {
    const request = toProtoRequest(r);
    return outcomes.map((o) => {
      switch (o.kind) {
        case 'step-assigned':
          return entry(
            'ApprovalStepAssigned',
            pb.ApprovalStepAssigned.encode({ request, reason: o.reason }).finish(),
            'approval-request',
            r,
            actor,
            requestId,
          );
        case 'escalated':
          return entry(
            'ApprovalEscalated',
            pb.ApprovalEscalated.encode({ request, step: o.step, escalatedTo: o.to }).finish(),
            'approval-request',
            r,
            actor,
            requestId,
          );
        case 'decided':
          return entry(
            'ApprovalRequestDecided',
            pb.ApprovalRequestDecided.encode({
              request,
              subjectType: r.subjectType,
              subjectId: r.subjectId,
              outcome: r.status,
              decidedBy: o.decidedBy,
            }).finish(),
            'approval-request',
            r,
            actor,
            requestId,
          );
      }
    });
  },
  policySaved(p: PolicyDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.ApprovalPolicySaved.encode({ policy: toProtoPolicy(p) }).finish();
    return entry('ApprovalPolicySaved', payload, 'approval-policy', p, actor, requestId);
  },
  delegationSaved(d: DelegationDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.ApprovalDelegationSaved.encode({ delegation: toProtoDelegation(d) }).finish();
    return entry('ApprovalDelegationSaved', payload, 'approval-delegation', d, actor, requestId);
  },
};
