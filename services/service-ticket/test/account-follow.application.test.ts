import { Roles, ValidationError } from '@crm/kit';
import { event, serviceTicketQueueEvents as queuePb, serviceTicketEvents as pbEvents } from '@crm/proto';
import {
  AccountFollow,
  AccountMergeFollow,
  type AccountOwnerChange,
} from '../src/application/account-follow';
import type { Caller } from '../src/application/ports';
import { ServiceSettingsAdmin } from '../src/application/service-settings';
import { SlaSettings } from '../src/application/sla-settings';
import { Tickets } from '../src/application/tickets';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const agent = caller('agent', [Roles.agent], ['support']);
const lead = caller('lead', [Roles.supportManager]);
/** Whoever moved the account (the event's actor). */
const admin = caller('u-admin', [Roles.admin]);

const SETTINGS = {
  autoCloseDays: 7,
  reopenWindowDays: 30,
  confirmationLinkDays: 14,
  defaultWarnAtPercent: 80,
};

async function setup() {
  const mem = inMemoryPorts();
  const sla = new SlaSettings(mem.ports);
  await sla.seed();
  const tickets = new Tickets(mem.ports, sla);
  const settings = new ServiceSettingsAdmin(mem.ports);
  /** A ticket of the account, given to `assigneeId`. */
  const ticketOf = async (accountId: string, assigneeId: string) => {
    const t = await tickets.create({ accountId, subject: 'Down', channel: 'phone' }, '', agent);
    return tickets.assign(t._id, 0, assigneeId, '', agent);
  };
  return { ...mem, store: mem.tickets, tickets, settings, ticketOf, follow: new AccountFollow(mem.ports) };
}

const change = (over: Partial<AccountOwnerChange> = {}): AccountOwnerChange => ({
  accountId: 'acc-1',
  previousOwnerId: 'u-a',
  newOwnerId: 'u-b',
  transferId: 't-1',
  reason: 'transfer',
  at: new Date(),
  ...over,
});

const assignedEvents = (store: { events: { subject: string; data: Buffer }[] }) =>
  store.events
    .filter((e) => e.subject === 'crm.serviceticket.v1.TicketAssigned')
    .map((e) => {
      const envelope = event.EventEnvelope.decode(e.data);
      return { actor: envelope.actor?.userId, ...queuePb.TicketAssigned.decode(envelope.payload) };
    });

describe('tickets following their account to its new owner', () => {
  it('by default nothing moves: support ownership is by queue', async () => {
    const s = await setup();
    const t = await s.ticketOf('acc-1', 'u-a');
    expect((await s.settings.get(lead)).followAccountTransfer).toBe('none');
    expect(await s.follow.follow(change(), admin.actor, 'req-transfer')).toBe(0);
    expect((await s.tickets.get(t._id, agent)).assigneeId).toBe('u-a');
  });

  it("with `assignee`, the account's open tickets of the previous owner go to the new one, recorded as who moved the account", async () => {
    const s = await setup();
    await s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'assignee' }, lead);
    const mine = await s.ticketOf('acc-1', 'u-a');
    const pending = await s.ticketOf('acc-1', 'u-a');
    await s.tickets.changeStatus(pending._id, 0, 'pending', 'customer', agent);
    const otherAccount = await s.ticketOf('acc-2', 'u-a');
    const otherAgent = await s.ticketOf('acc-1', 'u-c');
    const before = assignedEvents(s.store).length;

    expect(await s.follow.follow(change(), admin.actor, 'req-transfer')).toBe(2);

    for (const id of [mine._id, pending._id]) {
      const t = await s.tickets.get(id, agent);
      expect(t).toMatchObject({ assigneeId: 'u-b', updatedBy: 'u-admin' });
      expect(t.assignments!.at(-1)).toMatchObject({
        assigneeId: 'u-b',
        previousAssigneeId: 'u-a',
        method: 'follow-account',
        assignedBy: 'u-admin',
        reason: expect.stringContaining('ownership transfer t-1'),
      });
    }
    expect((await s.tickets.get(otherAccount._id, agent)).assigneeId).toBe('u-a');
    expect((await s.tickets.get(otherAgent._id, agent)).assigneeId).toBe('u-c');
    const moved = assignedEvents(s.store).slice(before);
    expect(moved.map((e) => [e.ticket?.id, e.actor, e.assignment?.method])).toEqual([
      [mine._id, 'u-admin', 'follow-account'],
      [pending._id, 'u-admin', 'follow-account'],
    ]);
    // TicketUpdated names the assignee too, as for any other assignment.
    const updated = s.store.events
      .filter((e) => e.subject === 'crm.serviceticket.v1.TicketUpdated')
      .map((e) => pbEvents.TicketUpdated.decode(event.EventEnvelope.decode(e.data).payload))
      .filter((e) => e.ticket?.id === mine._id);
    expect(updated.at(-1)!.changedFields).toEqual(['assignee_id']);
  });

  it('resolved and closed tickets never move', async () => {
    const s = await setup();
    await s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'assignee' }, lead);
    const resolved = await s.ticketOf('acc-1', 'u-a');
    await s.tickets.resolve(resolved._id, 0, 'Fixed', agent);
    const closed = await s.ticketOf('acc-1', 'u-a');
    await s.tickets.resolve(closed._id, 0, 'Fixed', agent);
    await s.tickets.close(closed._id, 0, agent);
    expect(await s.follow.follow(change(), admin.actor, 'req-transfer')).toBe(0);
    for (const id of [resolved._id, closed._id])
      expect((await s.tickets.get(id, agent)).assigneeId).toBe('u-a');
  });

  it('a repeated event moves nothing twice; a ticket handed to the previous owner after the account moved stays', async () => {
    const s = await setup();
    await s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'assignee' }, lead);
    const before = new Date(Date.now() - 60_000);
    await s.ticketOf('acc-1', 'u-a');
    const events = s.store.events.length;
    expect(await s.follow.follow(change({ at: before }), admin.actor, 'req')).toBe(0);
    expect(s.store.events.length).toBe(events);

    expect(await s.follow.follow(change(), admin.actor, 'req')).toBe(1);
    expect(await s.follow.follow(change(), admin.actor, 'req')).toBe(0);
    expect(s.store.events.length).toBe(events + 2);
  });

  it('an account going to the pool, or to the owner it had, moves nothing', async () => {
    const s = await setup();
    await s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'assignee' }, lead);
    const t = await s.ticketOf('acc-1', 'u-a');
    const released = change({ newOwnerId: '', transferId: '', reason: 'pool-release' });
    expect(await s.follow.follow(released, admin.actor, 'req')).toBe(0);
    expect(await s.follow.follow(change({ newOwnerId: 'u-a' }), admin.actor, 'req')).toBe(0);
    expect((await s.tickets.get(t._id, agent)).assigneeId).toBe('u-a');
  });
});

describe('the followAccountTransfer setting', () => {
  it('takes none or assignee; anything else is refused naming the field', async () => {
    const s = await setup();
    await expect(s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'owner' }, lead)).rejects.toThrow(
      ValidationError,
    );
    await expect(s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'owner' }, lead)).rejects.toThrow(
      /followAccountTransfer/,
    );
    expect(await s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'assignee' }, lead)).toMatchObject({
      version: 1,
      followAccountTransfer: 'assignee',
    });
  });

  it('a save that leaves it out (an older client) keeps what was saved', async () => {
    const s = await setup();
    await s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'assignee' }, lead);
    const saved = await s.settings.save(0, { ...SETTINGS, autoCloseDays: 3 }, lead);
    expect(saved).toMatchObject({ autoCloseDays: 3, followAccountTransfer: 'assignee', version: 2 });
    expect(await s.settings.save(0, { ...SETTINGS, followAccountTransfer: 'none' }, lead)).toMatchObject({
      followAccountTransfer: 'none',
    });
  });
});

describe('tickets following their account into a merge', () => {
  it('every ticket of the merged account, closed ones too, points at the survivor; assignee and queue stay', async () => {
    const s = await setup();
    const open = await s.ticketOf('acc-1', 'u-a');
    const closed = await s.ticketOf('acc-1', 'u-b');
    await s.tickets.resolve(closed._id, 0, 'Fixed', agent);
    await s.tickets.close(closed._id, 0, agent);
    const elsewhere = await s.ticketOf('acc-2', 'u-a');
    const merge = new AccountMergeFollow(s.ports);

    expect(await merge.follow('acc-1', 'acc-survivor', admin.actor, 'req-merge')).toBe(2);
    const after = async (id: string) => (await s.store.get(id))!;
    expect(await after(open._id)).toMatchObject({
      accountId: 'acc-survivor',
      assigneeId: 'u-a',
      updatedBy: 'u-admin',
    });
    expect(await after(closed._id)).toMatchObject({ accountId: 'acc-survivor', status: 'closed' });
    expect((await after(elsewhere._id)).accountId).toBe('acc-2');
    // A redelivery of the event: nothing left to move.
    expect(await merge.follow('acc-1', 'acc-survivor', admin.actor, 'req-merge')).toBe(0);
  });
});
