import { consumeEvents, followAccountMerges, type Logger } from '@crm/kit';
import { account, accountEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import type { LeadActivity } from '../application/lead-activity';

const STREAM = 'CRM_ACCOUNT';

/**
 * What the lead service learns from the account service: activity on a lead (for the pool's
 * inactivity rule) and account merges (a converted lead keeps pointing at the surviving account).
 * Every handler is idempotent, so a redelivered event changes nothing twice.
 */
export function followAccountEvents(
  nc: NatsConnection,
  db: Connection,
  activity: LeadActivity,
  logger: Logger,
) {
  return [
    () =>
      consumeEvents(nc, db, logger, {
        stream: STREAM,
        durable: 'lead-activity-logged',
        filterSubject: 'crm.account.v1.ActivityLogged',
        handle: async (env) => {
          const e = accountEvents.ActivityLogged.decode(env.payload);
          // A task counts as activity when it is done (TaskCompleted), not when it is planned.
          if (e.kind === account.ActivityKind.ACTIVITY_KIND_TASK) return;
          await activity.logged(e.relatedTo, e.occurredAt ?? env.occurredAt ?? new Date());
        },
      }),
    () =>
      consumeEvents(nc, db, logger, {
        stream: STREAM,
        durable: 'lead-task-completed',
        filterSubject: 'crm.account.v1.TaskCompleted',
        handle: async (env) => {
          const e = accountEvents.TaskCompleted.decode(env.payload);
          await activity.logged(e.relatedTo, e.completedAt ?? env.occurredAt ?? new Date());
        },
      }),
    followAccountMerges(nc, db, logger, {
      durable: 'lead-accounts-merged',
      records: 'converted leads',
      follow: (merged, survivor) => activity.accountsMerged(merged, survivor),
    }),
  ];
}
