import { accountEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import type { Actor } from './actor';
import { consumeEvents, eventCaller, type Stoppable } from './consumer';
import type { Logger } from './logger';

export interface AccountMergeFollower {
  /** The service's durable consumer on CRM_ACCOUNT, e.g. `opportunity-accounts-merged`. */
  durable: string;
  /** What moves, for the log line: "deals", "tickets". */
  records: string;
  /** Points the service's records of the merged account at the survivor; how many moved. Idempotent. */
  follow(mergedId: string, survivorId: string, actor: Actor, requestId: string): Promise<number>;
}

/**
 * Records that point at an account follow it into a merge (crm.account.v1.AccountsMerged), in every
 * service that holds such records: one durable consumer each, acting as whoever merged the accounts.
 */
export function followAccountMerges(
  nc: NatsConnection,
  db: Connection,
  logger: Logger,
  f: AccountMergeFollower,
): () => Promise<Stoppable> {
  return () =>
    consumeEvents(nc, db, logger, {
      stream: 'CRM_ACCOUNT',
      durable: f.durable,
      filterSubject: 'crm.account.v1.AccountsMerged',
      handle: async (env) => {
        const { mergedId, survivorId } = accountEvents.AccountsMerged.decode(env.payload);
        const { actor, requestId } = await eventCaller(env, f.durable);
        const moved = await f.follow(mergedId, survivorId, actor, requestId);
        if (moved)
          logger.info({ mergedId, survivorId, moved }, `${f.records} followed their account into a merge`);
      },
    });
}
