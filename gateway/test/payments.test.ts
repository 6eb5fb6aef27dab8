import { account as accountPb, payment as pb } from '@crm/proto';
import { auth, json, jsonHeaders, startApp, type Harness } from './helpers';

const samplePayment = (over: Partial<pb.Payment> = {}) =>
  pb.Payment.fromPartial({
    id: 'P1',
    version: '2',
    opportunityId: 'O1',
    accountId: 'A1',
    ownerId: 'u-rep',
    currency: 'CNY',
    amountMinor: '30000000',
    dueDate: '2026-06-30',
    invoiceNumber: 'INV-1',
    status: 'planned',
    ...over,
  });

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('payment milestones through the gateway', () => {
  it('sends amounts as int64 strings and answers them as integers, with an ETag and a Location', async () => {
    const addPayment = jest.fn(async (_req: unknown) => samplePayment({ version: '1' }));
    h = await startApp({ payment: { addPayment } });
    const res = await fetch(`${h.url}/api/v1/opportunities/O1/payments`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ amountMinor: 30_000_000, dueDate: '2026-06-30', invoiceNumber: 'INV-1' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('location')).toBe('/api/v1/opportunities/O1/payments/P1');
    expect(addPayment.mock.calls[0]![0]).toEqual({
      opportunityId: 'O1',
      fields: { amountMinor: '30000000', dueDate: '2026-06-30', invoiceNumber: 'INV-1', note: '' },
    });
    expect(await json(res)).toMatchObject({ amountMinor: 30_000_000, status: 'planned', accountId: 'A1' });
  });

  it('refuses a fractional or zero amount and a bad date with a 400 before asking the service', async () => {
    const addPayment = jest.fn();
    h = await startApp({ payment: { addPayment } });
    for (const body of [
      { amountMinor: 1.5, dueDate: '2026-06-30' },
      { amountMinor: 0, dueDate: '2026-06-30' },
      { amountMinor: 100, dueDate: '30.06.2026' },
    ]) {
      const res = await fetch(`${h.url}/api/v1/opportunities/O1/payments`, {
        method: 'POST',
        headers: jsonHeaders('rep'),
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect(addPayment).not.toHaveBeenCalled();
  });

  it('answers 202 while a receipt waits for approval and 200 once received', async () => {
    const markPaymentReceived = jest
      .fn()
      .mockResolvedValueOnce(samplePayment({ status: 'pending-approval', version: '3' }))
      .mockResolvedValueOnce(samplePayment({ status: 'received', version: '3' }));
    h = await startApp({ payment: { markPaymentReceived } });
    const post = () =>
      fetch(`${h.url}/api/v1/opportunities/O1/payments/P1/received`, {
        method: 'POST',
        headers: jsonHeaders('rep', { 'if-match': '"2"' }),
        body: JSON.stringify({ receivedDate: '2026-06-14', amountMinor: 30_000_000 }),
      });
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(200);
    expect(markPaymentReceived.mock.calls[0]![0]).toEqual({
      opportunityId: 'O1',
      paymentId: 'P1',
      expectedVersion: '2',
      receivedDate: '2026-06-14',
      amountMinor: '30000000',
    });
  });

  it('lists overdue payments across deals for the caller, owner "me" being the caller', async () => {
    const searchPayments = jest.fn(async (_req: unknown) => ({
      payments: [samplePayment({ overdue: true, dueDate: '2026-01-01' })],
      more: false,
    }));
    h = await startApp({ payment: { searchPayments } });
    const res = await fetch(`${h.url}/api/v1/payments?status=overdue&ownerId=me`, { headers: auth('rep') });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ items: [{ id: 'P1', overdue: true }], more: false });
    expect(searchPayments.mock.calls[0]![0]).toEqual({
      status: 'overdue',
      accountId: '',
      ownerId: 'u-rep',
      limit: 100,
    });
    const bad = await fetch(`${h.url}/api/v1/payments?status=late`, { headers: auth('rep') });
    expect(bad.status).toBe(400);
  });

  it('keeps support agents out (no opportunity.use)', async () => {
    const searchPayments = jest.fn();
    h = await startApp({ payment: { searchPayments } });
    const res = await fetch(`${h.url}/api/v1/payments`, { headers: auth('agent') });
    expect(res.status).toBe(403);
    expect(searchPayments).not.toHaveBeenCalled();
  });
});

describe('the account overview', () => {
  it('shows collected vs outstanding per currency from the opportunity service', async () => {
    const getAccountCollections = jest.fn(async (_req: unknown) => ({
      accountId: 'A1',
      currencies: [{ currency: 'CNY', collectedMinor: '100', outstandingMinor: '900', overdueMinor: '400' }],
    }));
    const account = {
      getAccount: async () =>
        accountPb.Account.fromPartial({ id: 'A1', version: '1', name: 'ACME', ownerId: 'u-rep' }),
      listContacts: async () => ({ contacts: [], page: { nextCursor: '' } }),
      listActivities: async () => ({ activities: [], page: { nextCursor: '' } }),
    };
    h = await startApp({ account, payment: { getAccountCollections } });
    const res = await fetch(`${h.url}/api/v1/accounts/A1/overview`, { headers: auth('rep') });
    const body = await json(res);
    expect(body.payments).toEqual({
      status: 'ok',
      currencies: [{ currency: 'CNY', collectedMinor: 100, outstandingMinor: 900, overdueMinor: 400 }],
    });
    expect(getAccountCollections.mock.calls[0]![0]).toEqual({ accountId: 'A1' });
  });
});
