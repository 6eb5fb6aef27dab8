import {
  ConflictError,
  DuplicateError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  VersionMismatchError,
} from '@crm/kit';
import { accountEvents, event } from '@crm/proto';
import {
  type AccountApp,
  accountApp,
  as,
  newAccount,
  newContact,
  plain,
  users,
  listQuery,
} from './support/account-use-cases';

let app: AccountApp;
beforeEach(async () => {
  app = await accountApp();
});

const create = async (who: Parameters<typeof as>[0], name: string, over = {}, opts = plain) =>
  (await app.accounts.create(newAccount(name, over), opts, as(who))).account;

describe('who works accounts', () => {
  it('refuses roles that do not work accounts (support, approvers), whoever calls: not only the gateway', async () => {
    const a = await create('rep1', 'Acme', { website: 'https://www.acme.com' });
    const c = await app.contacts.create(a._id, newContact('Li'), false, '', as('rep1'));
    for (const who of ['agent', 'approver'] as const) {
      await expect(create(who, 'Other')).rejects.toBeInstanceOf(ForbiddenError);
      await expect(app.accounts.get(a._id, as(who))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(app.accounts.list(listQuery(), as(who))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(app.accounts.update(a._id, 1, { industry: 'x' }, as(who))).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(app.contacts.get(c.contact._id, as(who))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(app.contacts.create(a._id, newContact('Wu'), false, '', as(who))).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(app.tiers.rules(as(who))).rejects.toBeInstanceOf(ForbiddenError);
    }
  });

  it('serves the services that hold account.use: a resumed conversion, a ticket checking its account', async () => {
    const a = await create('rep1', 'Acme', { website: 'https://www.acme.com' });
    await expect(app.accounts.get(a._id, as('leadService'))).resolves.toMatchObject({ _id: a._id });
    await expect(app.accounts.get(a._id, as('ticketService'))).resolves.toMatchObject({ _id: a._id });
  });
});

describe('creating accounts', () => {
  it('a rep owns what they create, in their team, and the creation is recorded as theirs', async () => {
    const a = await create('rep1', 'Acme', { website: 'https://www.acme.com/about' });
    expect(a).toMatchObject({ ownerId: users.rep1.userId, teamId: 'team-east', domain: 'acme.com' });
    expect(a).toMatchObject({ createdBy: users.rep1.userId, updatedBy: users.rep1.userId, version: 1 });
    expect(app.db.accounts.subjects()).toEqual(['AccountCreated']);
    expect(app.written).toEqual([{ kind: 'account', id: a._id }]);
  });

  it('a rep may not name another owner or another team', async () => {
    await expect(create('rep1', 'Acme', { ownerId: users.rep2.userId })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(create('rep1', 'Acme', { teamId: 'team-west' })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await create('manager', 'Acme', { ownerId: users.rep2.userId })).toMatchObject({
      ownerId: users.rep2.userId,
    });
  });

  it('finds a duplicate by website domain and by folded name, naming the existing account', async () => {
    const acme = await create('rep1', 'Acme', { website: 'acme.com' });
    const byDomain = create('rep1', 'Totally Different', { website: 'http://ACME.com' });
    await expect(byDomain).rejects.toBeInstanceOf(DuplicateError);
    await expect(byDomain).rejects.toMatchObject({
      metadata: { existing_account_id: acme._id, matched_on: 'domain' },
    });
    await expect(create('manager', 'ACME, Inc.')).rejects.toMatchObject({
      metadata: { existing_account_id: acme._id, matched_on: 'name' },
    });
    expect(app.db.accounts.all()).toHaveLength(1);
  });

  it("another rep's account is not named by the duplicate answer: its owner is, to ask for access", async () => {
    const acme = await create('rep1', 'Acme', { website: 'acme.com' });
    const err = await create('rep2', 'ACME, Inc.').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateError);
    expect((err as DuplicateError).metadata).toEqual({
      existing_owner_id: users.rep1.userId,
      existing_team_id: 'team-east',
      matched_on: 'name',
    });
    expect((err as Error).message).toContain(
      `ask its owner (${users.rep1.userId}) or a manager of team team-east`,
    );
    expect((err as Error).message).not.toContain(acme._id);
  });

  it('links to a duplicate the caller may see; only a manager forces a duplicate', async () => {
    const acme = await create('rep1', 'Acme');
    const linked = await app.accounts.create(
      newAccount('Acme'),
      { ...plain, linkDuplicate: true },
      as('rep1'),
    );
    expect(linked).toEqual({ account: expect.objectContaining({ _id: acme._id }), created: false });
    // rep2 may not see rep1's account: no link, the duplicate is reported instead
    await expect(
      app.accounts.create(newAccount('Acme'), { ...plain, linkDuplicate: true }, as('rep2')),
    ).rejects.toBeInstanceOf(DuplicateError);
    const force = { ...plain, allowDuplicate: true };
    await expect(app.accounts.create(newAccount('Acme'), force, as('rep1'))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const second = await app.accounts.create(newAccount('Acme'), force, as('manager'));
    expect(second.account._id).not.toBe(acme._id);
    // the original stays the one a duplicate check finds
    await expect(create('rep1', 'Acme')).rejects.toMatchObject({
      metadata: { existing_account_id: acme._id },
    });
  });

  it('the same creation key gives the same account once, and again after a compensation', async () => {
    const opts = { ...plain, creationKey: 'lead-42' };
    const first = await app.accounts.create(newAccount('Acme'), opts, as('rep1'));
    const again = await app.accounts.create(newAccount('Acme'), opts, as('rep1'));
    expect(again.account._id).toBe(first.account._id);
    expect(app.db.accounts.all()).toHaveLength(1);
    expect(await app.accounts.discard(first.account._id, 'lead-42', as('rep1'))).toBe(true);
    const revived = await app.accounts.create(newAccount('Acme'), opts, as('rep1'));
    expect(revived).toMatchObject({ created: true, account: { _id: first.account._id, live: true } });
    expect(app.db.accounts.subjects()).toEqual(['AccountCreated', 'AccountDiscarded', 'AccountCreated']);
  });

  it('reports every invalid field at once', async () => {
    const bad = create('rep1', '', { website: 'not a domain', size: -1 });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    const fields = await bad.catch((e: ValidationError) => e.violations.map((v) => v.field).sort());
    expect(fields).toEqual(['name', 'size', 'website']);
  });
});

describe('the account hierarchy', () => {
  it('a parent the caller cannot see answers exactly like an unknown one', async () => {
    const theirs = await create('rep1', 'Group');
    const unknown = await create('rep2', 'Child', { parentAccountId: 'nope' }).catch((e: unknown) => e);
    const invisible = await create('rep2', 'Child', { parentAccountId: theirs._id }).catch((e: unknown) => e);
    expect(invisible).toBeInstanceOf(ValidationError);
    expect((invisible as ValidationError).violations).toEqual((unknown as ValidationError).violations);
    const mine = await create('rep2', 'Child');
    await expect(
      app.accounts.update(mine._id, 0, { parentAccountId: theirs._id }, as('rep2')),
    ).rejects.toEqual(unknown);
    expect(await create('manager', 'Unit', { parentAccountId: theirs._id })).toMatchObject({
      parentAccountId: theirs._id,
    });
  });

  it('a parent must exist, and no account may end up above itself', async () => {
    await expect(create('rep1', 'Child', { parentAccountId: 'nope' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const group = await create('rep1', 'Group');
    const sub = await create('rep1', 'Subsidiary', { parentAccountId: group._id });
    const unit = await create('rep1', 'Unit', { parentAccountId: sub._id });
    const update = app.accounts.update(group._id, 0, { parentAccountId: unit._id }, as('rep1'));
    await expect(update).rejects.toBeInstanceOf(ConflictError);
    await expect(
      app.accounts.update(group._id, 0, { parentAccountId: group._id }, as('rep1')),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('reading accounts', () => {
  it("a rep does not see another rep's account: not found; their manager does", async () => {
    const a = await create('rep1', 'Acme');
    await expect(app.accounts.get(a._id, as('rep2'))).rejects.toBeInstanceOf(NotFoundError);
    expect((await app.accounts.get(a._id, as('manager')))._id).toBe(a._id);
    const list = await app.accounts.list(query(), as('rep2'));
    expect(list.accounts).toEqual([]);
  });

  it('filters and pages through a list with cursors', async () => {
    for (const n of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'])
      await create('rep1', n, { industry: n < 'D' ? 'Energy' : 'Retail' });
    const page1 = await app.accounts.list(query({ sort: 'name', limit: 2 }), as('rep1'));
    expect(page1.accounts.map((a) => a.name)).toEqual(['Alpha', 'Bravo']);
    const page2 = await app.accounts.list(
      query({ sort: 'name', limit: 2, cursor: page1.nextCursor }),
      as('rep1'),
    );
    expect(page2.accounts.map((a) => a.name)).toEqual(['Charlie', 'Delta']);
    const energy = await app.accounts.list(query({ industry: ' ENERGY ', sort: '-name' }), as('rep1'));
    expect(energy.accounts.map((a) => a.name)).toEqual(['Charlie', 'Bravo', 'Alpha']);
    const search = await app.accounts.list(query({ query: 'ALP' }), as('rep1'));
    expect(search.accounts.map((a) => a.name)).toEqual(['Alpha']);
  });

  it('an unknown sort or a made-up cursor is invalid input', async () => {
    await expect(app.accounts.list(query({ sort: 'tier' }), as('rep1'))).rejects.toBeInstanceOf(
      ValidationError,
    );
    const forged = Buffer.from(JSON.stringify(['not a date', 'x'])).toString('base64url');
    await expect(
      app.accounts.list(query({ sort: '-createdAt', cursor: forged }), as('rep1')),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('changing accounts', () => {
  it('an edit at a stale version is refused (412) and one at the current version lands', async () => {
    const a = await create('rep1', 'Acme');
    const next = await app.accounts.update(a._id, 1, { industry: 'Energy' }, as('rep1'));
    expect(next).toMatchObject({ version: 2, industry: 'energy', updatedBy: users.rep1.userId });
    await expect(app.accounts.update(a._id, 1, { region: 'emea' }, as('rep1'))).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
    expect(app.db.accounts.subjects()).toEqual(['AccountCreated', 'AccountUpdated']);
  });

  it('only a manager or an admin reassigns; a rep cannot edit what they cannot see', async () => {
    const a = await create('rep1', 'Acme');
    await expect(
      app.accounts.update(a._id, 0, { ownerId: users.rep2.userId }, as('rep1')),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(app.accounts.update(a._id, 0, { name: 'X' }, as('rep2'))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const moved = await app.accounts.update(a._id, 0, { ownerId: users.rep2.userId }, as('manager'));
    expect(moved.ownerId).toBe(users.rep2.userId);
    // The event names the previous owner, so the account's open deals of rep1 can follow it.
    expect(app.db.accounts.subjects()).toEqual(['AccountCreated', 'AccountUpdated', 'AccountOwnerChanged']);
    const [updated, ownerChanged] = app.db.accounts.events
      .slice(-2)
      .map((e) => event.EventEnvelope.decode(e.data));
    expect(accountEvents.AccountUpdated.decode(updated!.payload)).toMatchObject({
      changedFields: ['owner_id'],
      previousOwnerId: users.rep1.userId,
    });
    // And the change of hands on its own, for services whose records follow the owner (tickets).
    expect(accountEvents.AccountOwnerChanged.decode(ownerChanged!.payload)).toEqual({
      accountId: a._id,
      previousOwnerId: users.rep1.userId,
      newOwnerId: users.rep2.userId,
      teamId: 'team-east',
      transferId: '',
      reason: 'reassigned',
    });
    expect(ownerChanged!.actor?.userId).toBe(users.manager.userId);
  });

  it('an edit that keeps the owner writes no AccountOwnerChanged', async () => {
    const a = await create('rep1', 'Acme');
    await app.accounts.update(a._id, 0, { industry: 'Energy', ownerId: users.rep1.userId }, as('manager'));
    expect(app.db.accounts.subjects()).toEqual(['AccountCreated', 'AccountUpdated']);
  });

  it('a manager moves accounts only within their own teams, as leads; an admin anywhere', async () => {
    const a = await create('rep1', 'Acme');
    await expect(
      app.accounts.update(a._id, 0, { teamId: 'support', ownerId: 'u-agent' }, as('manager')),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(app.accounts.update(a._id, 0, { teamId: '' }, as('manager'))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const west = await create('admin', 'Globex', { ownerId: users.rep2.userId, teamId: 'team-west' });
    await expect(
      app.accounts.update(west._id, 0, { teamId: 'team-east' }, as('manager')),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await app.accounts.get(a._id, as('admin'))).teamId).toBe('team-east');
    const moved = await app.accounts.update(a._id, 0, { teamId: 'support', ownerId: 'u-agent' }, as('admin'));
    expect(moved).toMatchObject({ teamId: 'support', ownerId: 'u-agent', updatedBy: users.admin.userId });
  });

  it("renaming onto another account's name is a duplicate; the old name is free again", async () => {
    const acme = await create('rep1', 'Acme');
    const globex = await create('rep1', 'Globex');
    await expect(app.accounts.update(globex._id, 0, { name: 'ACME' }, as('rep1'))).rejects.toMatchObject({
      metadata: { existing_account_id: acme._id },
    });
    await app.accounts.update(globex._id, 0, { name: 'Initech' }, as('rep1'));
    expect((await create('rep1', 'Globex')).name).toBe('Globex');
  });

  it('lifecycle moves between prospect, customer and former customer', async () => {
    const a = await create('rep1', 'Acme');
    expect((await app.accounts.update(a._id, 0, { lifecycle: 'customer' }, as('rep1'))).lifecycle).toBe(
      'customer',
    );
    await expect(
      app.accounts.update(a._id, 0, { lifecycle: 'partner' as never }, as('rep1')),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('discarding an account (compensation of a conversion)', () => {
  it('refuses once a contact was added, and needs the creation key it was made with', async () => {
    const { account } = await app.accounts.create(
      newAccount('Acme'),
      { ...plain, creationKey: 'k1' },
      as('rep1'),
    );
    await expect(app.accounts.discard(account._id, 'other', as('rep1'))).rejects.toBeInstanceOf(
      ConflictError,
    );
    await app.contacts.create(account._id, newContact('Li'), false, '', as('rep1'));
    await expect(app.accounts.discard(account._id, 'k1', as('rep1'))).rejects.toBeInstanceOf(ConflictError);
  });
});

const query = listQuery;
