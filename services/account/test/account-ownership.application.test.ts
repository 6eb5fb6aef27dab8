import type { Logger } from '@crm/kit';
import type { PoolOwnerChange, TransferRequest } from '@crm/ownership';
import { accountEvents, event } from '@crm/proto';
import { AccountOwnership, type MovableAccounts } from '../src/application/account-ownership';
import type { Caller } from '../src/application/ports';
import { accountPool } from '../src/store/account-ownership';
import type { AccountModels } from '../src/store/account.model';
import type { Connection } from 'mongoose';
import { type AccountApp, accountApp, as, newAccount, plain, users } from './support/account-use-cases';

let app: AccountApp;
let ownership: AccountOwnership;
beforeEach(async () => {
  app = await accountApp();
  // What store/account-ownership.ts asks the database, over the in-memory accounts.
  const movable: MovableAccounts = {
    toMove: async (t) =>
      app.db.accounts
        .all()
        .filter(
          (a) => a.live && a.ownerId === t.fromUserId && (!t.withinTeams || t.withinTeams.includes(a.teamId)),
        ),
    countMoved: async (id) => app.db.accounts.all().filter((a) => a.transfer?.id === id).length,
  };
  ownership = new AccountOwnership(
    { accounts: app.accountRepository, written: (kind, id) => void app.written.push({ kind, id }) },
    app.accounts.changes,
    movable,
  );
});

const create = async (name: string, ownerId: string, teamId: string) =>
  (await app.accounts.create(newAccount(name, { ownerId, teamId }), plain, as('admin'))).account;

const ownerChanges = () =>
  app.db.accounts.events
    .filter((e) => e.subject === 'crm.account.v1.AccountOwnerChanged')
    .map((e) => {
      const envelope = event.EventEnvelope.decode(e.data);
      return { actor: envelope.actor?.userId, ...accountEvents.AccountOwnerChanged.decode(envelope.payload) };
    });

const transfer = (over: Partial<TransferRequest> = {}): TransferRequest => ({
  transferId: 't-1',
  fromUserId: users.rep1.userId,
  toUserId: users.rep2.userId,
  toTeamId: 'team-west',
  ...over,
});

describe('accounts in an ownership transfer', () => {
  it("moves each of the leaver's accounts with its own AccountOwnerChanged naming the transfer, and leaves others", async () => {
    const acme = await create('Acme', users.rep1.userId, 'team-east');
    const globex = await create('Globex', users.rep1.userId, 'team-east');
    const other = await create('Initech', users.manager.userId, 'team-east');

    expect(await ownership.moveForTransfer(transfer(), users.admin)).toBe(2);

    for (const id of [acme._id, globex._id])
      expect(app.db.accounts.get(id)).toMatchObject({
        ownerId: users.rep2.userId,
        teamId: 'team-west',
        updatedBy: users.admin.userId,
        transfer: { id: 't-1', fromUserId: users.rep1.userId, by: users.admin.userId },
      });
    expect(app.db.accounts.get(other._id)?.ownerId).toBe(users.manager.userId);
    expect(ownerChanges()).toEqual(
      [acme._id, globex._id].map((accountId) =>
        expect.objectContaining({
          accountId,
          previousOwnerId: users.rep1.userId,
          newOwnerId: users.rep2.userId,
          teamId: 'team-west',
          transferId: 't-1',
          reason: 'transfer',
          actor: users.admin.userId,
        }),
      ),
    );
  });

  it('a redelivered request moves nothing twice and reports the same count', async () => {
    await create('Acme', users.rep1.userId, 'team-east');
    expect(await ownership.moveForTransfer(transfer(), users.admin)).toBe(1);
    expect(await ownership.moveForTransfer(transfer(), users.admin)).toBe(1);
    expect(ownerChanges()).toHaveLength(1);
  });

  it("a manager's transfer moves only accounts of the named teams; without a team the account keeps its own", async () => {
    const east = await create('Acme', users.rep1.userId, 'team-east');
    const west = await create('Globex', users.rep1.userId, 'team-west');
    await ownership.moveForTransfer(transfer({ toTeamId: '', withinTeams: ['team-east'] }), users.manager);
    expect(app.db.accounts.get(east._id)).toMatchObject({ ownerId: users.rep2.userId, teamId: 'team-east' });
    expect(app.db.accounts.get(west._id)?.ownerId).toBe(users.rep1.userId);
    expect(ownerChanges().map((e) => e.accountId)).toEqual([east._id]);
  });

  it('an account reassigned between the lookup and its move stays with its new owner', async () => {
    const acme = await create('Acme', users.rep1.userId, 'team-east');
    const movable: MovableAccounts = {
      // The list was read before a manager gave the account to someone else.
      toMove: async () => {
        const before = app.db.accounts.all();
        await app.accounts.update(acme._id, 0, { ownerId: users.manager.userId }, as('admin'));
        return before;
      },
      countMoved: async () => 0,
    };
    const racing = new AccountOwnership(
      { accounts: app.accountRepository, written: () => undefined },
      app.accounts.changes,
      movable,
    );
    await racing.moveForTransfer(transfer(), users.admin);
    expect(app.db.accounts.get(acme._id)?.ownerId).toBe(users.manager.userId);
    expect(ownerChanges().map((e) => e.reason)).toEqual(['reassigned']);
  });
});

describe('accounts claimed from and released to the pool', () => {
  it('a claim and a release each write AccountOwnerChanged, as whoever did it', () => {
    const pool = accountPool(
      {} as AccountModels,
      {} as Connection,
      () => undefined,
      {} as Logger,
      app.accounts.changes.events,
    );
    const decode = (c: Caller, next: PoolOwnerChange) => {
      const [entry, ...more] = pool.ownerChangeEvents!(next, c);
      expect(more).toEqual([]);
      const envelope = event.EventEnvelope.decode(entry!.data);
      expect(envelope).toMatchObject({ aggregateId: next._id, aggregateVersion: String(next.version) });
      return { actor: envelope.actor?.userId, ...accountEvents.AccountOwnerChanged.decode(envelope.payload) };
    };
    const base = { _id: 'a-1', teamId: 'team-west' };
    expect(
      decode(as('rep2'), {
        ...base,
        version: 3,
        ownerId: users.rep2.userId,
        previousOwnerId: '',
        kind: 'claim',
      }),
    ).toEqual({
      actor: users.rep2.userId,
      accountId: 'a-1',
      previousOwnerId: '',
      newOwnerId: users.rep2.userId,
      teamId: 'team-west',
      transferId: '',
      reason: 'pool-claim',
    });
    expect(
      decode(as('rep2'), {
        ...base,
        version: 4,
        ownerId: '',
        previousOwnerId: users.rep2.userId,
        kind: 'release',
      }),
    ).toMatchObject({ previousOwnerId: users.rep2.userId, newOwnerId: '', reason: 'pool-release' });
  });
});
