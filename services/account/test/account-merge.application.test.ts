import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@crm/kit';
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

async function twoAccountsOfOneCompany() {
  const survivor = (await app.accounts.create(newAccount('Acme', { website: 'acme.com' }), plain, as('rep1')))
    .account;
  const merged = (
    await app.accounts.create(newAccount('Acme Europe', { website: 'acme.eu' }), plain, as('rep1'))
  ).account;
  const { contact } = await app.contacts.create(merged._id, newContact('Li'), false, '', as('rep1'));
  const call = await app.activities.create(
    {
      kind: 'call',
      relatedTo: { type: 'account', id: merged._id },
      subject: 'Intro call',
      description: '',
      priority: '',
      assigneeId: '',
      participantContactIds: [contact._id],
      outcome: '',
      nextStep: '',
    },
    as('rep1'),
  );
  const child = (
    await app.accounts.create(newAccount('Acme Plant', { parentAccountId: merged._id }), plain, as('rep1'))
  ).account;
  return { survivor, merged, contact, call, child };
}

describe('merging accounts', () => {
  it('contacts, activities and child accounts move to the survivor; the merged id redirects', async () => {
    const { survivor, merged, contact, call, child } = await twoAccountsOfOneCompany();
    const after = await app.merge.merge(survivor._id, merged._id, as('manager'));
    expect(after._id).toBe(survivor._id);
    expect((await app.accounts.get(merged._id, as('rep1')))._id).toBe(survivor._id);
    expect((await app.contacts.get(contact._id, as('rep1'))).contact).toMatchObject({
      accountId: survivor._id,
      updatedBy: users.manager.userId,
    });
    expect(await app.activities.get(call._id, as('rep1'))).toMatchObject({
      accountId: survivor._id,
      relatedTo: { type: 'account', id: survivor._id },
    });
    expect((await app.accounts.get(child._id, as('rep1'))).parentAccountId).toBe(survivor._id);
    // the merged account's only contact becomes the survivor's primary contact
    expect(after.primaryContactId).toBe(contact._id);
    expect(app.db.accounts.subjects()).toContain('AccountsMerged');
    const list = await app.accounts.list(listQuery(), as('rep1'));
    expect(list.accounts.map((a) => a.name)).toEqual(['Acme', 'Acme Plant']);
  });

  it("the survivor takes over the merged account's domain for duplicate detection", async () => {
    const { survivor, merged } = await twoAccountsOfOneCompany();
    await app.merge.merge(survivor._id, merged._id, as('manager'));
    await expect(
      app.accounts.create(newAccount('New', { website: 'www.acme.eu' }), plain, as('rep1')),
    ).rejects.toMatchObject({ metadata: { existing_account_id: survivor._id, matched_on: 'domain' } });
  });

  it('repeating a merge finishes it and changes nothing more', async () => {
    const { survivor, merged } = await twoAccountsOfOneCompany();
    await app.merge.merge(survivor._id, merged._id, as('manager'));
    const events = app.db.accounts.events.length;
    await app.merge.merge(survivor._id, merged._id, as('manager'));
    expect(app.db.accounts.events.length).toBe(events);
  });

  it('an account is not merged into itself, nor by a rep, nor into a merged account', async () => {
    const { survivor, merged } = await twoAccountsOfOneCompany();
    await expect(app.merge.merge(survivor._id, survivor._id, as('manager'))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(app.merge.merge(survivor._id, merged._id, as('rep1'))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await app.merge.merge(survivor._id, merged._id, as('manager'));
    await expect(app.merge.merge(merged._id, survivor._id, as('manager'))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('a manager of another team cannot merge accounts they cannot see: not found', async () => {
    const { survivor } = await twoAccountsOfOneCompany();
    const west = (await app.accounts.create(newAccount('Westco'), plain, as('rep2'))).account;
    await expect(app.merge.merge(survivor._id, west._id, as('manager'))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
