import { Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, RichClientError } from 'nice-grpc-error-details';
import { account as pb } from '@crm/proto';
import { jsonHeaders, json, auth, startApp, type Harness } from './helpers';

const PROBLEM = /^application\/problem\+json/;

const sampleAccount = (over: Partial<pb.Account> = {}) =>
  pb.Account.fromPartial({
    id: 'A1',
    version: '3',
    name: 'Sinopec',
    domain: 'sinopec.com',
    lifecycle: pb.AccountLifecycle.ACCOUNT_LIFECYCLE_CUSTOMER,
    tier: pb.AccountTier.ACCOUNT_TIER_A,
    computedTier: pb.AccountTier.ACCOUNT_TIER_A,
    ownerId: 'u-rep',
    primaryContactId: 'C1',
    primaryContact: { id: 'C1', name: 'Wei Li', title: 'CFO', buyingRole: 'economic-buyer' },
    created: { actorId: 'u-rep', at: new Date('2026-01-01T00:00:00Z') },
    updated: { actorId: 'u-rep', at: new Date('2026-01-01T00:00:00Z') },
    ...over,
  });

function fakeAccountClient() {
  return {
    getAccount: jest.fn(async () => sampleAccount()),
    createAccount: jest.fn(),
    listContacts: jest.fn(async () => ({
      contacts: [
        pb.Contact.fromPartial({ id: 'C1', version: '1', accountId: 'A1', lastName: 'Li', primary: true }),
      ],
      page: { nextCursor: '' },
    })),
    listActivities: jest.fn(async () => ({ activities: [], page: { nextCursor: '' } })),
    mergeAccounts: jest.fn(),
    createContact: jest.fn(),
    listAccounts: jest.fn(async () => ({ accounts: [sampleAccount()], page: { nextCursor: '' } })),
    updateAccount: jest.fn(),
    updateContact: jest.fn(),
  };
}

let h: Harness;
let account: ReturnType<typeof fakeAccountClient>;
beforeEach(async () => {
  account = fakeAccountClient();
  h = await startApp({ account, overviewPartTimeoutMs: 100 });
});
afterEach(async () => {
  await h.close();
});

describe('accounts through the gateway', () => {
  it('answers GET with the account, its ETag and the key person at a glance', async () => {
    const res = await fetch(`${h.url}/api/v1/accounts/A1`, { headers: auth('rep') });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"3"');
    const body = await json(res);
    expect(body).toMatchObject({
      id: 'A1',
      tier: 'A',
      lifecycle: 'customer',
      primaryContact: { name: 'Wei Li' },
    });
  });

  it('redirects a merged id to its survivor with 308', async () => {
    account.getAccount.mockResolvedValueOnce(sampleAccount({ id: 'A2' }));
    const res = await fetch(`${h.url}/api/v1/accounts/A1`, { headers: auth('rep'), redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/api/v1/accounts/A2');
  });

  it('maps a duplicate to 409 with existingAccountId', async () => {
    account.createAccount.mockRejectedValueOnce(
      new RichClientError('/crm.account.v1.AccountService/CreateAccount', Status.ALREADY_EXISTS, 'dup', [
        ErrorInfo.fromPartial({ reason: 'DUPLICATE_ACCOUNT', metadata: { existing_account_id: 'A9' } }),
      ]),
    );
    const res = await fetch(`${h.url}/api/v1/accounts`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ name: 'Sinopec', website: 'sinopec.com' }),
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect((await json(res)).existingAccountId).toBe('A9');
  });

  it('rejects operator injection in the body and in the query with 400', async () => {
    const body = await fetch(`${h.url}/api/v1/accounts`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: '{"name":{"$gt":""}}',
    });
    expect(body.status).toBe(400);
    const query = await fetch(`${h.url}/api/v1/accounts?industry[$gt]=`, { headers: auth('rep') });
    expect(query.status).toBe(400);
    const custom = await fetch(`${h.url}/api/v1/accounts`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ name: 'X', customFields: { $where: '1' } }),
    });
    expect(custom.status).toBe(400);
    expect(account.createAccount).not.toHaveBeenCalled();
  });

  it('rejects an unknown buying role with 400 naming the field', async () => {
    const res = await fetch(`${h.url}/api/v1/accounts/A1/contacts`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ lastName: 'Li', buyingRole: 'king-maker' }),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0].field).toBe('buyingRole');
    expect(account.createContact).not.toHaveBeenCalled();
  });

  it('lets only managers and admins merge; a merge into itself is the service’s 400, named as in the body', async () => {
    const res = await fetch(`${h.url}/api/v1/accounts/A1/merge`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ mergedAccountId: 'A2' }),
    });
    expect(res.status).toBe(403);
    expect(account.mergeAccounts).not.toHaveBeenCalled();
    account.mergeAccounts.mockRejectedValueOnce(
      new RichClientError('/x', Status.INVALID_ARGUMENT, 'invalid', [
        BadRequest.fromPartial({
          fieldViolations: [{ field: 'merged_id', description: 'an account cannot be merged into itself' }],
        }),
      ]),
    );
    const self = await fetch(`${h.url}/api/v1/accounts/A1/merge`, {
      method: 'POST',
      headers: jsonHeaders('manager'),
      body: JSON.stringify({ mergedAccountId: 'A1' }),
    });
    expect(self.status).toBe(400);
    expect((await json(self)).errors).toEqual([
      { field: 'mergedAccountId', message: 'an account cannot be merged into itself' },
    ]);
  });
});

describe('account overview', () => {
  it('gathers the account, contacts and activities', async () => {
    const res = await fetch(`${h.url}/api/v1/accounts/A1/overview`, { headers: auth('rep') });
    expect(res.status).toBe(200);
    expect(res.headers.get('warning')).toBeNull();
    const body = await json(res);
    expect(body.partial).toBe(false);
    expect(body.account.id).toBe('A1');
    expect(body.contacts).toMatchObject({ status: 'ok', items: [{ id: 'C1', primary: true }] });
    expect(body.activities).toMatchObject({ status: 'ok', items: [] });
    expect(body.tickets).toMatchObject({ status: 'ok', items: [] });
  });

  it('still answers when a part is too slow, marking it unavailable', async () => {
    account.listActivities.mockImplementationOnce(
      () =>
        new Promise((resolve) =>
          setTimeout(() => resolve({ activities: [], page: { nextCursor: '' } }), 600),
        ),
    );
    const started = Date.now();
    const res = await fetch(`${h.url}/api/v1/accounts/A1/overview`, { headers: auth('rep') });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(res.status).toBe(200);
    expect(res.headers.get('warning')).toMatch(/activities unavailable/);
    const body = await json(res);
    expect(body.partial).toBe(true);
    expect(body.activities.status).toBe('unavailable');
    expect(body.contacts.status).toBe('ok');
  });

  it('is a 404 when the account itself is not visible', async () => {
    account.getAccount.mockRejectedValueOnce(
      new RichClientError(
        '/crm.account.v1.AccountService/GetAccount',
        Status.NOT_FOUND,
        'account A1 not found',
        [],
      ),
    );
    const res = await fetch(`${h.url}/api/v1/accounts/A1/overview`, { headers: auth('rep') });
    expect(res.status).toBe(404);
  });
});

describe('custom fields of accounts and contacts', () => {
  it('passes customFields through on create and update and returns them', async () => {
    account.createAccount.mockResolvedValueOnce({
      account: sampleAccount({ customFields: { erp_id: 'ERP-0001' } }),
      created: true,
    });
    const created = await fetch(`${h.url}/api/v1/accounts`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ name: 'Sinopec', customFields: { erp_id: 'ERP-0001' } }),
    });
    expect(created.status).toBe(201);
    expect((await json(created)).customFields).toEqual({ erp_id: 'ERP-0001' });
    expect(account.createAccount.mock.calls[0][0].account.customFields).toEqual({ erp_id: 'ERP-0001' });

    account.updateAccount.mockResolvedValueOnce(sampleAccount({ customFields: {} }));
    const patched = await fetch(`${h.url}/api/v1/accounts/A1`, {
      method: 'PATCH',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ customFields: { erp_id: null } }),
    });
    expect(patched.status).toBe(200);
    expect(account.updateAccount.mock.calls[0][0].patch.customFields).toEqual({ erp_id: null });

    account.createContact.mockResolvedValueOnce(
      pb.Contact.fromPartial({ id: 'C2', version: '1', lastName: 'Li', customFields: { language: 'zh' } }),
    );
    const contact = await fetch(`${h.url}/api/v1/accounts/A1/contacts`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ lastName: 'Li', customFields: { language: 'zh' } }),
    });
    expect(contact.status).toBe(201);
    expect((await json(contact)).customFields).toEqual({ language: 'zh' });
    expect(account.createContact.mock.calls[0][0].contact.customFields).toEqual({ language: 'zh' });

    account.updateContact.mockResolvedValueOnce(pb.Contact.fromPartial({ id: 'C2', version: '2' }));
    const contactPatch = await fetch(`${h.url}/api/v1/contacts/C2`, {
      method: 'PATCH',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ customFields: { language: 'en' } }),
    });
    expect(contactPatch.status).toBe(200);
    expect(account.updateContact.mock.calls[0][0].patch.customFields).toEqual({ language: 'en' });
  });

  it('refuses keys outside the custom field key rule before any call, naming customFields.<key>', async () => {
    for (const key of ['ErpId', '$where', 'a.b', '_x', 'x'.repeat(41)]) {
      const res = await fetch(`${h.url}/api/v1/accounts`, {
        method: 'POST',
        headers: jsonHeaders('rep'),
        body: JSON.stringify({ name: 'X', customFields: { [key]: '1' } }),
      });
      expect(res.status).toBe(400);
      expect((await json(res)).errors.map((e: { field: string }) => e.field)).toEqual([
        `customFields.${key}`,
      ]);
    }
    expect(account.createAccount).not.toHaveBeenCalled();
  });

  it('keeps custom field keys as they are in error paths from the service', async () => {
    account.updateContact.mockRejectedValueOnce(
      new RichClientError('/x', Status.INVALID_ARGUMENT, 'bad', [
        BadRequest.fromPartial({
          fieldViolations: [{ field: 'customFields.language', description: 'must be one of: en, zh' }],
        }),
      ]),
    );
    const res = await fetch(`${h.url}/api/v1/contacts/C2`, {
      method: 'PATCH',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ customFields: { language: 'fr' } }),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      { field: 'customFields.language', message: 'must be one of: en, zh' },
    ]);
  });

  it('turns cf.<key> query parameters into custom filters of both lists; other unknown ones are refused', async () => {
    const ok = await fetch(`${h.url}/api/v1/accounts?cf.erp_id=ERP-0001&cf.size_band=10&lifecycle=customer`, {
      headers: auth('rep'),
    });
    expect(ok.status).toBe(200);
    expect(
      (account.listAccounts.mock.calls as unknown as [{ customFilters: unknown }][])[0]![0].customFilters,
    ).toEqual({
      erp_id: 'ERP-0001',
      size_band: '10',
    });
    const contacts = await fetch(`${h.url}/api/v1/accounts/A1/contacts?cf.language=zh&limit=10`, {
      headers: auth('rep'),
    });
    expect(contacts.status).toBe(200);
    expect((account.listContacts.mock.calls as unknown as [unknown][])[0]![0]).toMatchObject({
      accountId: 'A1',
      page: { limit: 10 },
      customFilters: { language: 'zh' },
    });
    for (const q of ['cf.erp_id[$gt]=', 'cf.ERP=1', 'foo=1', 'cf.erp_id=a&cf.erp_id=b']) {
      expect((await fetch(`${h.url}/api/v1/accounts?${q}`, { headers: auth('rep') })).status).toBe(400);
      expect(
        (await fetch(`${h.url}/api/v1/accounts/A1/contacts?${q}`, { headers: auth('rep') })).status,
      ).toBe(400);
    }
    expect(account.listAccounts).toHaveBeenCalledTimes(1);
    expect(account.listContacts).toHaveBeenCalledTimes(1);
  });
});
