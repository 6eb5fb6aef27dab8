import {
  ForbiddenError,
  isTransientGrpcError,
  onBehalfOf,
  serviceClient,
  UnavailableError,
  ValidationError,
} from '@crm/kit';
import { approval as approvalPb } from '@crm/proto';
import { ClientError, Status } from 'nice-grpc';
import type { ApprovalRequests, ApprovalStatus, ApprovalTicket } from '../application/approvals';

const STATUSES: readonly ApprovalStatus[] = [
  'pending',
  'approved',
  'rejected',
  'changes-requested',
  'withdrawn',
];

/**
 * What a failed RequestApproval means for our caller: the engine away or slow is a 503 they may
 * retry (the idempotency key makes the retry safe); a refusal is passed on in the domain's words.
 */
export function approvalFailure(err: unknown): never {
  if (err instanceof ClientError && !isTransientGrpcError(err)) {
    if (err.code === Status.PERMISSION_DENIED || err.code === Status.UNAUTHENTICATED)
      throw new ForbiddenError(`the approval service refused the request: ${err.details}`);
    if (err.code === Status.INVALID_ARGUMENT)
      throw new ValidationError([{ field: 'approval', description: err.details }]);
  }
  throw new UnavailableError('the approval service could not take the request; retry later');
}

/** An answer of the engine in this service's words; an unknown status is the engine being newer than us. */
export function toTicket(r: Pick<approvalPb.ApprovalRequest, 'id' | 'status'>): ApprovalTicket {
  if (!STATUSES.includes(r.status as ApprovalStatus))
    throw new UnavailableError(`the approval service answered an unknown status "${r.status}"`);
  return { id: r.id, status: r.status as ApprovalStatus };
}

/** The approval engine (crm.approval.v1.ApprovalRequestService), asked for the user (their token forwarded). */
export function approvalClient(address: string, timeoutMs = 5000): ApprovalRequests & { close: () => void } {
  const { client, close } = serviceClient(approvalPb.ApprovalRequestServiceDefinition, address);
  return {
    close,
    async request(ask, c) {
      const answer = await client
        .requestApproval(ask, onBehalfOf(c.actor, c.requestId, timeoutMs))
        .catch(approvalFailure);
      return toTicket(answer);
    },
  };
}
