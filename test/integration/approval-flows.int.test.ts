/**
 * The approval engine and the opportunity service together, as a rep and their manager live it: a quote
 * with a 25% discount waits in the manager's inbox and becomes approved when the manager says so; a
 * 2,000,000 deal closed as won waits too and is won once approved. The policies this file creates are
 * switched off again at the end, so other files' quotes and closes are approved at once as before.
 */
import { api, RUN } from './support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const policies: { id: string }[] = [];

async function policy(subjectType: string, condition: string, tag = '') {
  const res = await api('POST', '/api/v1/approval-policies', {
    as: 'admin',
    json: {
      name: `Flows ${subjectType}${tag} ${RUN}`,
      subjectType,
      condition,
      steps: [{ requesterManager: true }],
    },
  });
  expect(res).toMatchObject({ status: 201 });
  policies.push(res.body);
}

afterAll(async () => {
  for (const { id } of policies) {
    const p = await api('GET', `/api/v1/approval-policies/${id}`, { as: 'admin' });
    const { name, subjectType, condition, snapshotFields, priority, steps } = p.body;
    const off = await api('PUT', `/api/v1/approval-policies/${id}`, {
      as: 'admin',
      headers: { 'if-match': p.headers.get('etag')! },
      json: { name, subjectType, condition, snapshotFields, priority, steps, active: false },
    });
    expect(off.status).toBe(200);
  }
});

/** Polls until `read` gives something `done` accepts, for up to 15 s; returns the last value read. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 60 && !done(v); i++) {
    await sleep(250);
    v = await read();
  }
  return v;
}

/** A deal of rep1's in negotiation (the default pipeline wants a decision-maker to get there). */
async function deal(tag: string, amountMinor: number) {
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `Flows ${tag} ${RUN}`, website: `https://flows-${tag}-${RUN}.example.com` },
  });
  expect(account.status).toBe(201);
  const ceo = await api('POST', `/api/v1/accounts/${account.body.id}/contacts`, {
    as: 'rep1',
    json: { lastName: `Decider ${tag} ${RUN}`, buyingRole: 'decision-maker' },
  });
  const created = await api('POST', '/api/v1/opportunities', {
    as: 'rep1',
    json: {
      name: `Flows ${tag} ${RUN}`,
      accountId: account.body.id,
      decisionMakerContactId: ceo.body.id,
      amountMinor,
      currency: 'CNY',
    },
  });
  expect(created.status).toBe(201);
  for (const stageKey of ['needs-analysis', 'negotiation'])
    expect(
      (
        await api('POST', `/api/v1/opportunities/${created.body.id}/stage`, {
          as: 'rep1',
          json: { stageKey },
        })
      ).status,
    ).toBe(200);
  return created.body.id as string;
}

/** The pending request about this subject in the manager's inbox, once it is there. */
async function inInbox(subjectId: string) {
  const items = await eventually(
    async () =>
      (await api('GET', '/api/v1/approvals?assignedTo=me&status=pending', { as: 'manager' })).body.items as {
        id: string;
        subjectId: string;
        subjectType: string;
      }[],
    (list) => list.some((a) => a.subjectId === subjectId),
  );
  const found = items.find((a) => a.subjectId === subjectId);
  expect(found).toBeDefined();
  return found!;
}

describe('approvals across the opportunity service and the approval engine (real stack)', () => {
  it('a quote with 25% discount waits for the manager, the rep cannot approve it, the manager can, once', async () => {
    await policy('quote', 'discountPercent > 20');
    const product = await api('POST', '/api/v1/products', {
      as: 'admin',
      json: {
        code: `FLOW-${RUN}`.toUpperCase().slice(0, 40),
        name: '客户管理系统 席位',
        unit: 'seat/year',
        listPrices: [{ currency: 'CNY', amountMinor: 1_000_00 }],
      },
    });
    expect(product.status).toBe(201);
    const dealId = await deal('quote', 10_000_000);
    const quote = await api('POST', `/api/v1/opportunities/${dealId}/quotes`, {
      as: 'rep1',
      json: { lines: [{ productId: product.body.id, quantity: 10, discountPercent: 25 }] },
    });
    expect(quote.status).toBe(201);
    const url = `/api/v1/opportunities/${dealId}/quotes/${quote.body.id}`;

    const submitted = await api('POST', `${url}/submit`, { as: 'rep1' });
    expect(submitted.status).toBe(202);
    expect(submitted.body.status).toBe('pending-approval');
    expect((await api('POST', `${url}/send`, { as: 'rep1' })).status).toBe(409);

    const request = await inInbox(quote.body.id);
    expect(request.subjectType).toBe('quote');
    const byRep = await api('POST', `/api/v1/approvals/${request.id}/decision`, {
      as: 'rep1',
      json: { decision: 'approve', comment: '' },
    });
    expect(byRep.status).toBe(403);

    const approved = await api('POST', `/api/v1/approvals/${request.id}/decision`, {
      as: 'manager',
      json: { decision: 'approve', comment: 'fine for a first order' },
    });
    expect(approved.status).toBe(200);
    const after = await eventually(
      async () => (await api('GET', url, { as: 'rep1' })).body,
      (q) => q.status === 'approved',
    );
    expect(after).toMatchObject({ status: 'approved', approvalOutcome: 'approved' });

    const again = await api('POST', `/api/v1/approvals/${request.id}/decision`, {
      as: 'manager',
      json: { decision: 'approve', comment: '' },
    });
    expect(again.status).toBe(409);
    expect((await api('POST', `${url}/send`, { as: 'rep1' })).status).toBe(200);
  });

  it('closing a 2,000,000 deal as won is 202 pending approval, and it is won once the manager approves', async () => {
    await policy('opportunity-close', 'amountMinor >= 100000000');
    const id = await deal('close', 200_000_000);
    const closed = await api('POST', `/api/v1/opportunities/${id}/close`, {
      as: 'rep1',
      json: { outcome: 'won' },
    });
    expect(closed.status).toBe(202);
    expect(closed.body.result).toBe('pending-approval');
    expect(closed.body.opportunity.status).not.toBe('won');

    const request = await inInbox(id);
    expect(request.id).toBe(closed.body.approvalRequestId);
    const decided = await api('POST', `/api/v1/approvals/${request.id}/decision`, {
      as: 'manager',
      json: { decision: 'approve', comment: '' },
    });
    expect(decided.status).toBe(200);
    const won = await eventually(
      async () => (await api('GET', `/api/v1/opportunities/${id}`, { as: 'rep1' })).body,
      (o) => o.status === 'won',
    );
    expect(won.status).toBe('won');
  });

  it('a policy may read any field the CRM sends: quotes and wins of one key account wait for approval', async () => {
    const dealId = await deal('key', 10_000_000);
    const { accountId } = (await api('GET', `/api/v1/opportunities/${dealId}`, { as: 'rep1' })).body;
    // Fields the opportunity service did not send once, though the engine accepted conditions on them.
    await policy('quote', `accountId == "${accountId}" and revision >= 1`, ' key');
    await policy('opportunity-close', `outcome == "won" and accountId == "${accountId}"`, ' key');
    const product = await api('POST', '/api/v1/products', {
      as: 'admin',
      json: {
        code: `KEY-${RUN}`.toUpperCase().slice(0, 40),
        name: 'Key account seat',
        unit: 'seat/year',
        listPrices: [{ currency: 'CNY', amountMinor: 1_000_00 }],
      },
    });
    expect(product.status).toBe(201);
    const quote = await api('POST', `/api/v1/opportunities/${dealId}/quotes`, {
      as: 'rep1',
      json: { lines: [{ productId: product.body.id, quantity: 10 }] },
    });
    expect(quote.status).toBe(201);
    const submitted = await api('POST', `/api/v1/opportunities/${dealId}/quotes/${quote.body.id}/submit`, {
      as: 'rep1',
    });
    expect(submitted).toMatchObject({ status: 202, body: { status: 'pending-approval' } });

    const closed = await api('POST', `/api/v1/opportunities/${dealId}/close`, {
      as: 'rep1',
      json: { outcome: 'won' },
    });
    expect(closed).toMatchObject({ status: 202, body: { result: 'pending-approval' } });
  });

  it("a quote sent back for changes is a draft again that carries the approver's comment to the rep", async () => {
    await policy('quote', 'discountPercent > 30');
    const product = await api('POST', '/api/v1/products', {
      as: 'admin',
      json: {
        code: `FLOW-CHG-${RUN}`.toUpperCase().slice(0, 40),
        name: '实施服务 人天',
        unit: 'day',
        listPrices: [{ currency: 'CNY', amountMinor: 3_000_00 }],
      },
    });
    expect(product.status).toBe(201);
    const dealId = await deal('changes', 10_000_000);
    const quote = await api('POST', `/api/v1/opportunities/${dealId}/quotes`, {
      as: 'rep1',
      json: { lines: [{ productId: product.body.id, quantity: 20, discountPercent: 35 }] },
    });
    expect(quote.status).toBe(201);
    const url = `/api/v1/opportunities/${dealId}/quotes/${quote.body.id}`;
    expect((await api('POST', `${url}/submit`, { as: 'rep1' })).status).toBe(202);

    const request = await inInbox(quote.body.id);
    const sentBack = await api('POST', `/api/v1/approvals/${request.id}/decision`, {
      as: 'manager',
      json: { decision: 'request-changes', comment: 'At most 15% for a first order' },
    });
    expect(sentBack.status).toBe(200);
    const after = await eventually(
      async () => (await api('GET', url, { as: 'rep1' })).body,
      (q) => q.status === 'draft',
    );
    expect(after).toMatchObject({
      status: 'draft',
      approvalOutcome: 'changes-requested',
      approvalComment: 'At most 15% for a first order',
    });
  });
});
