import { consumeEvents, eventCaller, type Logger } from '@crm/kit';
import { accountEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import type { DealOwnership } from '../application/deal-ownership';

export const ACCOUNT_OWNER_DURABLE = 'opportunity-account-owner';

/**
 * Open deals follow their account to its new owner: on AccountUpdated naming owner_id among the changed
 * fields, the deals the previous owner held on the account move, as whoever reassigned the account.
 * Events without previous_owner_id (written before it existed) are skipped: replayed from the start of
 * the stream, they must not move deals given out since.
 */
export function followAccountOwners(
  nc: NatsConnection,
  db: Connection,
  ownership: DealOwnership,
  logger: Logger,
) {
  return () =>
    consumeEvents(nc, db, logger, {
      stream: 'CRM_ACCOUNT',
      durable: ACCOUNT_OWNER_DURABLE,
      filterSubject: 'crm.account.v1.AccountUpdated',
      handle: async (env) => {
        const e = accountEvents.AccountUpdated.decode(env.payload);
        if (!e.changedFields.includes('owner_id') || !e.previousOwnerId || !e.account) return;
        const { actor, requestId } = await eventCaller(env, 'account-owner');
        const moved = await ownership.followAccount(
          {
            accountId: e.account.id,
            fromUserId: e.previousOwnerId,
            toUserId: e.account.ownerId,
            toTeamId: e.account.teamId,
          },
          actor,
          requestId,
        );
        if (moved) logger.info({ accountId: e.account.id, moved }, 'deals followed their account');
      },
    });
}
