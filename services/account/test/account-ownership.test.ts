import type { Logger } from '@crm/kit';
import type { Connection } from 'mongoose';
import { accountPool, accountTransfers, TRANSFER_ENTITIES } from '../src/store/account-ownership';
import type { AccountModels } from '../src/store/account.model';

const models = { Account: { name: 'Account' }, Contact: { name: 'Contact' }, Activity: { name: 'Activity' } };
const m = models as unknown as AccountModels;

describe('accounts in the public pool and in ownership transfers', () => {
  it('the inactivity rule frees prospects and former customers, never customers or merged accounts', () => {
    const pool = accountPool(m, {} as Connection, () => undefined, {} as Logger);
    expect(pool).toMatchObject({ entity: 'account', model: models.Account });
    expect(pool.releasableFilter).toEqual({ lifecycle: { $ne: 'customer' }, live: true });
    expect(pool.nameOf({ name: 'Acme' })).toBe('Acme');
  });

  it('a transfer moves live accounts, their contacts with them, and only open tasks', () => {
    const [accounts, contacts, tasks] = accountTransfers(m);
    expect(accounts).toMatchObject({ entity: 'account', filter: { live: true } });
    expect(contacts).toMatchObject({
      entity: 'contact',
      follows: { parent: models.Account, parentField: 'accountId' },
    });
    expect(tasks).toMatchObject({
      entity: 'task',
      ownerField: 'assigneeId',
      filter: { kind: 'task', done: false },
    });
    // a transfer completes when every type in scope reported: these five by default (open deals too)
    expect(TRANSFER_ENTITIES).toEqual(['lead', 'account', 'contact', 'task', 'opportunity']);
  });
});
