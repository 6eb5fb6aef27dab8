import { consumeEvents, eventCaller, type Logger } from '@crm/kit';
import { analyticsEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import type { AccountTiers } from '../application/account-tiers';

export const ACCOUNT_SEGMENT_DURABLE = 'account-rfm-segment';
export const ACCOUNT_SEGMENT_CHANGED = 'crm.analytics.v1.AccountSegmentChanged';

/**
 * Accounts keep the RFM segment analytics scores them into, so tier rules can use it: one durable
 * consumer of AccountSegmentChanged (analytics' stream CRM_ANALYTICS; until it exists the host
 * retries). Each event is handled once (kit records its id); the change is recorded as analytics'.
 */
export function followAccountSegments(
  nc: NatsConnection,
  db: Connection,
  tiers: AccountTiers,
  logger: Logger,
) {
  return () =>
    consumeEvents(nc, db, logger, {
      stream: 'CRM_ANALYTICS',
      durable: ACCOUNT_SEGMENT_DURABLE,
      filterSubject: ACCOUNT_SEGMENT_CHANGED,
      handle: async (env) => {
        const e = analyticsEvents.AccountSegmentChanged.decode(env.payload);
        const changed = await tiers.applySegment(
          { accountId: e.accountId, segment: e.segment, version: Number(env.aggregateVersion) },
          await eventCaller(env, 'account-segment'),
        );
        if (changed) logger.info({ accountId: e.accountId, segment: e.segment }, 'account segment kept');
      },
    });
}
