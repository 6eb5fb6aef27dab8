import { consumeEvents, type Logger, updateEach, updateExclusively } from '@crm/kit';
import { account, accountEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import type { LeadModels } from '../store/lead.model';

const STREAM = 'CRM_ACCOUNT';

/**
 * What the lead service learns from the account service: activity on a lead (for the pool's
 * inactivity rule) and account merges (a converted lead keeps pointing at the surviving account).
 * Every handler is a plain idempotent update, so a redelivered event changes nothing twice.
 */
export function followAccountEvents(nc: NatsConnection, db: Connection, m: LeadModels, logger: Logger) {
  /** Only ever forward: an older activity arriving late does not make the lead look idle. */
  const touch = async (related: { type: string; id: string } | undefined, at: Date | undefined) => {
    if (related?.type !== 'lead' || !related.id) return;
    const when = at ?? new Date();
    await updateExclusively(
      m.Lead,
      related.id,
      { $set: { lastActivityAt: when } },
      {
        $or: [{ lastActivityAt: null }, { lastActivityAt: { $lt: when } }],
      },
    );
  };
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
          await touch(e.relatedTo, e.occurredAt ?? env.occurredAt);
        },
      }),
    () =>
      consumeEvents(nc, db, logger, {
        stream: STREAM,
        durable: 'lead-task-completed',
        filterSubject: 'crm.account.v1.TaskCompleted',
        handle: async (env) => {
          const e = accountEvents.TaskCompleted.decode(env.payload);
          await touch(e.relatedTo, e.completedAt ?? env.occurredAt);
        },
      }),
    () =>
      consumeEvents(nc, db, logger, {
        stream: STREAM,
        durable: 'lead-accounts-merged',
        filterSubject: 'crm.account.v1.AccountsMerged',
        handle: async (env) => {
          const e = accountEvents.AccountsMerged.decode(env.payload);
          await updateEach(
            m.Lead,
            { 'conversion.accountId': e.mergedId },
            { $set: { 'conversion.accountId': e.survivorId } },
          );
        },
      }),
  ];
}
