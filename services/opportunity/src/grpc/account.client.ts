import { isTransientGrpcError, onBehalfOf, serviceClient, UnavailableError } from '@crm/kit';
import { account as accountPb } from '@crm/proto';
import { ClientError, Status } from 'nice-grpc';
import type { AccountCheck, Caller } from '../application/ports';

/**
 * The account service's answer to "may this caller see account X?": false for its final refusals (not
 * found, invisible, not allowed, not an id); anything else is the account service being away: 503, and
 * the caller may retry.
 */
export function accountVisibility(err: unknown): false {
  if (err instanceof ClientError && !isTransientGrpcError(err)) {
    if ([Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT].includes(err.code))
      return false;
  }
  throw new UnavailableError('the account service could not confirm the account; retry later');
}

/** Checks accounts with the account service over gRPC, acting for the caller (so it sees what they see). */
export function accountClient(address: string, timeoutMs = 3000): AccountCheck & { close: () => void } {
  const { client, close } = serviceClient(accountPb.AccountServiceDefinition, address);
  return {
    close,
    async isVisible(id: string, c: Caller) {
      return client
        .getAccount({ id }, onBehalfOf(c.actor, c.requestId, timeoutMs))
        .then(() => true, accountVisibility);
    },
    async accountOfContact(contactId: string, c: Caller) {
      return client.getContact({ id: contactId }, onBehalfOf(c.actor, c.requestId, timeoutMs)).then(
        (contact) => contact.accountId,
        (err) => accountVisibility(err) || undefined,
      );
    },
  };
}
