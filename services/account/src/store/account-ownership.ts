import type { Logger } from '@crm/kit';
import type { PoolOptions, TransferableEntity, TransferRequest } from '@crm/ownership';
import type { Connection } from 'mongoose';
import type { AccountOwnership, MovableAccounts } from '../application/account-ownership';
import type { AccountEvents } from '../events/account-events';
import type { AccountDoc, AccountModels } from './account.model';

/** How accounts take part in the public pool; each claim and release also says who holds it now. */
export function accountPool(
  m: AccountModels,
  db: Connection,
  kick: (id: string) => void,
  logger: Logger,
  events: AccountEvents,
): PoolOptions {
  return {
    entity: 'account',
    model: m.Account,
    db,
    nameFields: ['name'],
    nameOf: (d) => String(d.name ?? ''),
    // Customers have an account manager; the inactivity rule frees only prospects and former customers.
    releasableFilter: { lifecycle: { $ne: 'customer' }, live: true },
    ownerChangeEvents: (next, c) => [
      events.ownerChanged(
        next,
        {
          previousOwnerId: next.previousOwnerId,
          reason: next.kind === 'claim' ? 'pool-claim' : 'pool-release',
        },
        c.actor,
        c.requestId,
      ),
    ],
    kick,
    logger,
  };
}

/** The accounts a transfer moves, read from this service's database. */
export function movableAccounts(m: AccountModels): MovableAccounts {
  return {
    async toMove(t: TransferRequest) {
      const teams = t.withinTeams ? { teamId: { $in: t.withinTeams } } : {};
      return m.Account.find({ live: true, ...teams, ownerId: t.fromUserId }, { outbox: 0 }).lean<
        AccountDoc[]
      >();
    },
    countMoved: (transferId: string) => m.Account.countDocuments({ 'transfer.id': transferId }),
  };
}

/**
 * What the account service moves in an ownership transfer (see @crm/ownership): accounts one by one,
 * each with its AccountOwnerChanged (AccountOwnership); the contacts that follow them (contacts have no
 * owner of their own), and the open tasks assigned to the leaving user.
 */
export function accountTransfers(m: AccountModels, ownership: AccountOwnership): TransferableEntity[] {
  return [
    {
      entity: 'account',
      model: m.Account,
      move: (t, actor, at) => ownership.moveForTransfer(t, actor, at),
    },
    { entity: 'contact', model: m.Contact, follows: { parent: m.Account, parentField: 'accountId' } },
    { entity: 'task', model: m.Activity, ownerField: 'assigneeId', filter: { kind: 'task', done: false } },
  ];
}

/** Entity types some service moves in a transfer; a service that joins adds its types here. */
export const TRANSFER_ENTITIES = ['lead', 'account', 'contact', 'task', 'opportunity'];
