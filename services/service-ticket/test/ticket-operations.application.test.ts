import { ConflictError, ForbiddenError, Roles, ValidationError } from '@crm/kit';
import { event, serviceTicketEvents as pbEvents } from '@crm/proto';
import { BulkActions, type BulkRequest } from '../src/application/bulk-actions';
import type { Caller } from '../src/application/ports';
import { ServiceSettingsAdmin } from '../src/application/service-settings';
import { SlaSettings } from '../src/application/sla-settings';
import { SlaTimers } from '../src/application/sla-timers';
import { TicketMerge } from '../src/application/ticket-merge';
import { Tickets } from '../src/application/tickets';
import { NEVER, NO_SLA } from '../src/domain/sla-clock';
import { businessMinutesSpent } from '../src/domain/sla-retarget';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const agent = caller('agent', [Roles.agent], ['support']);
const lead = caller('lead', [Roles.supportManager]);
const MIN = 60_000;

/** Round the clock in UTC, so business minutes are wall-clock minutes and due times plain arithmetic. */
const ALWAYS = {
  name: 'Always',
  timeZone: 'UTC',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  opensAt: '00:00',
  closesAt: '24:00',
  holidays: [],
};

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
      warnAtPercent: 0,
      targets: [
        { priority: 'normal', tier: '', firstResponseMinutes: 60, resolutionMinutes: 600 },
        { priority: 'urgent', tier: '', firstResponseMinutes: 15, resolutionMinutes: 120 },
      ],
    },
    lead,
  );
  const tickets = new Tickets(mem.ports, settings);
  const open = (over: { accountId?: string; priority?: string; queue?: string } = {}) =>
    tickets.create(
      {
        accountId: over.accountId ?? 'acc-1',
        subject: 'Down',
        channel: 'phone',
        priority: over.priority ?? 'normal',
      },
      over.queue ?? '',
      agent,
      'fast',
    );
  /** Moves a stored ticket's clock start back, as if it had been opened `minutes` ago. */
  const age = (id: string, minutes: number) => {
    const d = mem.tickets.docs.get(id)!;
    const back = (at: Date | undefined) => at && new Date(at.getTime() - minutes * MIN);
    d.createdAt = back(d.createdAt)!;
    for (const k of [
      'startedAt',
      'firstResponseDueAt',
      'resolutionDueAt',
      'firstResponseWarnAt',
      'resolutionWarnAt',
    ] as const)
      d.sla[k] = back(d.sla[k])!;
    if (d.slaCheckAt.getTime() !== NEVER.getTime()) d.slaCheckAt = back(d.slaCheckAt)!;
  };
  return {
    ...mem,
    store: mem.tickets,
    settings,
    tickets,
    open,
    age,
    merge: new TicketMerge(tickets, mem.ports),
    bulk: new BulkActions(tickets),
    admin: new ServiceSettingsAdmin(mem.ports),
    timers: new SlaTimers(mem.ports),
  };
}

const payloads = (store: { events: { subject: string; data: Buffer }[] }, name: string) =>
  store.events
    .filter((e) => e.subject === `crm.serviceticket.v1.${name}`)
    .map((e) => event.EventEnvelope.decode(e.data).payload);

describe('merging a duplicate', () => {
  it('closes the duplicate pointing at the target, which keeps its comments, links and attachments', async () => {
    const { open, tickets, merge, store } = await setup();
    const target = await open();
    let dup = await open();
    dup = await tickets.update(
      dup._id,
      0,
      { attachments: [{ name: 'log.txt', sizeBytes: 10, contentType: 'text/plain' }] },
      agent,
    );
    await tickets.addComment(dup._id, 'internal', 'Same outage as the other one', agent);
    const { duplicate, target: kept } = await merge.merge(dup._id, 0, target._id, agent);
    expect(duplicate).toMatchObject({
      status: 'closed',
      mergedIntoTicketId: target._id,
      mergedBy: 'agent',
      updatedBy: 'agent',
      slaCheckAt: NEVER,
    });
    expect(duplicate.links).toContainEqual({ ticketId: target._id, kind: 'duplicate-of' });
    expect(kept.comments.map((c) => [c.body, c.mergedFromTicketId])).toEqual([
      ['Same outage as the other one', dup._id],
    ]);
    expect(kept.attachments).toEqual([{ name: 'log.txt', sizeBytes: 10, contentType: 'text/plain' }]);
    expect(kept.links).toContainEqual({ ticketId: dup._id, kind: 'related' });
    expect(kept.mergedTickets).toEqual([expect.objectContaining({ ticketId: dup._id, mergedBy: 'agent' })]);
    expect(kept.updatedBy).toBe('agent');
    const [merged] = payloads(store, 'TicketMerged').map((p) => pbEvents.TicketMerged.decode(p));
    expect(merged!.intoTicketId).toBe(target._id);
    // Asked again: already merged (409), and the target did not take the comments twice.
    await expect(merge.merge(dup._id, 0, target._id, agent)).rejects.toThrow(ConflictError);
    expect((await tickets.get(target._id, agent)).comments).toHaveLength(1);
  });

  it('refuses merging into itself, across accounts (400) and into a closed ticket (409)', async () => {
    const { open, merge } = await setup();
    const a = await open();
    const other = await open({ accountId: 'acc-2' });
    await expect(merge.merge(a._id, 0, a._id, agent)).rejects.toThrow(ValidationError);
    await expect(merge.merge(a._id, 0, other._id, agent)).rejects.toThrow(/another account/);
    const b = await open();
    const c = await open();
    await merge.merge(c._id, 0, b._id, agent);
    await expect(merge.merge(a._id, 0, c._id, agent)).rejects.toThrow(ConflictError);
  });

  it('stops the duplicate’s SLA timers: nothing fires for it after the merge', async () => {
    const { open, merge, timers, store, age } = await setup();
    const target = await open();
    const dup = await open();
    await merge.merge(dup._id, 0, target._id, agent);
    age(target._id, 1000);
    age(dup._id, 1000);
    await timers.run(new Date(Date.now() + 10_000 * MIN));
    const fired = store.events
      .filter((e) => /SlaWarning|SlaBreached/.test(e.subject))
      .map((e) => event.EventEnvelope.decode(e.data).aggregateId);
    expect(fired).not.toContain(dup._id);
    expect(fired).toContain(target._id);
  });
});

describe('bulk actions', () => {
  const bulkOf = (over: Partial<BulkRequest>): BulkRequest => ({
    ticketIds: [],
    action: 'add-tag',
    assigneeId: '',
    queue: '',
    status: '',
    pendingReason: '',
    tag: '',
    ...over,
  });

  it('reports each ticket; a missing or closed one does not stop the others', async () => {
    const { open, merge, bulk, tickets } = await setup();
    const a = await open();
    const b = await open();
    const closed = await open();
    await merge.merge(closed._id, 0, b._id, agent);
    const report = await bulk.run(
      bulkOf({
        ticketIds: [a._id, 'no-such-ticket', closed._id, b._id, a._id],
        action: 'status',
        status: 'pending',
        pendingReason: 'internal',
      }),
      lead,
    );
    expect(report.map((r) => [r.ticketId, r.ok, r.ok ? '' : r.errorKind])).toEqual([
      [a._id, true, ''],
      ['no-such-ticket', false, 'not-found'],
      [closed._id, false, 'conflict'],
      [b._id, true, ''],
    ]);
    expect((await tickets.get(a._id, lead)).status).toBe('pending');
    expect((await tickets.get(b._id, lead)).updatedBy).toBe('lead');
  });

  it('assigns and tags for a support manager, and is forbidden to agents', async () => {
    const { open, bulk, tickets } = await setup();
    const a = await open();
    await bulk.run(bulkOf({ ticketIds: [a._id], action: 'assign', assigneeId: 'agent-2' }), lead);
    await bulk.run(bulkOf({ ticketIds: [a._id], action: 'add-tag', tag: 'Outage' }), lead);
    expect(await tickets.get(a._id, lead)).toMatchObject({ assigneeId: 'agent-2', tags: ['outage'] });
    await expect(bulk.run(bulkOf({ ticketIds: [a._id], tag: 'x' }), agent)).rejects.toThrow(ForbiddenError);
  });

  it('refuses a bad request as a whole (400) before changing anything', async () => {
    const { open, bulk, store } = await setup();
    const a = await open();
    const before = store.events.length;
    await expect(bulk.run(bulkOf({ ticketIds: [a._id], action: 'delete' }), lead)).rejects.toThrow(/action/);
    await expect(bulk.run(bulkOf({ ticketIds: [a._id], action: 'assign' }), lead)).rejects.toThrow(
      /assigneeId/,
    );
    const many = Array.from({ length: 201 }, (_, i) => `t-${i}`);
    await expect(bulk.run(bulkOf({ ticketIds: many, tag: 'x' }), lead)).rejects.toThrow(/at most 200/);
    expect(store.events.length).toBe(before);
  });
});

describe('a priority change re-targets the SLA', () => {
  it('counts the time spent against the new, shorter targets and records it', async () => {
    const { open, tickets, age, store } = await setup();
    const t = await open();
    age(t._id, 10);
    const raised = await tickets.update(t._id, 0, { priority: 'urgent' }, agent);
    const start = raised.sla.startedAt.getTime();
    expect(raised.sla.firstResponseDueAt!.getTime() - start).toBe(15 * MIN);
    expect(raised.sla.resolutionDueAt!.getTime() - start).toBe(120 * MIN);
    // Opened ten minutes ago: five minutes are left of the urgent first-response target.
    expect(raised.sla.firstResponseDueAt!.getTime() - Date.now()).toBeLessThanOrEqual(5 * MIN);
    expect(raised.slaChanges).toEqual([
      expect.objectContaining({ fromPriority: 'normal', toPriority: 'urgent', changedBy: 'agent' }),
    ]);
    expect(store.subjects()).toContain('SlaRetargeted');
  });

  it('keeps a breach that fired, and fires a due time the new target puts in the past', async () => {
    const { open, tickets, age, timers } = await setup();
    const breached = await open({ priority: 'urgent' });
    age(breached._id, 20);
    await timers.run(new Date());
    expect((await tickets.get(breached._id, agent)).sla.firstResponseBreached).toBe(true);
    const lowered = await tickets.update(breached._id, 0, { priority: 'normal' }, agent);
    expect(lowered.sla.firstResponseBreached).toBe(true);
    expect(lowered.slaState).toBe('breached');

    const late = await open();
    age(late._id, 20);
    const raised = await tickets.update(late._id, 0, { priority: 'urgent' }, agent);
    expect(raised.slaCheckAt.getTime()).toBeLessThanOrEqual(Date.now());
    await timers.run(new Date());
    expect((await tickets.get(late._id, agent)).sla.firstResponseBreached).toBe(true);
  });
});

describe('business minutes in the events', () => {
  it('count working hours only: Friday 17:00 to Monday 10:00 in Shanghai office hours is two hours', () => {
    const office = {
      ...ALWAYS,
      timeZone: 'Asia/Shanghai',
      workingDays: [1, 2, 3, 4, 5],
      opensAt: '09:00',
      closesAt: '18:00',
    };
    // 2026-11-27 is a Friday; 17:00 in Shanghai is 09:00 UTC.
    const sla = { ...NO_SLA, startedAt: new Date('2026-11-27T09:00:00Z') };
    expect(businessMinutesSpent(sla, new Date('2026-11-30T02:00:00Z'), office)).toBe(120);
    expect(
      businessMinutesSpent({ ...sla, pausedMinutes: 30 }, new Date('2026-11-30T02:00:00Z'), office),
    ).toBe(90);
  });

  it('measures the first response and the resolution in the calendar, time pending on the customer left out', async () => {
    const { open, tickets, age, store } = await setup();
    const t = await open();
    age(t._id, 90);
    store.docs.get(t._id)!.sla.pausedMinutes = 30;
    await tickets.addComment(t._id, 'public', 'Looking into it', agent);
    await tickets.resolve(t._id, 0, 'Restarted the server', agent);
    const [responded] = payloads(store, 'TicketFirstResponded').map((p) =>
      pbEvents.TicketFirstResponded.decode(p),
    );
    const [resolved] = payloads(store, 'TicketResolved').map((p) => pbEvents.TicketResolved.decode(p));
    expect(responded!.businessMinutesToRespond).toBeCloseTo(60, 0);
    expect(resolved!.businessMinutesToResolve).toBeCloseTo(60, 0);
    expect(Number(responded!.minutesToRespond)).toBe(90);
  });
});

describe('service settings', () => {
  it('start from the environment and, once a manager saves them, drive the closed loop and the warnings', async () => {
    const { admin, open, tickets } = await setup();
    expect(await admin.get(agent)).toMatchObject({ version: 0, autoCloseDays: 7, reopenWindowDays: 30 });
    const saved = await admin.save(
      0,
      {
        autoCloseDays: 3,
        reopenWindowDays: 0,
        confirmationLinkDays: 5,
        defaultWarnAtPercent: 50,
      },
      lead,
    );
    expect(saved).toMatchObject({ version: 1, autoCloseDays: 3, updatedBy: 'lead' });
    // The "fast" policy sets no percentage: the saved default (50%) places the warning.
    const t = await open();
    expect(t.sla.firstResponseWarnAt!.getTime() - t.sla.startedAt.getTime()).toBe(30 * MIN);
    const { ticket } = await tickets.resolve(t._id, 0, 'Fixed', agent);
    expect(ticket.autoCloseAt!.getTime() - ticket.resolvedAt!.getTime()).toBe(3 * 86_400_000);
    await tickets.close(t._id, 0, agent);
    // A reopen window of 0 days: closed is final.
    await expect(tickets.reopen(t._id, 0, 'Back again', agent)).rejects.toThrow(ConflictError);
  });

  it('are validated, saved by managers only and audited with who changed what', async () => {
    const { admin, serviceSettings } = await setup();
    const good = {
      autoCloseDays: 7,
      reopenWindowDays: 30,
      confirmationLinkDays: 14,
      defaultWarnAtPercent: 80,
    };
    await expect(admin.save(0, good, agent)).rejects.toThrow(ForbiddenError);
    await expect(
      admin.save(0, { ...good, autoCloseDays: 0, defaultWarnAtPercent: 100 }, lead),
    ).rejects.toThrow(/autoCloseDays.*defaultWarnAtPercent/);
    await expect(admin.save(0, { ...good, confirmationLinkDays: 3 }, lead)).rejects.toThrow(
      /confirmationLinkDays/,
    );
    await admin.save(0, good, lead);
    const doc = await serviceSettings.get('service');
    expect(doc).toMatchObject({ createdBy: 'lead', reopenWindowDays: 30 });
    const [changed] = doc!.outbox.map((e) =>
      pbEvents.ServiceSettingsChanged.decode(event.EventEnvelope.decode(e.data).payload),
    );
    expect(changed!.changedFields).toEqual([
      'auto_close_days',
      'reopen_window_days',
      'confirmation_link_days',
      'default_warn_at_percent',
      'follow_account_transfer',
    ]);
  });
});
