import { isTransientGrpcError, onBehalfOf, serviceClient, UnavailableError } from '@crm/kit';
import { opportunity as opportunityPb } from '@crm/proto';
import { ClientError, Status } from 'nice-grpc';
import type { Caller, OpportunityCheck } from '../application/ports';

/**
 * The opportunity service's final refusals (not found, invisible, not allowed, not an id) all mean "no
 * activity on that deal" (undefined); anything else is the service being away: 503, and the caller may
 * retry.
 */
export function dealVisibility(err: unknown): undefined {
  if (err instanceof ClientError && !isTransientGrpcError(err)) {
    if ([Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT].includes(err.code))
      return undefined;
  }
  throw new UnavailableError('the opportunity service could not confirm the deal; retry later');
}

/** Reads deals from the opportunity service over gRPC, acting for the caller (so it sees what they see). */
export function opportunityClient(
  address: string,
  timeoutMs = 3000,
): OpportunityCheck & { close: () => void } {
  const { client, close } = serviceClient(opportunityPb.OpportunityServiceDefinition, address);
  return {
    close,
    async accountOf(id: string, c: Caller) {
      return client
        .getOpportunity({ id }, onBehalfOf(c.actor, c.requestId, timeoutMs))
        .then((deal) => deal.accountId, dealVisibility);
    },
  };
}
