import { consumeEvents, eventCaller, type Logger } from '@crm/kit';
import { accountEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import type { DealOwnership } from '../application/deal-ownership';

export const ACCOUNTS_MERGED_DURABLE = 'opportunity-accounts-merged';

/** Deals follow their account into a merge, recorded as whoever merged the accounts. */
export function followAccountMerges(
  nc: NatsConnection,
  db: Connection,
  ownership: DealOwnership,
  logger: Logger,
) {
  return () =>
    consumeEvents(nc, db, logger, {
      stream: 'CRM_ACCOUNT',
      durable: ACCOUNTS_MERGED_DURABLE,
      filterSubject: 'crm.account.v1.AccountsMerged',
      handle: async (env) => {
        const e = accountEvents.AccountsMerged.decode(env.payload);
        const { actor, requestId } = await eventCaller(env, 'accounts-merged');
        const moved = await ownership.followMerge(e.mergedId, e.survivorId, actor, requestId);
        if (moved)
          logger.info({ mergedId: e.mergedId, survivorId: e.survivorId, moved }, 'deals followed a merge');
      },
    });
}
