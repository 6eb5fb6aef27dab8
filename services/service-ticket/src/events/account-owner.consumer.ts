import { consumeEvents, eventCaller, type Logger } from '@crm/kit';
import { accountEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import type { AccountFollow } from '../application/account-follow';

export const ACCOUNT_OWNER_DURABLE = 'service-ticket-account-owner';
export const ACCOUNT_OWNER_CHANGED = 'crm.account.v1.AccountOwnerChanged';

/**
 * Tickets follow their account to its new owner, where the service settings say so: one durable
 * consumer of AccountOwnerChanged (the account service's stream CRM_ACCOUNT; until it exists the host
 * retries). Each event is handled once (kit records its id); the move is recorded as whoever moved
 * the account.
 */
export function followAccountOwners(
  nc: NatsConnection,
  db: Connection,
  follow: AccountFollow,
  logger: Logger,
) {
  return () =>
    consumeEvents(nc, db, logger, {
      stream: 'CRM_ACCOUNT',
      durable: ACCOUNT_OWNER_DURABLE,
      filterSubject: ACCOUNT_OWNER_CHANGED,
      handle: async (env) => {
        const e = accountEvents.AccountOwnerChanged.decode(env.payload);
        const { actor, requestId } = await eventCaller(env, 'account-owner');
        const moved = await follow.follow(
          {
            accountId: e.accountId,
            previousOwnerId: e.previousOwnerId,
            newOwnerId: e.newOwnerId,
            transferId: e.transferId,
            reason: e.reason,
            at: env.occurredAt ?? new Date(),
          },
          actor,
          requestId,
        );
        if (moved) logger.info({ accountId: e.accountId, moved }, 'tickets followed their account');
      },
    });
}
