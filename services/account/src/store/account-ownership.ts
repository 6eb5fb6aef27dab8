import type { Logger } from '@crm/kit';
import type { PoolOptions, TransferableEntity } from '@crm/ownership';
import type { Connection } from 'mongoose';
import type { AccountModels } from './account.model';

/** How accounts take part in the public pool. */
export function accountPool(
  m: AccountModels,
  db: Connection,
  kick: (id: string) => void,
  logger: Logger,
): PoolOptions {
  return {
    entity: 'account',
    model: m.Account,
    db,
    nameFields: ['name'],
    nameOf: (d) => String(d.name ?? ''),
    // Customers have an account manager; the inactivity rule frees only prospects and former customers.
    releasableFilter: { lifecycle: { $ne: 'customer' }, live: true },
    kick,
    logger,
  };
}

/**
 * What the account service moves in an ownership transfer (one record at a time, see @crm/ownership):
 * accounts, the contacts that follow them (contacts have no owner of their own), and the open tasks
 * assigned to the leaving user.
 */
export function accountTransfers(m: AccountModels): TransferableEntity[] {
  return [
    { entity: 'account', model: m.Account, filter: { live: true } },
    { entity: 'contact', model: m.Contact, follows: { parent: m.Account, parentField: 'accountId' } },
    { entity: 'task', model: m.Activity, ownerField: 'assigneeId', filter: { kind: 'task', done: false } },
  ];
}

/** Entity types some service moves in a transfer; a service that joins adds its types here. */
export const TRANSFER_ENTITIES = ['lead', 'account', 'contact', 'task', 'opportunity'];
