import { startApps, stopApp } from './stack';
import { api, RUN } from './support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A ticket as the API answers it (only what these tests read). */
interface SlaView {
  slaEvents: { kind: string; target: string }[];
  sla: { firstResponseWarned: boolean; firstResponseBreached: boolean; state: string };
}

/** Reads the ticket until `done` holds or the deadline passes; returns the last read. */
async function readUntil(id: string, done: (t: SlaView) => boolean, ms: number): Promise<SlaView> {
  const end = Date.now() + ms;
  let t: SlaView = (await api('GET', `/api/v1/tickets/${id}`, { as: 'supportlead' })).body;
  while (!done(t) && Date.now() < end) {
    await sleep(2000);
    t = (await api('GET', `/api/v1/tickets/${id}`, { as: 'supportlead' })).body;
  }
  return t;
}

const warnings = (t: SlaView) =>
  t.slaEvents.filter((e) => e.kind === 'warning' && e.target === 'first-response').length;

describe('SLA warnings fire from durable timers, once, across a restart of the service', () => {
  it('a warning due while the service is down fires after it is back, exactly once', async () => {
    const calendar = await api('PUT', `/api/v1/business-calendars/always-${RUN}`, {
      as: 'supportlead',
      json: {
        name: 'Round the clock',
        timeZone: 'UTC',
        workingDays: [1, 2, 3, 4, 5, 6, 7],
        opensAt: '00:00',
        closesAt: '24:00',
      },
    });
    expect(calendar.status).toBe(200);
    const policy = await api('PUT', `/api/v1/sla-policies/fast-${RUN}`, {
      as: 'supportlead',
      json: {
        name: 'Short targets for this test',
        calendarId: `always-${RUN}`,
        warnAtPercent: 50,
        targets: [{ priority: 'urgent', tier: '', firstResponseMinutes: 1, resolutionMinutes: 600 }],
      },
    });
    expect(policy.status).toBe(200);
    const account = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `SLA restart ${RUN}`, website: `https://sla-restart-${RUN}.example.com` },
    });
    const created = await api('POST', '/api/v1/tickets', {
      as: 'supportlead',
      json: {
        accountId: account.body.id,
        subject: 'Production is down',
        channel: 'phone',
        priority: 'urgent',
        slaPolicyId: `fast-${RUN}`,
      },
    });
    expect(created.status).toBe(201);
    const t = created.body;
    // Warning at 50% of one minute: 30 s after creation. The service is down when that comes.
    await stopApp('service-ticket');
    const warnAt = Date.parse(t.createdAt) + 30_000;
    await sleep(Math.max(0, warnAt - Date.now()) + 2000);
    await startApps();
    const warned = await readUntil(t.id, (x) => warnings(x) > 0, 60_000);
    expect(warnings(warned)).toBe(1);
    expect(warned.sla.firstResponseWarned).toBe(true);
    // More timer runs (every 15 s in the test stack) come and go: the warning stays single.
    const later = await readUntil(t.id, (x) => x.sla.firstResponseBreached, 60_000);
    expect(later.sla.state).toBe('breached');
    expect(warnings(later)).toBe(1);
    expect(later.slaEvents.map((e) => `${e.kind}:${e.target}`)).toEqual([
      'warning:first-response',
      'breach:first-response',
    ]);
  }, 240_000);
});
