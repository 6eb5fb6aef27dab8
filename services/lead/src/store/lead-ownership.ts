import type { Actor, Logger } from '@crm/kit';
import type { PoolOptions, TransferableEntity } from '@crm/ownership';
import type { Connection } from 'mongoose';
import type { LeadStatus } from '../domain/lead';
import type { LeadModels } from './lead.model';

/** A lead's assignment history records every change of hands, pool moves included. */
const history = (ownerId: string, queue: string, by: Actor, reason: string, at: Date) => ({
  assignments: { ownerId, teamId: '', queue, assignedBy: by.userId, reason, ruleId: '', at },
});

export const POOL_QUEUE = 'pool';

/** How leads take part in the public pool. */
export function leadPool(
  m: LeadModels,
  db: Connection,
  kick: (id: string) => void,
  logger: Logger,
): PoolOptions {
  return {
    entity: 'lead',
    model: m.Lead,
    db,
    nameFields: ['firstName', 'lastName', 'company'],
    nameOf: (d) => `${[d.firstName, d.lastName].filter(Boolean).join(' ')} (${String(d.company ?? '')})`,
    // Only leads someone could still work on go back to the pool on inactivity.
    releasableFilter: { status: { $in: ['new', 'working', 'nurturing', 'qualified'] } },
    onRelease: (actor, reason, at) => ({
      set: { queue: POOL_QUEUE },
      push: history('', POOL_QUEUE, actor, `released to the pool: ${reason}`, at),
    }),
    onClaim: (actor, at) => ({
      set: { queue: '' },
      push: history(actor.userId, '', actor, 'claimed from the pool', at),
    }),
    kick,
    logger,
  };
}

/** How leads move in an ownership transfer: open ones only; converted leads keep their history. */
export function leadTransfer(m: LeadModels, open: LeadStatus[]): TransferableEntity {
  return {
    entity: 'lead',
    model: m.Lead,
    filter: { status: { $in: [...open, 'qualified'] } },
    push: (t, actor, at) => history(t.toUserId, '', actor, `ownership transfer ${t.transferId}`, at),
  };
}
