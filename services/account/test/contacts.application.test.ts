import { ConflictError, NotFoundError, ValidationError, VersionMismatchError } from '@crm/kit';
import type { ContactInput } from '../src/domain/contact';
import { type AccountApp, accountApp, as, newAccount, newContact, plain } from './support/account-use-cases';

let app: AccountApp;
let accountId: string;
beforeEach(async () => {
  app = await accountApp();
  accountId = (await app.accounts.create(newAccount('Acme'), plain, as('rep1'))).account._id;
});

const add = async (lastName: string, over: Partial<ContactInput> = {}, primary = false) =>
  (await app.contacts.create(accountId, newContact(lastName, over), primary, '', as('rep1'))).contact;

describe('contacts of an account', () => {
  it('the first contact becomes the primary contact; another one may take over', async () => {
    const li = await add('Li', { firstName: 'Wei', title: 'CTO', buyingRole: 'technical-buyer' });
    expect((await app.accounts.get(accountId, as('rep1'))).primaryContact).toEqual({
      id: li._id,
      name: 'Wei Li',
      title: 'CTO',
      buyingRole: 'technical-buyer',
    });
    const ng = await add('Ng', { buyingRole: 'decision-maker' }, true);
    const account = await app.accounts.get(accountId, as('rep1'));
    expect(account.primaryContactId).toBe(ng._id);
    expect((await app.contacts.get(li._id, as('rep1'))).account.primaryContactId).toBe(ng._id);
  });

  it("the primary contact's new title shows on the account", async () => {
    const li = await add('Li', { title: 'CTO' });
    await app.contacts.update(li._id, 1, { title: 'CEO' }, as('rep1'));
    expect((await app.accounts.get(accountId, as('rep1'))).primaryContact?.title).toBe('CEO');
  });

  it('lists the buying committee in key-person order, page by page', async () => {
    await add('Zhou'); // primary
    await add('User', { buyingRole: 'user' });
    await add('Boss', { buyingRole: 'decision-maker' });
    await add('Champ', { buyingRole: 'champion' });
    const page1 = await app.contacts.list(accountId, 2, '', as('rep1'));
    const page2 = await app.contacts.list(accountId, 2, page1.nextCursor, as('rep1'));
    expect([...page1.contacts, ...page2.contacts].map((c) => c.lastName)).toEqual([
      'Zhou',
      'Boss',
      'Champ',
      'User',
    ]);
    expect(page2.nextCursor).toBe('');
  });

  it('validates buying role, email and phone, and formats the phone', async () => {
    const bad = add('Li', { buyingRole: 'boss' as never, email: 'nope', phone: '12' });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    expect(await bad.catch((e: ValidationError) => e.violations.map((v) => v.field).sort())).toEqual([
      'buyingRole',
      'email',
      'phone',
    ]);
    expect(await add('Li', { email: ' Wei.Li@Example.COM ', phone: '(415) 555-2671' })).toMatchObject({
      email: 'wei.li@example.com',
      phone: '+14155552671',
    });
  });

  it('a reporting line stays within the account and never loops', async () => {
    const ceo = await add('Ceo');
    const cto = await add('Cto', { reportsToContactId: ceo._id });
    const dev = await add('Dev', { reportsToContactId: cto._id });
    await expect(
      app.contacts.update(ceo._id, 0, { reportsToContactId: dev._id }, as('rep1')),
    ).rejects.toBeInstanceOf(ConflictError);
    const other = (await app.accounts.create(newAccount('Globex'), plain, as('rep1'))).account._id;
    const outsider = (await app.contacts.create(other, newContact('Out'), false, '', as('rep1'))).contact;
    await expect(
      app.contacts.update(dev._id, 0, { reportsToContactId: outsider._id }, as('rep1')),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('the same creation key creates the contact once', async () => {
    const a = await app.contacts.create(accountId, newContact('Li'), false, 'lead-7', as('rep1'));
    const b = await app.contacts.create(accountId, newContact('Li'), false, 'lead-7', as('rep1'));
    expect(b.contact._id).toBe(a.contact._id);
    expect(app.db.contacts.all()).toHaveLength(1);
  });

  it("a rep does not see another rep's contacts: not found", async () => {
    const li = await add('Li');
    await expect(app.contacts.get(li._id, as('rep2'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.contacts.list(accountId, 50, '', as('rep2'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      app.contacts.create(accountId, newContact('X'), false, '', as('rep2')),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an edit at a stale version is refused (412)', async () => {
    const li = await add('Li');
    await app.contacts.update(li._id, 1, { title: 'CTO' }, as('rep1'));
    await expect(app.contacts.update(li._id, 1, { title: 'CEO' }, as('rep1'))).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
  });

  it('a compensation discards a contact nothing refers to, and the account loses it as primary', async () => {
    const { contact } = await app.contacts.create(accountId, newContact('Li'), false, 'k', as('rep1'));
    expect(await app.contacts.discard(contact._id, 'k', as('rep1'))).toBe(true);
    expect((await app.accounts.get(accountId, as('rep1'))).primaryContactId).toBe('');
    await expect(app.contacts.get(contact._id, as('rep1'))).rejects.toBeInstanceOf(NotFoundError);
    expect(app.db.contacts.subjects()).toEqual(['ContactCreated', 'ContactDiscarded']);
  });

  it('a contact someone reports to is not discarded', async () => {
    const { contact: boss } = await app.contacts.create(
      accountId,
      newContact('Boss'),
      false,
      'k',
      as('rep1'),
    );
    await add('Dev', { reportsToContactId: boss._id });
    await expect(app.contacts.discard(boss._id, 'k', as('rep1'))).rejects.toBeInstanceOf(ConflictError);
  });
});
