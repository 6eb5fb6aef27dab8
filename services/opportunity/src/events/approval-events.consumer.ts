import { consumeEvents, type Logger } from '@crm/kit';
import { approval, approvalEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import type { ApprovalDecision, ApprovalOutcomes } from '../application/approvals';

/** Created by the approval service; until it exists the service host retries starting the consumer. */
export const APPROVAL_STREAM = 'CRM_APPROVAL';
export const APPROVAL_DECIDED_DURABLE = 'opportunity-approval-decided';

/** The decision as this service's use cases read it; undefined for a request still pending (never applied). */
export function toDecision(
  e: approvalEvents.ApprovalRequestDecided,
  publishedAt?: Date,
): ApprovalDecision | undefined {
  const outcome = e.outcome || e.request?.status || '';
  if (!['approved', 'rejected', 'changes-requested', 'withdrawn'].includes(outcome)) return undefined;
  return {
    requestId: e.request?.id ?? '',
    subjectType: e.subjectType || e.request?.subjectType || '',
    subjectId: e.subjectId || e.request?.subjectId || '',
    idempotencyKey: e.request?.idempotencyKey ?? '',
    outcome: outcome as ApprovalDecision['outcome'],
    decidedBy: e.decidedBy,
    decidedAt: e.request?.decidedAt ?? publishedAt ?? new Date(),
    comment: finalComment(e.request?.trail ?? [], outcome),
  };
}

/** The comment of the trail entry that decided the request (the newest one named after the outcome). */
function finalComment(trail: approval.ApprovalTrailEntry[], outcome: string): string {
  return trail.findLast((t) => t.action === outcome)?.comment ?? '';
}

/**
 * Learns the approval engine's outcomes (quote approved, deal won, payment confirmed) from
 * ApprovalRequestDecided and hands each to the handler of its subject type. One durable consumer for
 * every subject type this service owns.
 */
export function followApprovalOutcomes(
  nc: NatsConnection,
  db: Connection,
  outcomes: ApprovalOutcomes,
  logger: Logger,
) {
  return () =>
    consumeEvents(nc, db, logger, {
      stream: APPROVAL_STREAM,
      durable: APPROVAL_DECIDED_DURABLE,
      filterSubject: 'crm.approval.v1.ApprovalRequestDecided',
      handle: async (env) => {
        const decision = toDecision(
          approvalEvents.ApprovalRequestDecided.decode(env.payload),
          env.occurredAt,
        );
        if (decision) await outcomes.apply(decision);
      },
    });
}
