/**
 * RFM feeding account tiering, against the real stack: a deal won on an account reaches analytics, its
 * periodic scoring (every 3 s in the test profile) publishes the account's segment on NATS, and the
 * account service keeps it and re-tiers the account by an admin's rule that asks for segments. Tier
 * rules of this run's own industry, so other accounts keep their tiers.
 */
import { RFM_SEGMENTS } from '@crm/kit/domain';
import { api, RUN, userId, timeUntil } from './support';

const PROBLEM = /^application\/problem\+json/;
const industry = `rfm-${RUN}`;

/** Scoring every account needs one currency: set EUR as the reporting one unless another test did. */
async function reportingCurrency(): Promise<void> {
  const rates = await api('GET', '/api/v1/analytics/exchange-rates', { as: 'admin' });
  expect(rates.status).toBe(200);
  if (rates.body.reportingCurrency) return;
  const saved = await api('PUT', '/api/v1/analytics/exchange-rates', {
    as: 'admin',
    headers: { 'if-match': rates.headers.get('etag') ?? '*' },
    json: {
      reportingCurrency: 'EUR',
      rates: [
        { currency: 'CNY', validFrom: '2026-01-01', rate: '0.125' },
        { currency: 'CNY', validFrom: '2027-01-01', rate: '0.13' },
      ],
    },
  });
  // 412: another test set them in between, which serves as well.
  expect([200, 412]).toContain(saved.status);
}

async function putRules(rules: unknown[]) {
  const current = await api('GET', '/api/v1/account-tier-rules', { as: 'admin' });
  expect(current.status).toBe(200);
  return api('PUT', '/api/v1/account-tier-rules', {
    as: 'admin',
    headers: { 'if-match': current.headers.get('etag') ?? '*' },
    json: {
      defaultTier: current.body.defaultTier,
      rules: [...rules, ...current.body.rules.filter((r: { id: string }) => !r.id.endsWith(RUN))],
    },
  });
}

/** Wins a 1,000 EUR deal of rep1's on the account (no closing policy matches so small a deal). */
async function winDeal(accountId: string): Promise<void> {
  const ceo = await api('POST', `/api/v1/accounts/${accountId}/contacts`, {
    as: 'rep1',
    json: { lastName: `Buyer ${RUN}`, buyingRole: 'decision-maker' },
  });
  expect(ceo.status).toBe(201);
  const deal = await api('POST', '/api/v1/opportunities', {
    as: 'rep1',
    json: {
      name: `RFM deal ${RUN}`,
      accountId,
      decisionMakerContactId: ceo.body.id,
      amountMinor: 1_000_00,
      currency: 'EUR',
    },
  });
  expect(deal.status).toBe(201);
  for (const stageKey of ['needs-analysis', 'negotiation'])
    expect(
      (await api('POST', `/api/v1/opportunities/${deal.body.id}/stage`, { as: 'rep1', json: { stageKey } }))
        .status,
    ).toBe(200);
  const closed = await api('POST', `/api/v1/opportunities/${deal.body.id}/close`, {
    as: 'rep1',
    json: { outcome: 'won' },
  });
  expect([200, 202]).toContain(closed.status);
  const won = await timeUntil(
    async () =>
      (await api('GET', `/api/v1/opportunities/${deal.body.id}`, { as: 'rep1' })).body.status === 'won',
    15_000,
  );
  expect(won).toBeGreaterThanOrEqual(0);
}

describe('account tiers from RFM segments (analytics -> NATS -> account service)', () => {
  it('refuses a rule naming a segment analytics does not know, with nothing saved', async () => {
    const before = await api('GET', '/api/v1/account-tier-rules', { as: 'admin' });
    const bad = await putRules([{ id: `vip-${RUN}`, tier: 'A', rfmSegments: ['vip'] }]);
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(PROBLEM);
    expect(JSON.stringify(bad.body)).toMatch(/rfmSegments/);
    const after = await api('GET', '/api/v1/account-tier-rules', { as: 'admin' });
    expect(after.body.version).toBe(before.body.version);
  });

  it('a won deal puts the account in its segment within seconds, and a segment rule re-tiers it', async () => {
    await reportingCurrency();
    const saved = await putRules([
      {
        id: `scored-${RUN}`,
        name: 'Any scored customer',
        tier: 'strategic',
        industries: [industry],
        rfmSegments: RFM_SEGMENTS,
      },
      { id: `rest-${RUN}`, tier: 'B', industries: [industry] },
    ]);
    expect(saved.status).toBe(200);
    expect(saved.body.rules[0]).toMatchObject({ id: `scored-${RUN}`, rfmSegments: [...RFM_SEGMENTS] });

    const created = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `RFM customer ${RUN}`, website: `https://rfm-${RUN}.example.com`, industry },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ tier: 'B', tierRuleId: `rest-${RUN}`, rfmSegment: '' });

    await winDeal(id);
    // The account's segment is the one GET /analytics/accounts/rfm gives it (read together, as other
    // tests' wins may move the quintiles meanwhile).
    let account: Record<string, unknown> = {};
    let figure: string | undefined;
    const took = await timeUntil(async () => {
      const rfm = await api('GET', '/api/v1/analytics/accounts/rfm', { as: 'admin' });
      figure = (rfm.body.rows as { accountId: string; segment: string }[] | undefined)?.find(
        (r) => r.accountId === id,
      )?.segment;
      account = (await api('GET', `/api/v1/accounts/${id}`, { as: 'rep1' })).body;
      return !!figure && account.rfmSegment === figure;
    }, 20_000);
    expect(took).toBeGreaterThanOrEqual(0);
    expect(account).toMatchObject({ rfmSegment: figure, tier: 'strategic', tierRuleId: `scored-${RUN}` });
    // Recorded as analytics' change, not the rep's who won the deal.
    expect(account.updatedBy).not.toBe(await userId('rep1'));
    expect(account.updatedBy).not.toBe('');
    // A rep lists their accounts of that segment.
    const listed = await api('GET', `/api/v1/accounts?rfmSegment=${figure}&limit=200`, { as: 'rep1' });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((a: { id: string }) => a.id)).toContain(id);
    const unknown = await api('GET', '/api/v1/accounts?rfmSegment=vip', { as: 'rep1' });
    expect(unknown.status).toBe(400);
    expect(unknown.contentType).toMatch(PROBLEM);
  }, 90_000);
});
