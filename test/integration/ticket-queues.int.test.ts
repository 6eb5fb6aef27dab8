import { api, RUN, userId } from './support';

/** Queues of this run; the rules route `billing` tickets of tier-A accounts and `rr-<run>` tickets to them. */
const BILLING = `billing-${RUN}`;
const ROTATION = `rr-${RUN}`;
const ROTATION_CATEGORY = `rr-${RUN}`;

let agentId = '';
let leadId = '';
/** The rules before this file ran, put back afterwards (other files open tickets too). */
let previousRules: { rules: unknown[]; defaultQueue: string } | undefined;

const saveQueue = (key: string, json: Record<string, unknown>, as: 'supportlead' | 'agent' = 'supportlead') =>
  api('PUT', `/api/v1/queues/${key}`, { as, json });

let accountSeq = 0;
async function tierAAccount(): Promise<string> {
  accountSeq++;
  const res = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: {
      name: `Queue customer ${RUN} ${accountSeq}`,
      website: `https://queues-${RUN}-${accountSeq}.example.com`,
    },
  });
  expect(res.status).toBe(201);
  const tier = await api('PUT', `/api/v1/accounts/${res.body.id}/tier`, {
    as: 'admin',
    json: { tier: 'A', reason: 'Key customer' },
  });
  expect(tier.status).toBe(200);
  return res.body.id as string;
}

async function openTicket(accountId: string, category: string) {
  const res = await api('POST', '/api/v1/tickets', {
    as: 'agent',
    json: { accountId, subject: `Invoice question ${RUN}`, channel: 'email', priority: 'normal', category },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; queue: string; assigneeId: string; [k: string]: unknown };
}

beforeAll(async () => {
  agentId = await userId('agent');
  leadId = await userId('supportlead');
  const before = await api('GET', '/api/v1/assignment-rules', { as: 'supportlead' });
  expect(before.status).toBe(200);
  previousRules = { rules: before.body.rules, defaultQueue: before.body.defaultQueue };
  // The agent is available, the support lead away; escalations go to tier-2.
  const billing = await saveQueue(BILLING, {
    name: `Billing ${RUN}`,
    members: [
      { userId: agentId, availability: 'available' },
      { userId: leadId, availability: 'away' },
    ],
    seniorQueue: 'tier-2',
    assignmentMethod: 'round-robin',
  });
  expect(billing.status).toBe(200);
  const rotation = await saveQueue(ROTATION, {
    name: `Rotation ${RUN}`,
    members: [{ userId: agentId }, { userId: leadId }],
    assignmentMethod: 'round-robin',
  });
  expect(rotation.status).toBe(200);
  const rules = await api('PUT', '/api/v1/assignment-rules', {
    as: 'supportlead',
    json: {
      rules: [
        { name: 'Key accounts: billing', when: { categories: ['billing'], tiers: ['A'] }, queue: BILLING },
        { name: 'Rotation test', when: { categories: [ROTATION_CATEGORY] }, queue: ROTATION },
        ...previousRules.rules,
      ],
      defaultQueue: previousRules.defaultQueue,
    },
  });
  expect(rules.status).toBe(200);
});

afterAll(async () => {
  if (previousRules) await api('PUT', '/api/v1/assignment-rules', { as: 'supportlead', json: previousRules });
});

describe('ticket queues and assignment (real Keycloak, gateway and service-ticket service)', () => {
  it('a rule routes a tier-A billing ticket to its queue and gives it to the available member; the away one gets nothing', async () => {
    const accountId = await tierAAccount();
    const first = await openTicket(accountId, 'billing');
    const second = await openTicket(accountId, 'billing');
    expect([first, second].map((t) => [t.queue, t.assigneeId])).toEqual([
      [BILLING, agentId],
      [BILLING, agentId],
    ]);
    expect(first.assignments).toEqual([
      expect.objectContaining({ assigneeId: agentId, method: 'round-robin', assignedBy: 'assignment' }),
    ]);
    // The agent works the queue as a member of its record (no Keycloak group of that name).
    const mine = await api('GET', `/api/v1/tickets?queue=${BILLING}&assigneeId=me`, { as: 'agent' });
    expect(mine.body.items.map((t: { id: string }) => t.id).sort()).toEqual([first.id, second.id].sort());
    // A ticket of another tier is not matched: it goes to the default queue.
    const other = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Queue customer ${RUN} untiered`, website: `https://queues-${RUN}-untiered.example.com` },
    });
    expect((await openTicket(other.body.id, 'billing')).queue).toBe('support');
  });

  it('round robin spreads four tickets opened at once over two members 2/2', async () => {
    const accountId = await tierAAccount();
    const four = await Promise.all([1, 2, 3, 4].map(() => openTicket(accountId, ROTATION_CATEGORY)));
    expect(four.map((t) => t.queue)).toEqual([ROTATION, ROTATION, ROTATION, ROTATION]);
    const count = (id: string) => four.filter((t) => t.assigneeId === id).length;
    expect([count(agentId), count(leadId)]).toEqual([2, 2]);
  });

  it('an escalation moves the ticket to the senior queue with the reason and where it came from', async () => {
    const t = await openTicket(await tierAAccount(), 'billing');
    const esc = await api('POST', `/api/v1/tickets/${t.id}/escalate`, {
      as: 'agent',
      json: { reason: 'Refund above the first line limit' },
    });
    expect(esc.status).toBe(200);
    expect(esc.body).toMatchObject({ queue: 'tier-2', assigneeId: '', level: 2 });
    expect(esc.body.escalations[0]).toMatchObject({
      fromQueue: BILLING,
      toQueue: 'tier-2',
      reason: 'Refund above the first line limit',
      escalatedBy: agentId,
    });
  });

  it('an agent takes a ticket and hands it to another member, recorded who and when', async () => {
    const accountId = await tierAAccount();
    await api('PUT', `/api/v1/queues/${BILLING}/availability`, {
      as: 'agent',
      json: { availability: 'away' },
    });
    const t = await openTicket(accountId, 'billing');
    expect(t.assigneeId).toBe(''); // everyone is away
    await api('PUT', `/api/v1/queues/${BILLING}/availability`, {
      as: 'agent',
      json: { availability: 'available' },
    });
    const taken = await api('POST', `/api/v1/tickets/${t.id}/assign`, { as: 'agent', json: {} });
    expect(taken.body).toMatchObject({ assigneeId: agentId });
    const handed = await api('POST', `/api/v1/tickets/${t.id}/assign`, {
      as: 'agent',
      json: { assigneeId: leadId },
    });
    expect(handed.status).toBe(200);
    expect(
      handed.body.assignments.map((a: { method: string; assignedBy: string }) => [a.method, a.assignedBy]),
    ).toEqual([
      ['take', agentId],
      ['hand-over', agentId],
    ]);
    const stranger = await api('POST', `/api/v1/tickets/${t.id}/assign`, {
      as: 'supportlead',
      json: { assigneeId: await userId('rep1') },
    });
    expect(stranger.status).toBe(400);
  });

  it('an agent reads queues and sets their own availability, but cannot manage queues or rules (403)', async () => {
    expect((await api('GET', '/api/v1/queues', { as: 'agent' })).status).toBe(200);
    const create = await saveQueue(`agent-${RUN}`, { name: 'Mine', members: [] }, 'agent');
    expect(create.status).toBe(403);
    const rules = await api('PUT', '/api/v1/assignment-rules', { as: 'agent', json: { rules: [] } });
    expect(rules.status).toBe(403);
    const other = await api('PUT', `/api/v1/queues/${BILLING}/availability`, {
      as: 'agent',
      json: { userId: leadId, availability: 'available' },
    });
    expect(other.status).toBe(403);
    const stranger = await saveQueue(`strangers-${RUN}`, {
      name: 'Strangers',
      members: [{ userId: 'no-such-user' }],
    });
    expect(stranger.status).toBe(400);
  });
});
