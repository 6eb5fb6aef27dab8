import { Status } from 'nice-grpc';
import { ErrorInfo, RichClientError } from 'nice-grpc-error-details';
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

  it('lets only managers and admins merge', async () => {
    const res = await fetch(`${h.url}/api/v1/accounts/A1/merge`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ mergedAccountId: 'A2' }),
    });
    expect(res.status).toBe(403);
    const self = await fetch(`${h.url}/api/v1/accounts/A1/merge`, {
      method: 'POST',
      headers: jsonHeaders('manager'),
      body: JSON.stringify({ mergedAccountId: 'A1' }),
    });
    expect(self.status).toBe(400);
    expect(account.mergeAccounts).not.toHaveBeenCalled();
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
