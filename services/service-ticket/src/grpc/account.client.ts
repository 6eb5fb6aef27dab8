import { type Actor, isTransientGrpcError, onBehalfOf, serviceClient, UnavailableError } from '@crm/kit';
import { account as accountPb } from '@crm/proto';
import { ClientError, Status } from 'nice-grpc';
import type { AccountCheck, Caller } from '../application/ports';
import { isSupportStaff } from '../domain/ticket';

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

/** AccountTier enum values as the SLA policies name tiers. */
const TIERS: Record<number, string> = {
  [accountPb.AccountTier.ACCOUNT_TIER_STRATEGIC]: 'strategic',
  [accountPb.AccountTier.ACCOUNT_TIER_A]: 'A',
  [accountPb.AccountTier.ACCOUNT_TIER_B]: 'B',
  [accountPb.AccountTier.ACCOUNT_TIER_C]: 'C',
};

/** The service's own identity: no token, so kit's serviceClient sends the service's client token. */
const SERVICE: Actor = { userId: 'service-ticket', username: 'service-ticket', roles: [], teams: [] };

/**
 * Checks accounts with the account service over gRPC. Sellers are asked about as themselves (they see
 * what they see); support staff serve every customer, so for them the service asks as itself.
 */
export function accountClient(address: string, timeoutMs = 3000): AccountCheck & { close: () => void } {
  const { client, close } = serviceClient(accountPb.AccountServiceDefinition, address);
  const as = (c: Caller) => onBehalfOf(isSupportStaff(c.actor) ? SERVICE : c.actor, c.requestId, timeoutMs);
  return {
    close,
    async isVisible(id: string, c: Caller) {
      return client.getAccount({ id }, as(c)).then(() => true, accountVisibility);
    },
    async summaryOf(id: string, c: Caller) {
      return client.getAccount({ id }, as(c)).then(
        (a) => ({ name: a.name, tier: TIERS[a.tier] ?? '' }),
        (err) => accountVisibility(err) || undefined,
      );
    },
    async accountOfContact(contactId: string, c: Caller) {
      return client.getContact({ id: contactId }, as(c)).then(
        (contact) => contact.accountId,
        (err) => accountVisibility(err) || undefined,
      );
    },
  };
}
