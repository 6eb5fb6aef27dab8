import { api, RUN, token, type User, uniqueEmail, userId, timeUntil } from './support';

const PROBLEM = /^application\/problem\+json/;
const today = () => new Date().toISOString().slice(0, 10);

const leadCount = async (as: User, query: string) => {
  const res = await api('GET', `/api/v1/analytics/funnel?${query}`, { as });
  expect(res.status).toBe(200);
  return (res.body.steps as { step: string; count: number }[]).find((s) => s.step === 'lead')?.count ?? 0;
};

const newLead = async (as: User, tag: string) => {
  const res = await api('POST', '/api/v1/leads', {
    as,
    json: { firstName: 'Ana', lastName: `Lytics ${tag}`, email: uniqueEmail(tag), company: `Figures ${RUN}` },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

describe('analytics (real stack: events through NATS into the analytics read models)', () => {
  it("raises the funnel's lead count within 3 seconds of a lead being created", async () => {
    const query = `from=${today()}&to=${today()}&owner=me`;
    const before = await leadCount('rep1', query);
    await newLead('rep1', 'fresh');
    const took = await timeUntil(async () => (await leadCount('rep1', query)) === before + 1, 3000);
    expect(took).toBeGreaterThanOrEqual(0);
  }, 30_000);

  it('gives a support agent 403 on sales figures, and a rep 400 naming a bad filter', async () => {
    const agent = await token('agent' as User);
    for (const figure of ['leaderboard', 'funnel', 'pipeline']) {
      const res = await api('GET', `/api/v1/analytics/${figure}`, { bearer: agent });
      expect(res.status).toBe(403);
      expect(res.contentType).toMatch(PROBLEM);
    }
    const bad = await api('GET', '/api/v1/analytics/funnel?from=2026-13-01', { as: 'rep1' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toMatch(/from/);
    const rebuild = await api('POST', '/api/v1/analytics/rebuild', { as: 'manager' });
    expect(rebuild.status).toBe(403);
  });

  it('downloads a table as CSV', async () => {
    const res = await api('GET', '/api/v1/analytics/funnel?format=csv', { as: 'rep1' });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/csv/);
    expect(String(res.body).split('\n')[0]).toBe('period,step,count,conversionRate,dropOff');
  });

  it('filters the funnel by source and region: the leads of one, and the deals converted from them', async () => {
    const source = `src-${RUN}`.toLowerCase().slice(0, 60);
    const region = `region-${RUN}`.toLowerCase().slice(0, 60);
    const lead = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: {
        firstName: 'Sofia',
        lastName: `Origin ${RUN}`,
        email: uniqueEmail('origin'),
        company: `Origin ${RUN}`,
        source,
        region,
      },
    });
    expect(lead.status).toBe(201);
    expect(
      (await api('POST', `/api/v1/leads/${lead.body.id}/status`, { as: 'rep1', json: { status: 'working' } }))
        .status,
    ).toBe(200);
    const converted = await api('POST', `/api/v1/leads/${lead.body.id}/convert`, {
      as: 'rep1',
      json: {
        opportunity: {
          name: `Origin deal ${RUN}`,
          amount: 5_000_00,
          currency: 'EUR',
          closeDate: '2027-03-31',
        },
      },
    });
    expect(converted.status).toBe(200);
    const steps = async (query: string) => {
      const res = await api('GET', `/api/v1/analytics/funnel?${query}`, { as: 'rep1' });
      expect(res.status).toBe(200);
      const byStep = new Map(
        (res.body.steps as { step: string; count: number }[]).map((s) => [s.step, s.count]),
      );
      return { leads: byStep.get('lead') ?? 0, deals: byStep.get('opportunity') ?? 0 };
    };
    const took = await timeUntil(async () => {
      const { leads, deals } = await steps(`source=${source}`);
      return leads === 1 && deals === 1;
    }, 10_000);
    expect(took).toBeGreaterThanOrEqual(0);
    expect(await steps(`region=${region.toUpperCase()}`)).toEqual({ leads: 1, deals: 1 });
    expect(await steps(`source=${source}&region=elsewhere`)).toEqual({ leads: 0, deals: 0 });

    const injected = await api('GET', `/api/v1/analytics/funnel?source=${encodeURIComponent('{"$gt":""}')}`, {
      as: 'rep1',
    });
    expect(injected.status).toBe(400);
    expect(injected.contentType).toMatch(PROBLEM);
  }, 30_000);

  it("counts a visit a rep logs in the rep's leaderboard activities within 3 seconds", async () => {
    const query = `from=${today()}&to=${today()}&owner=me`;
    const visits = async () => {
      const res = await api('GET', `/api/v1/analytics/leaderboard?${query}`, { as: 'rep2' });
      expect(res.status).toBe(200);
      const rows = res.body.rows as { activities: { kind: string; count: number }[] }[];
      return rows.flatMap((r) => r.activities).find((a) => a.kind === 'visit')?.count ?? 0;
    };
    const before = await visits();
    const account = await api('POST', '/api/v1/accounts', {
      as: 'rep2',
      json: { name: `Visited ${RUN}`, website: `https://visited-${RUN}.example.com` },
    });
    expect(account.status).toBe(201);
    const visit = await api('POST', '/api/v1/activities', {
      as: 'rep2',
      json: {
        type: 'visit',
        relatedTo: { type: 'account', id: account.body.id },
        subject: `Site visit ${RUN}`,
        occurredAt: new Date().toISOString(),
      },
    });
    expect(visit.status).toBe(201);
    const took = await timeUntil(async () => (await visits()) === before + 1, 3000);
    expect(took).toBeGreaterThanOrEqual(0);
  }, 30_000);

  it('reproduces every figure exactly after a rebuild from the streams', async () => {
    // Records of a team of this run only, so nothing another test does moves these figures meanwhile.
    const team = `analytics-${RUN}`;
    const admin = await userId('admin');
    const leadId = await newLead('admin', 'rebuilt');
    const assigned = await api('POST', `/api/v1/leads/${leadId}/assign`, {
      as: 'admin',
      json: { ownerId: admin, teamId: team, reason: 'analytics rebuild test' },
    });
    expect(assigned.status).toBe(200);
    const account = await api('POST', '/api/v1/accounts', {
      as: 'admin',
      json: { name: `Analytics customer ${RUN}`, website: `https://analytics-${RUN}.example.com` },
    });
    expect(account.status).toBe(201);
    const deal = await api('POST', '/api/v1/opportunities', {
      as: 'admin',
      json: {
        name: `Analytics deal ${RUN}`,
        accountId: account.body.id,
        amountMinor: 1_234_500,
        currency: 'EUR',
        expectedCloseDate: '2027-02-28',
        ownerId: admin,
        teamId: team,
      },
    });
    expect(deal.status).toBe(201);
    const lost = await api('POST', '/api/v1/opportunities', {
      as: 'admin',
      json: {
        name: `Analytics lost ${RUN}`,
        accountId: account.body.id,
        amountMinor: 500,
        currency: 'EUR',
        ownerId: admin,
        teamId: team,
      },
    });
    expect(lost.status).toBe(201);
    const closed = await api('POST', `/api/v1/opportunities/${lost.body.id}/close`, {
      as: 'admin',
      json: { outcome: 'lost', lossReason: 'price', competitor: 'Globex' },
    });
    expect(closed.status).toBe(200);
    const milestone = await api('POST', `/api/v1/opportunities/${deal.body.id}/payments`, {
      as: 'admin',
      json: { amountMinor: 400_000, dueDate: '2027-01-31', invoiceNumber: `REBUILT-${RUN}` },
    });
    expect(milestone.status).toBe(201);
    // A ticket in a queue of this run's own, for the service figures.
    const queue = `analytics-${RUN}`;
    const queueSaved = await api('PUT', `/api/v1/queues/${queue}`, {
      as: 'supportlead',
      json: { name: `Analytics ${RUN}`, members: [] },
    });
    expect(queueSaved.status).toBe(200);
    const ticket = await api('POST', '/api/v1/tickets', {
      as: 'admin',
      json: { accountId: account.body.id, subject: `Rebuilt ${RUN}`, channel: 'web', priority: 'low', queue },
    });
    expect(ticket.status).toBe(201);
    const figures = async () => {
      const out: Record<string, unknown> = {};
      for (const path of [
        `funnel?team=${team}`,
        `funnel?team=${team}&period=week`,
        `pipeline?team=${team}`,
        `pipeline?team=${team}&period=quarter`,
        `leaderboard?team=${team}&period=month`,
        `leaderboard?team=${team}&format=csv`,
        `win-rate?team=${team}&period=month`,
        `win-rate?team=${team}&format=csv&table=lossReasons`,
        `sales-cycle?team=${team}`,
        `forecast?team=${team}`,
        `products?team=${team}`,
        `payments?team=${team}&to=2027-12-31`,
        `accounts/rfm?team=${team}`,
        `forecast/accuracy?team=${team}&period=quarter`,
        `service/backlog?queue=${queue}`,
        `service/sla?queue=${queue}&period=day`,
        `service/resolution-time?queue=${queue}`,
        `service/csat?queue=${queue}`,
      ]) {
        const res = await api('GET', `/api/v1/analytics/${path}`, { as: 'admin' });
        expect(res.status).toBe(200);
        out[path] = res.body;
      }
      return out;
    };
    const seen = await timeUntil(async () => {
      const res = await api('GET', `/api/v1/analytics/leaderboard?team=${team}`, { as: 'admin' });
      return (
        JSON.stringify(res.body.rows) ===
        JSON.stringify([
          {
            ownerId: admin,
            period: null,
            leads: 1,
            leadsConverted: 0,
            conversionRate: 0,
            deals: 2,
            dealsWon: 0,
            won: [],
            paymentsCollected: [],
            activities: [],
          },
        ])
      );
    }, 5000);
    expect(seen).toBeGreaterThanOrEqual(0);
    const paymentSeen = await timeUntil(async () => {
      const res = await api('GET', `/api/v1/analytics/payments?team=${team}`, { as: 'admin' });
      return res.body.rows?.length === 1;
    }, 5000);
    expect(paymentSeen).toBeGreaterThanOrEqual(0);
    const lossAndTicketSeen = await timeUntil(async () => {
      const rate = await api('GET', `/api/v1/analytics/win-rate?team=${team}`, { as: 'admin' });
      const backlog = await api('GET', `/api/v1/analytics/service/backlog?queue=${queue}`, { as: 'admin' });
      return rate.body.rows?.[0]?.lost === 1 && backlog.body.rows?.length === 1;
    }, 5000);
    expect(lossAndTicketSeen).toBeGreaterThanOrEqual(0);
    const before = await figures();
    expect((before[`win-rate?team=${team}&period=month`] as { competitors: unknown[] }).competitors).toEqual([
      { key: 'Globex', deals: 1 },
    ]);
    expect((before[`pipeline?team=${team}`] as { rows: unknown[] }).rows).toEqual([
      expect.objectContaining({
        closePeriod: '2027-02',
        deals: 1,
        amountMinor: 1_234_500,
        weightedAmountMinor: 123_450,
      }),
    ]);
    const started = await api('POST', '/api/v1/analytics/rebuild', { as: 'admin' });
    expect(started.status).toBe(202);
    expect(started.body.state).toBe('running');
    let rebuild = started.body;
    const finished = await timeUntil(async () => {
      rebuild = (await api('GET', '/api/v1/analytics/rebuild', { as: 'admin' })).body;
      return rebuild.state !== 'running';
    }, 90_000);
    expect(finished).toBeGreaterThanOrEqual(0);
    expect(rebuild).toMatchObject({ state: 'done', error: null });
    expect(rebuild.events).toBeGreaterThan(0);
    expect(await figures()).toEqual(before);
  }, 180_000);
});
