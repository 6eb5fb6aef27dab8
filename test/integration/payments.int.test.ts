/**
 * Payments after the win (回款) against the real stack: a milestone whose due date passed is listed as
 * overdue and the payment timer marks it (PaymentMilestoneOverdue) within seconds (the test profile
 * runs the timer every 2 s); marking one received goes through the finance approval policy this file
 * creates (the rep cannot approve their own receipt; the approver can); the account overview shows
 * collected vs outstanding. The policy is switched off again at the end.
 */
import { event as eventProto, paymentEvents } from '@crm/proto';
import { connect, DeliverPolicy } from 'nats';
import { api, RUN, token, type User, userId } from './support';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** The test profile's payment timer interval (apps.sh); the events check waits for two more runs. */
const CHECK_EVERY_MS = Number(process.env.PAYMENT_CHECK_EVERY_MS ?? 2000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let policyId = '';

/** Polls until `read` gives something `done` accepts, for up to 15 s; returns the last value read. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 60 && !done(v); i++) {
    await sleep(250);
    v = await read();
  }
  return v;
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  const res = await api('POST', '/api/v1/approval-policies', {
    as: 'admin',
    json: {
      name: `Payments ${RUN}`,
      subjectType: 'payment',
      condition: 'amountMinor > 0',
      steps: [{ name: 'Finance', roles: ['approver'] }],
    },
  });
  expect(res.status).toBe(201);
  policyId = res.body.id;
});

afterAll(async () => {
  if (!policyId) return;
  const p = await api('GET', `/api/v1/approval-policies/${policyId}`, { as: 'admin' });
  const { name, subjectType, condition, snapshotFields, priority, steps } = p.body;
  const off = await api('PUT', `/api/v1/approval-policies/${policyId}`, {
    as: 'admin',
    headers: { 'if-match': p.headers.get('etag')! },
    json: { name, subjectType, condition, snapshotFields, priority, steps, active: false },
  });
  expect(off.status).toBe(200);
});

/** Every PaymentMilestoneOverdue of this milestone on the stream since `since`. */
async function overdueEventsOf(paymentId: string, since: Date) {
  const nc = await connect({
    servers: NATS_URL,
    user: 'observer',
    pass: process.env.NATS_OBSERVER_PASSWORD,
    inboxPrefix: '_INBOX_observer',
  });
  try {
    const consumer = await nc.jetstream().consumers.get('CRM_OPPORTUNITY', {
      filterSubjects: 'crm.opportunity.v1.PaymentMilestoneOverdue',
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
    });
    const found: paymentEvents.PaymentMilestoneOverdue[] = [];
    const messages = await consumer.fetch({ max_messages: 1000, expires: 2000 });
    for await (const m of messages) {
      const envelope = eventProto.EventEnvelope.decode(m.data);
      if (envelope.aggregateId === paymentId)
        found.push(paymentEvents.PaymentMilestoneOverdue.decode(envelope.payload));
    }
    return found;
  } finally {
    await nc.close();
  }
}

/** A deal of rep1's on a new account, in CNY. */
async function deal(tag: string) {
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `Payments ${tag} ${RUN}`, website: `https://payments-${tag}-${RUN}.example.com` },
  });
  expect(account.status).toBe(201);
  const created = await api('POST', '/api/v1/opportunities', {
    as: 'rep1',
    json: {
      name: `Payments ${tag} ${RUN}`,
      accountId: account.body.id,
      amountMinor: 5_000_000,
      currency: 'CNY',
    },
  });
  expect(created.status).toBe(201);
  return { accountId: account.body.id as string, dealId: created.body.id as string };
}

const plan = async (dealId: string, amountMinor: number, dueDate: string, invoiceNumber: string) => {
  const res = await api('POST', `/api/v1/opportunities/${dealId}/payments`, {
    as: 'rep1',
    json: { amountMinor, dueDate, invoiceNumber },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number };
};

describe('payments after the win (real stack)', () => {
  it('a milestone due yesterday is listed as overdue and the timer raises its event once', async () => {
    const since = new Date();
    const { accountId, dealId } = await deal('overdue');
    const late = await plan(dealId, 100_000, day(-1), `LATE-${RUN}`);
    const later = await plan(dealId, 200_000, day(30), `LATER-${RUN}`);

    const overdue = await api('GET', '/api/v1/payments?status=overdue&ownerId=me', { as: 'rep1' });
    expect(overdue.status).toBe(200);
    const ids = overdue.body.items.map((p: { id: string }) => p.id);
    expect(ids).toContain(late.id);
    expect(ids).not.toContain(later.id);
    const due = await api('GET', '/api/v1/payments?status=due&ownerId=me', { as: 'rep1' });
    expect(due.body.items.map((p: { id: string }) => p.id)).toContain(later.id);
    // rep2 sees nothing of rep1's deal.
    const other = await api('GET', '/api/v1/payments?status=overdue', { as: 'rep2' });
    expect(other.body.items.map((p: { id: string }) => p.id)).not.toContain(late.id);

    const marked = await eventually(
      async () => (await api('GET', `/api/v1/opportunities/${dealId}/payments`, { as: 'rep1' })).body.items,
      (items: { id: string; overdueAt: string | null }[]) => !!items.find((p) => p.id === late.id)?.overdueAt,
    );
    const mark = marked.find((p: { id: string }) => p.id === late.id);
    expect(mark).toMatchObject({ overdue: true, updatedBy: 'payment-timer' });
    expect(marked.find((p: { id: string }) => p.id === later.id)).toMatchObject({
      overdue: false,
      overdueAt: null,
    });

    // Two more timer runs raise nothing new: the mark went with the event in one write.
    await sleep(2 * CHECK_EVERY_MS + 500);
    const events = await overdueEventsOf(late.id, since);
    expect(events).toHaveLength(1);
    expect(events[0]!.payment).toMatchObject({
      id: late.id,
      opportunityId: dealId,
      accountId,
      ownerId: await userId('rep1'),
      currency: 'CNY',
      amountMinor: '100000',
      dueDate: day(-1),
      status: 'planned',
    });
  });

  it('marking a payment received waits for finance; the rep cannot approve it, the approver can', async () => {
    const { accountId, dealId } = await deal('receipt');
    const first = await plan(dealId, 300_000, day(-3), `INV-A-${RUN}`);
    await plan(dealId, 700_000, day(20), `INV-B-${RUN}`);
    const url = `/api/v1/opportunities/${dealId}/payments/${first.id}`;
    const receipt = { receivedDate: day(0), amountMinor: 300_000 };

    // Money arrives for a won deal only.
    expect((await api('POST', `${url}/received`, { as: 'rep1', json: receipt })).status).toBe(409);
    const won = await api('POST', `/api/v1/opportunities/${dealId}/close`, {
      as: 'rep1',
      json: { outcome: 'won' },
    });
    expect(won.status).toBe(200);

    const asked = await api('POST', `${url}/received`, { as: 'rep1', json: receipt });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'pending-approval', receivedAmountMinor: 300_000 });
    const approver = await token('approver' as User);
    const inbox = await eventually(
      async () =>
        (await api('GET', '/api/v1/approvals?assignedTo=me&status=pending', { bearer: approver })).body
          .items as {
          id: string;
          subjectId: string;
          subjectType: string;
        }[],
      (items) => items.some((a) => a.subjectId === first.id),
    );
    const request = inbox.find((a) => a.subjectId === first.id)!;
    expect(request).toMatchObject({ id: asked.body.approvalRequestId, subjectType: 'payment' });

    const byRep = await api('POST', `/api/v1/approvals/${request.id}/decision`, {
      as: 'rep1',
      json: { decision: 'approve', comment: '' },
    });
    expect(byRep.status).toBe(403);
    const approved = await api('POST', `/api/v1/approvals/${request.id}/decision`, {
      bearer: approver,
      json: { decision: 'approve', comment: 'on the bank statement' },
    });
    expect(approved.status).toBe(200);
    const received = await eventually(
      async () => (await api('GET', `/api/v1/opportunities/${dealId}/payments`, { as: 'rep1' })).body.items,
      (items: { id: string; status: string }[]) =>
        items.find((p) => p.id === first.id)?.status === 'received',
    );
    expect(received.find((p: { id: string }) => p.id === first.id)).toMatchObject({
      status: 'received',
      approvalOutcome: 'approved',
      receivedDate: day(0),
      overdue: false,
    });
    // A received payment is not edited any more.
    const edit = await api('PUT', url, {
      as: 'rep1',
      json: { amountMinor: 1, dueDate: day(1) },
    });
    expect(edit.status).toBe(409);

    const overview = await api('GET', `/api/v1/accounts/${accountId}/overview`, { as: 'rep1' });
    expect(overview.status).toBe(200);
    expect(overview.body.payments).toEqual({
      status: 'ok',
      currencies: [{ currency: 'CNY', collectedMinor: 300_000, outstandingMinor: 700_000, overdueMinor: 0 }],
    });
  });
});
