import { Workbook } from 'exceljs';
import { auth, json, startApp, TOKENS, type Harness } from './helpers';

// A support manager, beside the helpers' agent: service figures are for both.
TOKENS.supportlead = { ...TOKENS.agent!, sub: 'u-supportlead', realm_access: { roles: ['support-manager'] } };

const figures = {
  getFunnel: async () => ({
    steps: [{ period: '', step: 'lead', count: '2', conversionRate: 1, dropOff: '0' }],
  }),
  getPipeline: async () => ({ rows: [] }),
  getLeaderboard: async () => ({ rows: [] }),
  getWinRate: jest.fn(async () => ({
    rows: [{ period: '2026-12', closed: 4, won: 1, lost: 3, winRate: 0.25 }],
    lossReasons: [{ key: 'price', deals: 2 }],
    competitors: [{ key: '=HYPERLINK("http://evil")', deals: 1 }],
  })),
  getSalesCycle: async () => ({ rows: [], stages: [] }),
  getForecast: async () => ({
    rows: [
      {
        closePeriod: '2027-01',
        forecastCategory: 'commit',
        ownerId: 'u-rep',
        teamId: 'north',
        currency: 'EUR',
        deals: 1,
        amountMinor: '100000',
        weightedAmountMinor: '80000',
      },
    ],
  }),
  getProducts: async () => ({ rows: [] }),
  getServiceBacklog: jest.fn(async () => ({
    rows: [{ queue: 'general', priority: 'high', status: 'open', tickets: 3, unassigned: 1 }],
  })),
  getServiceSla: async () => ({ rows: [] }),
  getResolutionTime: async () => ({ rows: [] }),
  getCsat: async () => ({
    rows: [{ period: '', dimension: 'all', key: '', rated: 2, average: 4, distribution: [0, 0, 1, 0, 1] }],
  }),
};

const SALES = ['funnel', 'pipeline', 'leaderboard', 'win-rate', 'sales-cycle', 'forecast', 'products'];
const SERVICE = ['service/backlog', 'service/sla', 'service/resolution-time', 'service/csat'];

/** The query the service was last asked with. */
const lastQuery = (rpc: jest.Mock) => (rpc.mock.calls.at(-1) as unknown[])[0];

let h: Harness;
beforeEach(async () => {
  h = await startApp({ analytics: figures });
});
afterEach(async () => {
  await h.close();
});

const get = (path: string, user: string) =>
  fetch(`${h.url}/api/v1/analytics/${path}`, { headers: auth(user) });

describe('analytics figures through the gateway', () => {
  it('give sales figures to sales roles and admins, service figures to support roles and admins', async () => {
    const allowed: Record<string, string[]> = {
      rep: SALES,
      manager: SALES,
      admin: [...SALES, ...SERVICE],
      agent: SERVICE,
      supportlead: SERVICE,
    };
    for (const [user, paths] of Object.entries(allowed))
      for (const path of [...SALES, ...SERVICE]) {
        const res = await get(path, user);
        expect([path, user, res.status]).toEqual([path, user, paths.includes(path) ? 200 : 403]);
        if (res.status === 403)
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
  });

  it('passes the filters on, with owner=me as the caller and the queue of a service figure', async () => {
    await get('win-rate?from=2026-12-01&to=2026-12-31&period=week&owner=me&team=north', 'rep');
    expect(lastQuery(figures.getWinRate)).toMatchObject({
      from: '2026-12-01',
      to: '2026-12-31',
      period: 'week',
      ownerId: 'u-rep',
      teamId: 'north',
    });
    const res = await get('service/backlog?queue=general&owner=me', 'agent');
    expect(await json(res)).toEqual({
      rows: [{ queue: 'general', priority: 'high', status: 'open', tickets: 3, unassigned: 1 }],
    });
    expect(lastQuery(figures.getServiceBacklog)).toMatchObject({
      queue: 'general',
      ownerId: 'u-agent',
    });
  });

  it('answers 400 naming a bad filter, and a filter a figure does not take, before asking the service', async () => {
    const calls = figures.getServiceBacklog.mock.calls.length;
    for (const [path, field] of [
      ['forecast?period=year', 'period'],
      ['win-rate?queue=general', 'queue'],
      ['service/backlog?team=north', 'team'],
      ['service/csat?format=pdf', 'format'],
      ['win-rate?format=csv&table=nope', 'table'],
    ]) {
      const res = await get(path!, 'admin');
      expect([path, res.status]).toEqual([path, 400]);
      expect(JSON.stringify((await json(res)).errors)).toContain(field);
    }
    expect(figures.getServiceBacklog.mock.calls.length).toBe(calls);
  });

  it('downloads a table as CSV, with formula cells neutralised, and the other tables by name', async () => {
    const rows = await get('win-rate?format=csv', 'rep');
    expect(rows.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(rows.headers.get('content-disposition')).toBe('attachment; filename="win-rate.csv"');
    expect(await rows.text()).toBe('period,closed,won,lost,winRate\n2026-12,4,1,3,0.25\n');
    const competitors = await get('win-rate?format=csv&table=competitors', 'rep');
    expect(competitors.headers.get('content-disposition')).toBe(
      'attachment; filename="win-rate-competitors.csv"',
    );
    expect(await competitors.text()).toBe(`key,deals\n"'=HYPERLINK(""http://evil"")",1\n`);
    const csat = await get('service/csat?format=csv', 'agent');
    expect(await csat.text()).toBe(
      'period,dimension,key,rated,average,score1,score2,score3,score4,score5\n,all,,2,4,0,0,1,0,1\n',
    );
  });

  it('downloads every table of a figure as an XLSX workbook, formula cells neutralised', async () => {
    const res = await get('win-rate?format=xlsx', 'manager');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="win-rate.xlsx"');
    const book = new Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    expect(book.worksheets.map((s) => s.name)).toEqual(['rows', 'lossReasons', 'competitors']);
    expect(book.getWorksheet('rows')!.getRow(2).values).toEqual([undefined, '2026-12', 4, 1, 3, 0.25]);
    expect(book.getWorksheet('competitors')!.getCell('A2').value).toBe(`'=HYPERLINK("http://evil")`);
    const forecast = await get('forecast?format=xlsx', 'rep');
    const sheet = new Workbook();
    await sheet.xlsx.load(await forecast.arrayBuffer());
    expect(sheet.getWorksheet('rows')!.getRow(2).values).toEqual([
      undefined,
      '2027-01',
      'commit',
      'u-rep',
      'north',
      'EUR',
      1,
      100000,
      80000,
    ]);
  });
});
