/**
 * Exchange rates against the real stack: an admin sets the reporting currency and rates (validated,
 * compare-and-set through If-Match, refused to a rep), and a deal recorded in CNY shows in the pipeline
 * converted at the rate valid on its expected close day when asked for `currency=reporting`.
 */
import { api, RUN, userId } from './support';

const PROBLEM = /^application\/problem\+json/;
const PATH = '/api/v1/analytics/exchange-rates';
const team = `rates-${RUN}`;

async function current() {
  const res = await api('GET', PATH, { as: 'admin' });
  expect(res.status).toBe(200);
  return { etag: res.headers.get('etag') ?? '', body: res.body };
}

describe('exchange rates (real stack)', () => {
  it('are set by an admin only, validated, and saved against the version read', async () => {
    // Version 0 (nothing saved yet) is "no check" to If-Match, so make sure there is a version first.
    const first = await api('PUT', PATH, { as: 'admin', json: { reportingCurrency: 'USD', rates: [] } });
    expect(first.status).toBe(200);
    const { etag, body } = await current();
    const rates = {
      reportingCurrency: 'EUR',
      rates: [
        { currency: 'CNY', validFrom: '2026-01-01', rate: '0.125' },
        { currency: 'CNY', validFrom: '2027-01-01', rate: '0.13' },
      ],
    };
    const byRep = await api('PUT', PATH, { as: 'rep1', json: rates, headers: { 'if-match': etag } });
    expect(byRep.status).toBe(403);

    const bad = await api('PUT', PATH, {
      as: 'admin',
      json: {
        reportingCurrency: { $gt: '' },
        rates: [{ currency: 'CNY', validFrom: '2026-13-01', rate: '-1' }],
      },
      headers: { 'if-match': etag },
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(PROBLEM);
    expect(JSON.stringify(bad.body)).toMatch(/reportingCurrency/);

    const twice = await api('PUT', PATH, {
      as: 'admin',
      json: { reportingCurrency: 'EUR', rates: [rates.rates[0], rates.rates[0]] },
      headers: { 'if-match': etag },
    });
    expect(twice.status).toBe(400);

    const saved = await api('PUT', PATH, { as: 'admin', json: rates, headers: { 'if-match': etag } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      reportingCurrency: 'EUR',
      version: body.version + 1,
      updatedBy: await userId('admin'),
    });
    const stale = await api('PUT', PATH, { as: 'admin', json: rates, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect((await api('GET', PATH, { as: 'rep1' })).body.rates).toEqual(rates.rates);
  });

  it('convert a CNY deal into the reporting currency at the rate of its expected close day', async () => {
    const { etag } = await current();
    const saved = await api('PUT', PATH, {
      as: 'admin',
      json: {
        reportingCurrency: 'EUR',
        rates: [
          { currency: 'CNY', validFrom: '2026-01-01', rate: '0.125' },
          { currency: 'CNY', validFrom: '2027-01-01', rate: '0.13' },
        ],
      },
      headers: { 'if-match': etag },
    });
    expect(saved.status).toBe(200);
    const account = await api('POST', '/api/v1/accounts', {
      as: 'admin',
      json: { name: `Rates customer ${RUN}`, website: `https://rates-${RUN}.example.com` },
    });
    expect(account.status).toBe(201);
    const deal = await api('POST', '/api/v1/opportunities', {
      as: 'admin',
      json: {
        name: `Rates deal ${RUN}`,
        accountId: account.body.id,
        amountMinor: 1_000_000_00,
        currency: 'CNY',
        expectedCloseDate: '2027-03-31',
        ownerId: await userId('admin'),
        teamId: team,
      },
    });
    expect(deal.status).toBe(201);
    type Row = { currency: string; amountMinor: number };
    let rows: Row[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      const res = await api('GET', `/api/v1/analytics/pipeline?team=${team}&currency=reporting`, {
        as: 'admin',
      });
      expect(res.status).toBe(200);
      rows = res.body.rows;
      if (!rows.length) await new Promise((r) => setTimeout(r, 100));
    }
    // 1,000,000.00 CNY at 0.13 (the rate from 2027-01-01) is 130,000.00 EUR.
    expect(rows.map((r) => [r.currency, r.amountMinor])).toEqual([['EUR', 130_000_00]]);
    const asRecorded = await api('GET', `/api/v1/analytics/pipeline?team=${team}`, { as: 'admin' });
    expect(asRecorded.body.rows.map((r: Row) => [r.currency, r.amountMinor])).toEqual([
      ['CNY', 1_000_000_00],
    ]);
    const bad = await api('GET', `/api/v1/analytics/pipeline?currency=USD`, { as: 'admin' });
    expect(bad.status).toBe(400);
  }, 30_000);
});
