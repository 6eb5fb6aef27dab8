import { ForbiddenError, Roles, ValidationError } from '@crm/kit';
import type { Caller } from '../src/application/ports';
import { SlaSettings } from '../src/application/sla-settings';
import { SlaTimers } from '../src/application/sla-timers';
import { type TicketListRequest, Tickets } from '../src/application/tickets';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const agent = caller('agent', [Roles.agent], ['support']);
const lead = caller('lead', [Roles.supportManager], ['support']);

/** Round the clock, so that due times are plain wall-clock minutes after creation. */
const ALWAYS = {
  name: 'Always',
  timeZone: 'UTC',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  opensAt: '00:00',
  closesAt: '24:00',
  holidays: [],
};
const MIN = 60_000;

async function setup() {
  const mem = inMemoryPorts();
  const settings = new SlaSettings(mem.ports);
  await settings.seed();
  await settings.saveCalendar('always', 0, ALWAYS, lead);
  await settings.savePolicy(
    'fast',
    0,
    {
      name: 'Fast',
      calendarId: 'always',
      warnAtPercent: 50,
      targets: [
        { priority: 'high', tier: '', firstResponseMinutes: 10, resolutionMinutes: 60 },
        { priority: 'high', tier: 'A', firstResponseMinutes: 4, resolutionMinutes: 30 },
      ],
    },
    lead,
  );
  const tickets = new Tickets(mem.ports, settings);
  const open = (accountId = 'acc-1', priority = 'high') =>
    tickets.create({ accountId, subject: 'Down', channel: 'phone', priority }, '', agent, 'fast');
  return { ...mem, store: mem.tickets, settings, tickets, timers: new SlaTimers(mem.ports), open };
}

const listing = (over: Partial<TicketListRequest> = {}): TicketListRequest => ({
  status: '',
  queue: '',
  assigneeId: '',
  priority: '',
  accountId: '',
  slaState: '',
  sort: '',
  limit: 0,
  cursor: '',
  ...over,
});

describe('SLA of a ticket', () => {
  it('takes the target of the account tier and measures it in the calendar', async () => {
    const { open } = await setup();
    const a = await open('acc-1');
    expect(a.accountTier).toBe('A');
    expect(a.sla.firstResponseDueAt!.getTime() - a.createdAt.getTime()).toBe(4 * MIN);
    expect(a.sla.resolutionDueAt!.getTime() - a.createdAt.getTime()).toBe(30 * MIN);
    const b = await open('acc-2');
    expect(b.sla.firstResponseDueAt!.getTime() - b.createdAt.getTime()).toBe(10 * MIN);
  });

  it('the default policy measures office hours in Shanghai', async () => {
    const { tickets } = await setup();
    const t = await tickets.create(
      { accountId: 'acc-1', subject: 'x', channel: 'web', priority: 'high' },
      '',
      agent,
    );
    expect(t.sla).toMatchObject({ policyId: 'default', calendarId: 'default', firstResponseMinutes: 120 });
  });

  it('fires each warning and breach once, however often the timer runs', async () => {
    const { open, timers, tickets, store } = await setup();
    const t = await open();
    const at = (m: number) => new Date(t.createdAt.getTime() + m * MIN);
    expect(await timers.run(at(1))).toBe(0);
    expect(await timers.run(at(2))).toBe(1); // 50% of 4 minutes: the first-response warning
    expect(await timers.run(at(3))).toBe(0);
    expect(await timers.run(at(5))).toBe(1); // first response breached
    expect(await timers.run(at(5))).toBe(0);
    const now = await tickets.get(t._id, agent);
    expect(now.slaEvents.map((e) => `${e.kind}:${e.target}`)).toEqual([
      'warning:first-response',
      'breach:first-response',
    ]);
    expect(now.slaState).toBe('breached');
    // The warning raised it a level, with the reason recorded.
    expect(now.level).toBe(2);
    expect(now.escalations).toEqual([
      expect.objectContaining({
        level: 2,
        escalatedBy: 'sla-timer',
        reason: expect.stringMatching(/first-response/),
      }),
    ]);
    expect(store.subjects().filter((s) => s.startsWith('Sla') || s === 'TicketEscalated')).toEqual([
      'SlaWarning',
      'TicketEscalated',
      'SlaBreached',
    ]);
  });

  it('stops the clock while pending on the customer and adds the pause to the due times', async () => {
    const { open, tickets, timers } = await setup();
    const t = await open();
    const due = t.sla.resolutionDueAt!.getTime();
    const paused = await tickets.changeStatus(t._id, 0, 'pending', 'customer', agent);
    expect(paused.slaState).toBe('paused');
    expect(await timers.run(new Date(due + 60 * MIN))).toBe(0);
    const resumed = await tickets.changeStatus(t._id, 0, 'open', '', agent);
    expect(resumed.sla.pausedMinutes).toBeGreaterThanOrEqual(0);
    expect(resumed.sla.resolutionDueAt!.getTime()).toBeGreaterThanOrEqual(due);
    expect(resumed.slaState).toBe('ok');
  });

  it('a public reply stops the first-response clock; sort=sla puts the nearest due first', async () => {
    const { open, tickets, timers } = await setup();
    const a = await open('acc-1'); // first response due in 4 minutes
    const b = await open('acc-2'); // in 10
    expect((await tickets.list(listing({ sort: 'sla' }), agent)).tickets.map((t) => t._id)).toEqual([
      a._id,
      b._id,
    ]);
    await tickets.addComment(a._id, 'public', 'On it', agent);
    // Past a's first-response due time (4 minutes) and before b's warning (half of 10 minutes after
    // b was made, which may be the same millisecond as a): nothing fires, as a has answered.
    expect(await timers.run(new Date(a.createdAt.getTime() + 4.5 * MIN))).toBe(0);
    // a's next due is now its resolution (30 minutes): b comes first.
    expect((await tickets.list(listing({ sort: 'sla' }), agent)).tickets.map((t) => t._id)).toEqual([
      b._id,
      a._id,
    ]);
  });
});

describe('SLA settings', () => {
  it('are changed by support managers only, and a policy needs a known calendar', async () => {
    const { settings } = await setup();
    await expect(settings.saveCalendar('x', 0, ALWAYS, agent)).rejects.toThrow(ForbiddenError);
    await expect(
      settings.savePolicy('p', 0, { name: 'P', calendarId: 'nope', warnAtPercent: 80, targets: [] }, lead),
    ).rejects.toThrow(ValidationError);
    expect((await settings.listCalendars(agent)).map((c) => c._id).sort()).toEqual(['always', 'default']);
  });
});
