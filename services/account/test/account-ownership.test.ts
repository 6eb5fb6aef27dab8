import type { Logger } from '@crm/kit';
import type { Connection } from 'mongoose';
import type { AccountOwnership } from '../src/application/account-ownership';
import type { AccountEvents } from '../src/events/account-events';
import { accountPool, accountTransfers, TRANSFER_ENTITIES } from '../src/store/account-ownership';
import type { AccountModels } from '../src/store/account.model';

const models = { Account: { name: 'Account' }, Contact: { name: 'Contact' }, Activity: { name: 'Activity' } };
const m = models as unknown as AccountModels;

describe('accounts in the public pool and in ownership transfers', () => {
  it('the inactivity rule frees prospects and former customers, never customers or merged accounts', () => {
    const pool = accountPool(m, {} as Connection, () => undefined, {} as Logger, {} as AccountEvents);
    expect(pool).toMatchObject({ entity: 'account', model: models.Account });
    expect(pool.releasableFilter).toEqual({ lifecycle: { $ne: 'customer' }, live: true });
    expect(pool.nameOf({ name: 'Acme' })).toBe('Acme');
  });

  it('a transfer moves accounts one by one (each with its event), their contacts with them, and only open tasks', async () => {
    const moveForTransfer = jest.fn(async () => 3);
    const [accounts, contacts, tasks] = accountTransfers(m, {
      moveForTransfer,
    } as unknown as AccountOwnership);
    expect(accounts).toMatchObject({ entity: 'account', model: models.Account });
    const t = { transferId: 't-1', fromUserId: 'a', toUserId: 'b', toTeamId: '' };
    const actor = { userId: 'u-admin', username: 'admin', roles: ['crm-admin'], teams: [] };
    const at = new Date();
    expect(await accounts!.move!(t, actor, at)).toBe(3);
    expect(moveForTransfer).toHaveBeenCalledWith(t, actor, at);
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
