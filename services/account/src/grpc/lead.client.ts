import { isTransientGrpcError, onBehalfOf, serviceClient, UnavailableError } from '@crm/kit';
import { lead as leadPb } from '@crm/proto';
import { ClientError, Status } from 'nice-grpc';
import type { Caller, RelatedRecordCheck } from '../application/ports';

/**
 * The lead service's answer to "may this caller see lead X?": false for its final refusals (not found,
 * invisible, not allowed, not an id), since all of them mean "no activity on that lead". Anything else is
 * the lead service being away: 503, and the caller may retry.
 */
export function leadVisibility(err: unknown): false {
  if (err instanceof ClientError && !isTransientGrpcError(err)) {
    if ([Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT].includes(err.code))
      return false;
  }
  throw new UnavailableError('the lead service could not confirm the lead; retry later');
}

/** Checks leads with the lead service over gRPC, acting for the caller (so it sees what they see). */
export function leadClient(address: string, timeoutMs = 3000): RelatedRecordCheck & { close: () => void } {
  const { client, close } = serviceClient(leadPb.LeadServiceDefinition, address);
  return {
    close,
    async isVisible(id: string, c: Caller) {
      return client
        .getLead({ id }, onBehalfOf(c.actor, c.requestId, timeoutMs))
        .then(() => true, leadVisibility);
    },
  };
}
