/**
 * The figures after the funnel, against the real stack: a deal won through the opportunity service
 * (with a sent quote) reaches the win rate, the forecast and the products within 5 s; a ticket resolved
 * and rated 5 by the customer through the confirmation link moves the CSAT figures; sales figures are
 * 403 for a support agent and service figures 403 for a rep; payment milestones reach the collections
 * figure as due and overdue. Records of this run's own team and queue,
 * so nothing another test does moves these figures meanwhile.
 */
import { Workbook } from 'exceljs';
import { api, GATEWAY_URL, RUN, token, userId, timeUntil } from './support';

const PROBLEM = /^application\/problem\+json/;
const today = () => new Date().toISOString().slice(0, 10);
const team = `figures-${RUN}`;
const queue = `figures-${RUN}`;

const figure = async (path: string, as: 'admin' | 'supportlead' = 'admin') => {
  const res = await api('GET', `/api/v1/analytics/${path}`, { as });
  expect(res.status).toBe(200);
  return res.body;
};

/** A deal of the admin's in this run's team, in negotiation, with a quote submitted and sent. */
async function dealWithSentQuote(): Promise<{ dealId: string; productId: string; accountId: string }> {
  const admin = await userId('admin');
  const product = await api('POST', '/api/v1/products', {
    as: 'admin',
    json: {
      code: `FIG-${RUN}`.toUpperCase().slice(0, 40),
      name: `Figures seat ${RUN}`,
      unit: 'seat/year',
      listPrices: [{ currency: 'CNY', amountMinor: 500_00 }],
    },
  });
  expect(product.status).toBe(201);
  const account = await api('POST', '/api/v1/accounts', {
    as: 'admin',
    json: { name: `Figures customer ${RUN}`, website: `https://figures-${RUN}.example.com` },
  });
  expect(account.status).toBe(201);
  const ceo = await api('POST', `/api/v1/accounts/${account.body.id}/contacts`, {
    as: 'admin',
    json: { lastName: `Decider ${RUN}`, buyingRole: 'decision-maker' },
  });
  expect(ceo.status).toBe(201);
  const deal = await api('POST', '/api/v1/opportunities', {
    as: 'admin',
    json: {
      name: `Figures deal ${RUN}`,
      accountId: account.body.id,
      decisionMakerContactId: ceo.body.id,
      amountMinor: 1_000_00,
      currency: 'CNY',
      expectedCloseDate: today(),
      ownerId: admin,
      teamId: team,
    },
  });
  expect(deal.status).toBe(201);
  for (const stageKey of ['needs-analysis', 'negotiation'])
    expect(
      (await api('POST', `/api/v1/opportunities/${deal.body.id}/stage`, { as: 'admin', json: { stageKey } }))
        .status,
    ).toBe(200);
  const quote = await api('POST', `/api/v1/opportunities/${deal.body.id}/quotes`, {
    as: 'admin',
    json: { lines: [{ productId: product.body.id, quantity: 2 }] },
  });
  expect(quote.status).toBe(201);
  const url = `/api/v1/opportunities/${deal.body.id}/quotes/${quote.body.id}`;
  expect([200, 202]).toContain((await api('POST', `${url}/submit`, { as: 'admin' })).status);
  // With no policy matching, the approval engine approves at once (through its event).
  const approved = await timeUntil(
    async () => (await api('GET', url, { as: 'admin' })).body.status === 'approved',
    15_000,
  );
  expect(approved).toBeGreaterThanOrEqual(0);
  expect((await api('POST', `${url}/send`, { as: 'admin' })).status).toBe(200);
  return { dealId: deal.body.id, productId: product.body.id, accountId: account.body.id as string };
}

describe('analytics figures (real stack: deals, quotes and tickets into the read models)', () => {
  it('shows a won deal in the win rate, the forecast and the products within 5 seconds', async () => {
    const { dealId, productId, accountId } = await dealWithSentQuote();
    const closed = await api('POST', `/api/v1/opportunities/${dealId}/close`, {
      as: 'admin',
      json: { outcome: 'won' },
    });
    expect([200, 202]).toContain(closed.status);
    // No policy matches a 1,000 CNY deal: it is won at once, or as soon as the engine's answer arrives.
    const won = await timeUntil(
      async () =>
        (await api('GET', `/api/v1/opportunities/${dealId}`, { as: 'admin' })).body.status === 'won',
      15_000,
    );
    expect(won).toBeGreaterThanOrEqual(0);

    const took = await timeUntil(async () => {
      const rate = await figure(`win-rate?team=${team}`);
      return rate.rows[0]?.won === 1;
    }, 5000);
    expect(took).toBeGreaterThanOrEqual(0);
    expect((await figure(`win-rate?team=${team}`)).rows).toEqual([
      { period: null, closed: 1, won: 1, lost: 0, winRate: 1 },
    ]);
    const month = today().slice(0, 7);
    expect((await figure(`forecast?team=${team}`)).rows).toEqual([
      {
        closePeriod: month,
        forecastCategory: 'closed',
        ownerId: await userId('admin'),
        teamId: team,
        currency: 'CNY',
        deals: 1,
        amountMinor: 1_000_00,
        weightedAmountMinor: 1_000_00,
      },
    ]);
    expect((await figure(`products?team=${team}&period=month`)).rows).toEqual([
      expect.objectContaining({
        period: month,
        productId,
        currency: 'CNY',
        deals: 1,
        quantity: 2,
        revenueMinor: 1_000_00,
      }),
    ]);
    // The account's RFM: one deal won today, the only account of this team (in EUR when another test set
    // rates into it, else in CNY, the one currency won).
    const rfm = await figure(`accounts/rfm?team=${team}`);
    expect(rfm.rows).toEqual([
      expect.objectContaining({
        accountId,
        lastPurchaseDay: today(),
        recencyDays: 0,
        frequency: 1,
        recencyScore: 3,
        segment: 'new-customers',
      }),
    ]);
    expect(rfm.segments).toEqual([{ segment: 'new-customers', accounts: 1 }]);
    // Won this month, but not committed on its first day (the deal is newer than that).
    expect((await figure(`forecast/accuracy?team=${team}`)).rows).toEqual([
      expect.objectContaining({
        period: month,
        currency: 'CNY',
        committedDeals: 0,
        wonDeals: 1,
        wonMinor: 1_000_00,
      }),
    ]);
    const cycle = await figure(`sales-cycle?team=${team}`);
    expect(cycle.rows).toEqual([expect.objectContaining({ outcome: 'won', deals: 1 })]);
    expect(cycle.stages.map((s: { stage: string }) => s.stage)).toEqual([
      'qualification',
      'needs-analysis',
      'negotiation',
    ]);
  }, 90_000);

  it('moves the CSAT figures when the customer rates a resolved ticket 5', async () => {
    const csat = async () =>
      (
        (await figure(`service/csat?queue=${queue}`, 'supportlead')).rows as {
          dimension: string;
          rated: number;
        }[]
      ).find((r) => r.dimension === 'all');
    expect(await csat()).toBeUndefined();
    const account = await api('POST', '/api/v1/accounts', {
      as: 'admin',
      json: { name: `Figures support ${RUN}`, website: `https://figures-support-${RUN}.example.com` },
    });
    expect(account.status).toBe(201);
    // A ticket goes to a queue that exists (since queues are records).
    const queueSaved = await api('PUT', `/api/v1/queues/${queue}`, {
      as: 'supportlead',
      json: { name: `Figures ${RUN}`, members: [] },
    });
    expect(queueSaved.status).toBe(200);
    const ticket = await api('POST', '/api/v1/tickets', {
      as: 'supportlead',
      json: {
        accountId: account.body.id,
        subject: `Figures ${RUN}`,
        channel: 'email',
        priority: 'high',
        queue,
      },
    });
    expect(ticket.status).toBe(201);
    const resolved = await api('POST', `/api/v1/tickets/${ticket.body.id}/resolve`, {
      as: 'supportlead',
      json: { resolution: 'Restarted the sync' },
    });
    expect(resolved.status).toBe(200);
    const link = new URL(resolved.body.customerConfirmationUrl);
    const answer = await fetch(`${GATEWAY_URL}/public/tickets/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: link.searchParams.get('token'), decision: 'confirm', csatScore: 5 }),
    });
    expect(answer.status).toBe(200);

    const took = await timeUntil(async () => (await csat())?.rated === 1, 5000);
    expect(took).toBeGreaterThanOrEqual(0);
    expect(await csat()).toEqual({
      period: null,
      dimension: 'all',
      key: '',
      rated: 1,
      average: 5,
      distribution: [0, 0, 0, 0, 1],
    });
    const rows = (await figure(`service/csat?queue=${queue}`, 'supportlead')).rows;
    expect(rows).toContainEqual(expect.objectContaining({ dimension: 'queue', key: queue, average: 5 }));
    expect((await figure(`service/resolution-time?queue=${queue}`, 'supportlead')).rows).toEqual([
      expect.objectContaining({ priority: 'high', resolved: 1, reopened: 0 }),
    ]);
    // Confirmed and closed: nothing of this queue is left in the backlog.
    expect((await figure(`service/backlog?queue=${queue}`, 'supportlead')).rows).toEqual([]);
  }, 60_000);

  it('gives a support agent 403 on every sales figure and a rep 403 on every service figure', async () => {
    const agent = await token('agent');
    for (const path of [
      'leaderboard',
      'funnel',
      'pipeline',
      'win-rate',
      'sales-cycle',
      'forecast',
      'products',
      'payments',
      'accounts/rfm',
      'forecast/accuracy',
    ]) {
      const res = await api('GET', `/api/v1/analytics/${path}`, { bearer: agent });
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.contentType).toMatch(PROBLEM);
    }
    for (const path of ['service/backlog', 'service/sla', 'service/resolution-time', 'service/csat']) {
      const res = await api('GET', `/api/v1/analytics/${path}`, { as: 'rep1' });
      expect([path, res.status]).toEqual([path, 403]);
      expect((await api('GET', `/api/v1/analytics/${path}`, { bearer: agent })).status).toBe(200);
    }
  });

  it("shows a deal's payment milestones as due and overdue in the collections figure within 5 seconds", async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const account = await api('POST', '/api/v1/accounts', {
      as: 'admin',
      json: { name: `Collections ${RUN}`, website: `https://collections-${RUN}.example.com` },
    });
    expect(account.status).toBe(201);
    const deal = await api('POST', '/api/v1/opportunities', {
      as: 'admin',
      json: {
        name: `Collections deal ${RUN}`,
        accountId: account.body.id,
        amountMinor: 5_000_00,
        currency: 'EUR',
        ownerId: await userId('admin'),
        teamId: team,
      },
    });
    expect(deal.status).toBe(201);
    for (const [amountMinor, dueDate] of [
      [1_000_00, day(-10)],
      [2_500_00, day(20)],
    ] as const) {
      const planned = await api('POST', `/api/v1/opportunities/${deal.body.id}/payments`, {
        as: 'admin',
        json: { amountMinor, dueDate, invoiceNumber: `COL-${dueDate}-${RUN}` },
      });
      expect(planned.status).toBe(201);
    }
    type Figures = {
      asOf: string;
      rows: { currency: string; due: number; dueMinor: number }[];
      overdue: { currency: string; bucket: string; milestones: number; amountMinor: number }[];
    };
    let figures: Figures | undefined;
    const took = await timeUntil(async () => {
      figures = (await figure(`payments?team=${team}`)) as Figures;
      return figures.rows.reduce((n, r) => n + r.due, 0) === 2;
    }, 5000);
    expect(took).toBeGreaterThanOrEqual(0);
    expect(figures!.asOf).toBe(day(0));
    expect(figures!.rows.reduce((n, r) => n + r.dueMinor, 0)).toBe(3_500_00);
    expect(figures!.overdue).toEqual([
      { currency: 'EUR', bucket: '1-30', milestones: 1, amountMinor: 1_000_00 },
    ]);

    // Another team's collections are not these; a rep of no such team sees none of them.
    expect((await figure(`payments?team=other-${team}`)).rows).toEqual([]);
    const rep = await api('GET', `/api/v1/analytics/payments?team=${team}`, { as: 'rep1' });
    expect(rep.status).toBe(200);
    expect(rep.body.rows).toEqual([]);
  }, 30_000);

  it('downloads a figure as an XLSX workbook', async () => {
    const res = await fetch(`${GATEWAY_URL}/api/v1/analytics/win-rate?format=xlsx&team=${team}`, {
      headers: { authorization: `Bearer ${await token('admin')}` },
    });
    expect(res.status).toBe(200);
    const book = new Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    expect(book.worksheets.map((s) => s.name)).toEqual(['rows', 'lossReasons', 'competitors']);
    expect(book.getWorksheet('rows')!.getRow(1).values).toEqual([
      undefined,
      'period',
      'closed',
      'won',
      'lost',
      'winRate',
    ]);
  });
});
