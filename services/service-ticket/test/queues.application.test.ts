import { ForbiddenError, NotFoundError, Roles, ValidationError } from '@crm/kit';
import { serviceTicketEvents, serviceTicketQueueEvents } from '@crm/proto';
import { event } from '@crm/proto';
import type { Caller } from '../src/application/ports';
import { Queues } from '../src/application/queues';
import { SlaSettings } from '../src/application/sla-settings';
import { SlaTimers } from '../src/application/sla-timers';
import { type TicketPatch, Tickets } from '../src/application/tickets';
import type { QueueFields } from '../src/domain/queue';
import { inMemoryPorts } from './support/in-memory-repositories';
import { inMemoryQueuePorts } from './support/in-memory-queues';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
/** In the Keycloak group "support" (access as before queues were records). */
const agent = caller('agent', [Roles.agent], ['support']);
/** Billing agents: members of the billing queue record, in no group. */
const ann = caller('ann', [Roles.agent]);
const bob = caller('bob', [Roles.agent]);
const lead = caller('lead', [Roles.supportManager]);
const admin = caller('admin', [Roles.admin]);

const billing = (over: Partial<QueueFields> = {}): QueueFields => ({
  name: 'Billing',
  members: [
    { userId: 'ann', availability: 'available' },
    { userId: 'bob', availability: 'available' },
  ],
  seniorQueue: '',
  managerId: 'lead',
  assignmentMethod: 'round-robin',
  active: true,
  ...over,
});
const BILLING_RULE = {
  name: 'Key accounts with billing questions',
  when: { categories: ['billing'], tiers: ['A'], channels: [], priorities: [] },
  queue: 'billing',
};
/** acc-1 is a tier-A account. */
const billingTicket = (over: TicketPatch = {}): TicketPatch => ({
  accountId: 'acc-1',
  subject: 'Invoice is wrong',
  channel: 'email',
  priority: 'normal',
  category: 'billing',
  ...over,
});

async function setup(queue: Partial<QueueFields> = {}) {
  const mem = inMemoryPorts();
  const settings = new SlaSettings(mem.ports);
  await settings.seed();
  const q = inMemoryQueuePorts(mem.tickets);
  const queues = new Queues(q.ports);
  await queues.seed();
  await queues.save('billing', 0, billing(queue), lead);
  await queues.saveRules(0, { rules: [BILLING_RULE], defaultQueue: 'support' }, admin);
  const tickets = new Tickets(mem.ports, settings, queues);
  return {
    ...mem,
    ...q,
    ticketPorts: mem.ports,
    store: mem.tickets,
    queueStore: q.queues,
    settings,
    queues,
    tickets,
  };
}

const payloadOf = (data: Buffer) => event.EventEnvelope.decode(data).payload;

describe('queues as records', () => {
  it('ships support (escalating to tier-2) and tier-2; support managers add queues, agents only read', async () => {
    const { queues, queueStore } = await setup();
    expect((await queues.list(agent)).map((q) => q._id)).toEqual(['billing', 'support', 'tier-2']);
    expect(await queues.get('support', agent)).toMatchObject({ seniorQueue: 'tier-2', members: [] });
    await expect(queues.save('vip', 0, billing(), agent)).rejects.toThrow(ForbiddenError);
    await expect(queues.get('nope', agent)).rejects.toThrow(NotFoundError);
    const saved = await queues.get('billing', agent);
    expect(saved).toMatchObject({ createdBy: 'lead', updatedBy: 'lead', version: 1 });
    const [first] = queueStore.events;
    const body = serviceTicketQueueEvents.QueueSaved.decode(payloadOf(first!.data));
    expect(body.queue).toMatchObject({ key: 'billing', members: [{ userId: 'ann' }, { userId: 'bob' }] });
  });

  it('refuses a queue that escalates to an unknown queue, a bad method, a member listed twice', async () => {
    const { queues } = await setup();
    await expect(queues.save('vip', 0, billing({ seniorQueue: 'nowhere' }), lead)).rejects.toThrow(
      ValidationError,
    );
    const bad = queues.save(
      'vip',
      0,
      billing({
        assignmentMethod: 'random' as never,
        members: [
          { userId: 'ann', availability: 'available' },
          { userId: 'ann', availability: 'away' },
        ],
      }),
      lead,
    );
    await expect(bad).rejects.toMatchObject({
      violations: [
        { field: 'members[1].userId', description: 'is listed twice' },
        { field: 'assignmentMethod', description: expect.stringContaining('round-robin') },
      ],
    });
  });

  it('an agent sets their own availability, not a colleague’s; a support manager sets anyone’s', async () => {
    const { queues } = await setup();
    const away = await queues.setAvailability('billing', '', 'away', ann);
    expect(away.members).toEqual([
      { userId: 'ann', availability: 'away' },
      { userId: 'bob', availability: 'available' },
    ]);
    expect(away.updatedBy).toBe('ann');
    await expect(queues.setAvailability('billing', 'bob', 'away', ann)).rejects.toThrow(ForbiddenError);
    expect((await queues.setAvailability('billing', 'bob', 'away', lead)).members[1]!.availability).toBe(
      'away',
    );
    await expect(queues.setAvailability('billing', '', 'away', agent)).rejects.toThrow(ValidationError);
    // Saving the queue again without availabilities keeps what the members set.
    const resaved = await queues.save('billing', 0, billing({ members: [{ userId: 'ann' } as never] }), lead);
    expect(resaved.members).toEqual([{ userId: 'ann', availability: 'away' }]);
  });

  it('assignment rules are validated when saved and versioned', async () => {
    const { queues } = await setup();
    const bad = queues.saveRules(
      0,
      {
        rules: [{ ...BILLING_RULE, queue: 'nowhere', when: { ...BILLING_RULE.when, channels: ['fax'] } }],
        defaultQueue: 'support',
      },
      admin,
    );
    await expect(bad).rejects.toMatchObject({
      violations: [{ field: 'rules[0].when.channels', description: expect.any(String) }],
    });
    const unknown = queues.saveRules(
      0,
      { rules: [{ ...BILLING_RULE, queue: 'nowhere' }], defaultQueue: 'support' },
      admin,
    );
    await expect(unknown).rejects.toMatchObject({ violations: [{ field: 'rules[0].queue' }] });
    await expect(queues.saveRules(0, { rules: [], defaultQueue: 'support' }, agent)).rejects.toThrow(
      ForbiddenError,
    );
    const current = await queues.rules(agent);
    expect(current).toMatchObject({ version: 2, updatedBy: 'admin', rules: [BILLING_RULE] });
    await expect(queues.saveRules(1, { rules: [], defaultQueue: 'support' }, admin)).rejects.toThrow(
      /version/i,
    );
  });
});

describe('routing and assigning new tickets', () => {
  it('routes a tier-A billing ticket to the billing queue and gives it to an available member', async () => {
    const { tickets, store } = await setup();
    const t = await tickets.create(billingTicket(), '', agent);
    expect(t).toMatchObject({ queue: 'billing', assigneeId: 'ann' });
    expect(t.assignments).toEqual([
      expect.objectContaining({ assigneeId: 'ann', method: 'round-robin', assignedBy: 'assignment' }),
    ]);
    expect(store.subjects()).toEqual(['TicketCreated', 'TicketAssigned']);
    const assigned = serviceTicketQueueEvents.TicketAssigned.decode(payloadOf(store.events[1]!.data));
    expect(assigned.assignment).toMatchObject({ assigneeId: 'ann', queue: 'billing', method: 'round-robin' });
    // The member works it although they are in no Keycloak group.
    expect((await tickets.get(t._id, ann))._id).toBe(t._id);
    const mine = await tickets.list(
      {
        status: '',
        queue: '',
        assigneeId: '',
        priority: '',
        accountId: '',
        slaState: '',
        sort: '',
        limit: 0,
        cursor: '',
      },
      ann,
    );
    expect(mine.tickets.map((x) => x._id)).toEqual([t._id]);
  });

  it('a ticket the rules do not match goes to the default queue, unassigned while it has no members', async () => {
    const { tickets } = await setup();
    const other = await tickets.create(billingTicket({ accountId: 'acc-2' }), '', agent); // no tier
    expect(other).toMatchObject({ queue: 'support', assigneeId: '' });
    const named = await tickets.create(billingTicket(), 'support', agent);
    expect(named.queue).toBe('support');
    await expect(tickets.create(billingTicket(), 'nowhere', lead)).rejects.toThrow(ValidationError);
  });

  it('an away member gets nothing', async () => {
    const { tickets, queues } = await setup();
    await queues.setAvailability('billing', '', 'away', ann);
    const a = await tickets.create(billingTicket(), '', agent);
    const b = await tickets.create(billingTicket(), '', agent);
    expect([a.assigneeId, b.assigneeId]).toEqual(['bob', 'bob']);
    await queues.setAvailability('billing', '', 'away', bob);
    expect((await tickets.create(billingTicket(), '', agent)).assigneeId).toBe('');
  });

  it('round robin spreads four tickets opened at once over two members 2/2', async () => {
    const { tickets, turns } = await setup();
    // Every claim waits a tick after reading the last turn, so all four read the same turn and race.
    turns.beforeClaim = () => new Promise((resolve) => setImmediate(resolve));
    const four = await Promise.all([1, 2, 3, 4].map(() => tickets.create(billingTicket(), '', agent)));
    const count = (who: string) => four.filter((t) => t.assigneeId === who).length;
    expect([count('ann'), count('bob')]).toEqual([2, 2]);
    expect([...turns.turns.keys()].sort()).toEqual(['billing#1', 'billing#2', 'billing#3', 'billing#4']);
  });

  it('least loaded gives the ticket to the member with the fewest open tickets', async () => {
    const { tickets } = await setup({ assignmentMethod: 'least-loaded' });
    const first = await tickets.create(billingTicket(), '', agent);
    expect(first.assigneeId).toBe('ann');
    // Ann hands her ticket to Bob: Bob has one open, Ann none, so the next two go to Ann and then either.
    await tickets.assign(first._id, 0, 'bob', '', ann);
    expect((await tickets.create(billingTicket(), '', agent)).assigneeId).toBe('ann');
    const third = await tickets.create(billingTicket(), '', agent);
    expect(third.assigneeId).toBe('bob'); // a tie goes to whoever is next in turn after Ann
  });

  it('least loaded counts a ticket handed out a moment ago that is not stored yet', async () => {
    const { queues, tickets } = await setup({ assignmentMethod: 'least-loaded' });
    const bobs = await tickets.create(billingTicket(), '', agent);
    expect(bobs.assigneeId).toBe('ann');
    await tickets.assign(bobs._id, 0, 'bob', '', ann); // Bob has one open ticket, Ann none
    // Ann's turn for a ticket still being written: Ann and Bob are even, so Bob is next in turn.
    const inFlight = await queues.pickAgent('billing', 'ticket-being-written');
    expect(inFlight?.agentId).toBe('ann');
    expect((await queues.pickAgent('billing', 'next-ticket'))?.agentId).toBe('bob');
  });
});

describe('taking, handing over and escalating', () => {
  it('an agent takes a ticket, hands it to another member (recorded who and when), never to a stranger', async () => {
    const { tickets, queues, store } = await setup();
    await queues.setAvailability('billing', 'ann', 'away', lead);
    await queues.setAvailability('billing', 'bob', 'away', lead);
    const t = await tickets.create(billingTicket(), '', agent);
    expect(t.assigneeId).toBe('');
    const taken = await tickets.assign(t._id, 0, '', '', ann);
    expect(taken.assignments).toEqual([
      expect.objectContaining({
        assigneeId: 'ann',
        previousAssigneeId: '',
        method: 'take',
        assignedBy: 'ann',
      }),
    ]);
    const handed = await tickets.assign(t._id, 0, 'bob', '', ann);
    expect(handed.assigneeId).toBe('bob');
    expect(handed.assignments?.[1]).toMatchObject({ previousAssigneeId: 'ann', method: 'hand-over' });
    expect(handed.assignments?.[1]?.assignedAt).toBeInstanceOf(Date);
    await expect(tickets.assign(t._id, 0, 'mallory', '', bob)).rejects.toMatchObject({
      violations: [{ field: 'assigneeId', description: 'is not a member of queue billing' }],
    });
    expect(store.subjects().filter((s) => s === 'TicketAssigned')).toHaveLength(2);
  });

  it('escalating without a queue moves the ticket to the senior queue, with the reason and from/to queue', async () => {
    const { tickets, store } = await setup();
    const t = await tickets.create(billingTicket({ category: 'login' }), '', agent);
    expect(t.queue).toBe('support');
    const up = await tickets.escalate(t._id, 0, 'Needs a database fix', '', agent);
    expect(up).toMatchObject({ queue: 'tier-2', assigneeId: '', level: 2 });
    expect(up.escalations[0]).toMatchObject({
      fromQueue: 'support',
      toQueue: 'tier-2',
      reason: 'Needs a database fix',
    });
    const entry = store.events.find((e) => e.subject.endsWith('TicketEscalated'))!;
    const body = serviceTicketEvents.TicketEscalated.decode(payloadOf(entry.data));
    expect(body).toMatchObject({ fromQueue: 'support', toQueue: 'tier-2' });
    await expect(tickets.escalate(t._id, 0, 'again', 'nowhere', lead)).rejects.toThrow(ValidationError);
  });

  it('a queue without a senior queue escalates to its support manager', async () => {
    const { tickets } = await setup();
    const t = await tickets.create(billingTicket(), '', agent);
    const up = await tickets.escalate(t._id, 0, 'Refund above my limit', '', ann);
    expect(up).toMatchObject({ queue: 'billing', assigneeId: 'lead', level: 2 });
    expect(up.escalations[0]).toMatchObject({ fromQueue: 'billing', toQueue: '', toManagerId: 'lead' });
  });

  it('an SLA warning escalates the ticket to the senior queue by itself', async () => {
    const { tickets, queues, ticketPorts, store } = await setup();
    const t = await tickets.create(billingTicket({ category: 'login', priority: 'urgent' }), '', agent);
    const timers = new SlaTimers(ticketPorts, queues);
    // Far enough ahead that any calendar's warning time has passed.
    await timers.run(new Date(t.createdAt.getTime() + 30 * 86_400_000));
    const now = await store.get(t._id);
    expect(now).toMatchObject({ queue: 'tier-2', assigneeId: '' });
    expect(now!.escalations[0]).toMatchObject({
      escalatedBy: 'sla-timer',
      fromQueue: 'support',
      toQueue: 'tier-2',
    });
  });
});
