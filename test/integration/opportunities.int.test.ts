import { api, RUN, userId } from './support';

const PROBLEM = /^application\/problem\+json/;

let accountSeq = 0;
/** An account of rep1's, which the deals of this run are with (the service checks it is visible). */
async function newAccount(): Promise<string> {
  accountSeq++;
  const res = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: {
      name: `Deal customer ${RUN} ${accountSeq}`,
      website: `https://deal-${RUN}-${accountSeq}.example.com`,
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function newDeal(as: 'rep1' | 'manager' = 'rep1') {
  const res = await api('POST', '/api/v1/opportunities', {
    as,
    json: {
      name: `ERP rollout ${RUN}`,
      accountId: await newAccount(),
      amountMinor: 200_000_000,
      currency: 'CNY',
      expectedCloseDate: '2027-03-31',
    },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number; [k: string]: unknown };
}

const moveTo = (id: string, stageKey: string, as: 'rep1' | 'rep2' = 'rep1') =>
  api('POST', `/api/v1/opportunities/${id}/stage`, { as, json: { stageKey } });

describe('opportunities and their stages (real Keycloak, real opportunity service)', () => {
  it('serves the default B2B pipeline to a rep and lets only an admin change pipelines', async () => {
    const list = await api('GET', '/api/v1/pipelines', { as: 'rep1' });
    expect(list.status).toBe(200);
    const def = list.body.items[0];
    expect(def).toMatchObject({ id: 'default', isDefault: true });
    expect(def.stages.map((s: { key: string }) => s.key)).toEqual([
      'qualification',
      'needs-analysis',
      'solution',
      'proposal',
      'negotiation',
      'closed-won',
      'closed-lost',
    ]);
    const byRep = await api('POST', '/api/v1/pipelines', {
      as: 'rep1',
      json: { name: 'Mine', stages: def.stages },
    });
    expect(byRep.status).toBe(403);
  });

  it('a rep creates a deal in qualification, owned by them, with the move recorded', async () => {
    const deal = await newDeal();
    expect(deal).toMatchObject({
      stageKey: 'qualification',
      pipelineId: 'default',
      amountMinor: 200_000_000,
      ownerId: await userId('rep1'),
    });
    expect(deal.stageHistory).toEqual([expect.objectContaining({ fromStage: '', toStage: 'qualification' })]);
  });

  it('refuses a deal with an account the rep cannot see (400 naming accountId)', async () => {
    const res = await api('POST', '/api/v1/opportunities', {
      as: 'rep2',
      json: { name: `Poaching ${RUN}`, accountId: await newAccount(), currency: 'EUR' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'accountId' })]);
  });

  it('moves the deal on; an unknown stage is 400, leaving needs-analysis without a decision-maker is 422 naming it', async () => {
    const deal = await newDeal();
    expect((await moveTo(deal.id, 'needs-analysis')).status).toBe(200);

    const unknown = await moveTo(deal.id, 'hot-lead');
    expect(unknown.status).toBe(400);
    expect(unknown.contentType).toMatch(PROBLEM);

    const blocked = await moveTo(deal.id, 'solution');
    expect(blocked.status).toBe(422);
    expect(blocked.contentType).toMatch(PROBLEM);
    expect(blocked.body.errors).toEqual([expect.objectContaining({ field: 'decisionMakerContactId' })]);

    const ceo = await api('POST', `/api/v1/accounts/${deal.accountId}/contacts`, {
      as: 'rep1',
      json: { lastName: `Decider ${RUN}`, buyingRole: 'decision-maker' },
    });
    expect(ceo.status).toBe(201);
    const stranger = await api('PATCH', `/api/v1/opportunities/${deal.id}`, {
      as: 'rep1',
      json: { decisionMakerContactId: `contact-${RUN}` },
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.errors).toEqual([expect.objectContaining({ field: 'decisionMakerContactId' })]);

    const current = await api('GET', `/api/v1/opportunities/${deal.id}`, { as: 'rep1' });
    const patched = await api('PATCH', `/api/v1/opportunities/${deal.id}`, {
      as: 'rep1',
      headers: { 'if-match': current.headers.get('etag')! },
      json: { decisionMakerContactId: ceo.body.id, amountMinor: 150_000_000 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.forecastChanges).toEqual([
      expect.objectContaining({ field: 'amount', before: '200000000 CNY', after: '150000000 CNY' }),
    ]);

    const moved = await moveTo(deal.id, 'solution');
    expect(moved.status).toBe(200);
    const rep1 = await userId('rep1');
    expect(
      moved.body.stageHistory.map((m: { fromStage: string; toStage: string; movedBy: string }) => [
        m.fromStage,
        m.toStage,
        m.movedBy,
      ]),
    ).toEqual([
      ['', 'qualification', rep1],
      ['qualification', 'needs-analysis', rep1],
      ['needs-analysis', 'solution', rep1],
    ]);
    expect((await moveTo(deal.id, 'qualification')).status).toBe(200);
  });

  it('filters the list by close-date range, amount range and forecast category', async () => {
    const accountId = await newAccount();
    const create = async (name: string, amountMinor: number, expectedCloseDate: string) => {
      const res = await api('POST', '/api/v1/opportunities', {
        as: 'rep1',
        json: { name, accountId, amountMinor, currency: 'EUR', expectedCloseDate },
      });
      expect(res.status).toBe(201);
    };
    await create('march', 1_000_00, '2027-03-31');
    await create('june', 50_000_00, '2027-06-30');
    const names = async (query: string) => {
      const res = await api('GET', `/api/v1/opportunities?accountId=${accountId}&${query}`, { as: 'rep1' });
      expect(res.status).toBe(200);
      return res.body.items.map((o: { name: string }) => o.name).sort();
    };
    expect(await names('closeDateFrom=2027-04-01')).toEqual(['june']);
    expect(await names('closeDateTo=2027-04-01&amountMaxMinor=100000')).toEqual(['march']);
    expect(await names('forecastCategory=pipeline')).toEqual(['june', 'march']);
    expect(await names('forecastCategory=commit')).toEqual([]);
    expect((await api('GET', '/api/v1/opportunities?closeDateFrom=2027-02-30', { as: 'rep1' })).status).toBe(
      400,
    );
  });

  it('another rep neither reads nor moves the deal (404), nor sees it in their list', async () => {
    const deal = await newDeal();
    expect((await api('GET', `/api/v1/opportunities/${deal.id}`, { as: 'rep2' })).status).toBe(404);
    expect((await moveTo(deal.id, 'needs-analysis', 'rep2')).status).toBe(404);
    const list = await api('GET', `/api/v1/opportunities?limit=200`, { as: 'rep2' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: { id: string }) => o.id)).not.toContain(deal.id);
  });
});
