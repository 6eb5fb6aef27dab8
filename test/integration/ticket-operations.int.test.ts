import { event as eventProto, serviceTicketEvents } from '@crm/proto';
import { connect, DeliverPolicy, type NatsConnection } from 'nats';
import { api, RUN, userId } from './support';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PROBLEM = /^application\/problem\+json/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
async function newAccount(): Promise<string> {
  seq++;
  const res = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `Ticket ops ${RUN} ${seq}`, website: `https://ticket-ops-${RUN}-${seq}.example.com` },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function newTicket(accountId: string, json: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/tickets', {
    as: 'agent',
    json: { accountId, subject: `Printer offline ${RUN}`, channel: 'email', priority: 'normal', ...json },
  });
  expect(res.status).toBe(201);
  return res.body;
}

const post = (path: string, json: unknown, as: 'agent' | 'supportlead' | 'rep1' = 'agent') =>
  api('POST', path, { as, json });

/** The first event of `name` about ticket `id` published since `since`, read by the test stack's observer. */
async function eventOf<T>(
  nc: NatsConnection,
  name: 'TicketFirstResponded' | 'TicketResolved',
  id: string,
  since: string,
): Promise<T> {
  const consumer = await nc.jetstream().consumers.get('CRM_SERVICE_TICKET', {
    filterSubjects: `crm.serviceticket.v1.${name}`,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: since,
  });
  const messages = await consumer.consume();
  let found: T | undefined;
  for await (const m of messages) {
    const envelope = eventProto.EventEnvelope.decode(m.data);
    if (envelope.aggregateId !== id) continue;
    found = serviceTicketEvents[name].decode(envelope.payload) as T;
    break;
  }
  await messages.close();
  return found!;
}

describe('ticket operations (real Keycloak, account and service-ticket services, NATS)', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({
      servers: NATS_URL,
      user: 'observer',
      pass: process.env.NATS_OBSERVER_PASSWORD,
      inboxPrefix: '_INBOX_observer',
    });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('merges a duplicate: closed and pointing at the target, which keeps its notes; wrong merges are 4xx', async () => {
    const accountId = await newAccount();
    const target = await newTicket(accountId);
    const dup = await newTicket(accountId, {
      attachments: [{ name: 'cfg.txt', sizeBytes: 12, contentType: 'text/plain' }],
    });
    expect(
      (await post(`/api/v1/tickets/${dup.id}/comments`, { visibility: 'internal', body: 'Same printer' }))
        .status,
    ).toBe(201);

    const self = await post(`/api/v1/tickets/${dup.id}/merge`, { intoTicketId: dup.id });
    expect(self.status).toBe(400);
    expect(self.contentType).toMatch(PROBLEM);
    const elsewhere = await newTicket(await newAccount());
    const across = await post(`/api/v1/tickets/${dup.id}/merge`, { intoTicketId: elsewhere.id });
    expect(across.status).toBe(400);
    expect(across.body.errors).toEqual([expect.objectContaining({ field: 'intoTicketId' })]);

    const merged = await post(`/api/v1/tickets/${dup.id}/merge`, { intoTicketId: target.id });
    expect(merged.status).toBe(200);
    const agent = await userId('agent');
    expect(merged.body.duplicate).toMatchObject({
      status: 'closed',
      mergedIntoTicketId: target.id,
      mergedBy: agent,
    });
    expect(merged.body.duplicate.sla.state).not.toBe('breached');
    const kept = (await api('GET', `/api/v1/tickets/${target.id}`, { as: 'agent' })).body;
    expect(kept.comments).toEqual([
      expect.objectContaining({ body: 'Same printer', mergedFromTicketId: dup.id }),
    ]);
    expect(kept.attachments).toEqual([{ name: 'cfg.txt', sizeBytes: 12, contentType: 'text/plain' }]);
    expect(kept.mergedTickets).toEqual([expect.objectContaining({ ticketId: dup.id, mergedBy: agent })]);

    // Into a closed ticket (the duplicate now is one): 409.
    const third = await newTicket(accountId);
    expect((await post(`/api/v1/tickets/${third.id}/merge`, { intoTicketId: dup.id })).status).toBe(409);
  });

  it('bulk: a support manager tags many tickets, each reported, a bad one not stopping the rest; agents get 403', async () => {
    const accountId = await newAccount();
    const a = await newTicket(accountId);
    const b = await newTicket(accountId);
    const gone = await newTicket(accountId);
    expect((await post(`/api/v1/tickets/${gone.id}/merge`, { intoTicketId: a.id })).status).toBe(200);
    const body = {
      action: 'status',
      status: 'pending',
      pendingReason: 'internal',
      ticketIds: [a.id, gone.id, `missing-${RUN}`, b.id],
    };
    expect((await post('/api/v1/tickets/bulk', body, 'agent')).status).toBe(403);
    const res = await post('/api/v1/tickets/bulk', body, 'supportlead');
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((i: { id: string; ok: boolean; problem: { status: number } | null }) => [
        i.id,
        i.ok,
        i.problem?.status ?? null,
      ]),
    ).toEqual([
      [a.id, true, null],
      [gone.id, false, 409],
      [`missing-${RUN}`, false, 404],
      [b.id, true, null],
    ]);
    expect(res.body).toMatchObject({ succeeded: 2, failed: 2 });
    const lead = await userId('supportlead');
    expect((await api('GET', `/api/v1/tickets/${b.id}`, { as: 'agent' })).body).toMatchObject({
      status: 'pending',
      updatedBy: lead,
    });
  });

  it('a priority raise shortens the SLA due times, recorded with who changed it', async () => {
    const t = await newTicket(await newAccount(), { priority: 'low' });
    const raised = await api('PATCH', `/api/v1/tickets/${t.id}`, {
      as: 'agent',
      json: { priority: 'urgent' },
    });
    expect(raised.status).toBe(200);
    expect(Date.parse(raised.body.sla.firstResponseDueAt)).toBeLessThan(Date.parse(t.sla.firstResponseDueAt));
    expect(Date.parse(raised.body.sla.resolutionDueAt)).toBeLessThan(Date.parse(t.sla.resolutionDueAt));
    expect(raised.body.slaChanges).toEqual([
      expect.objectContaining({
        fromPriority: 'low',
        toPriority: 'urgent',
        changedBy: await userId('agent'),
      }),
    ]);
  });

  it("TicketFirstResponded and TicketResolved carry business minutes of the ticket's calendar", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const today = new Date();
    const day = (d: number) => new Date(today.getTime() + d * 86_400_000).toISOString().slice(0, 10);
    const always = {
      timeZone: 'UTC',
      workingDays: [1, 2, 3, 4, 5, 6, 7],
      opensAt: '00:00',
      closesAt: '24:00',
    };
    for (const [id, holidays] of [
      [`ops-always-${RUN}`, []],
      [`ops-holiday-${RUN}`, [day(-1), day(0), day(1)]],
    ] as const) {
      const cal = await api('PUT', `/api/v1/business-calendars/${id}`, {
        as: 'supportlead',
        json: { name: id, ...always, holidays },
      });
      expect(cal.status).toBe(200);
      const policy = await api('PUT', `/api/v1/sla-policies/${id}`, {
        as: 'supportlead',
        json: {
          name: id,
          calendarId: id,
          warnAtPercent: 80,
          targets: [{ priority: 'normal', tier: '', firstResponseMinutes: 600, resolutionMinutes: 6000 }],
        },
      });
      expect(policy.status).toBe(200);
    }
    const accountId = await newAccount();
    const working = await newTicket(accountId, { slaPolicyId: `ops-always-${RUN}` });
    const holiday = await newTicket(accountId, { slaPolicyId: `ops-holiday-${RUN}` });
    // Twelve seconds: a fifth of a business minute in the working calendar, none on a holiday.
    await sleep(12_000);
    for (const t of [working, holiday]) {
      expect(
        (await post(`/api/v1/tickets/${t.id}/comments`, { visibility: 'public', body: 'On it' })).status,
      ).toBe(201);
      expect(
        (await post(`/api/v1/tickets/${t.id}/resolve`, { resolution: 'Replaced the toner' })).status,
      ).toBe(200);
    }
    type Responded = serviceTicketEvents.TicketFirstResponded;
    type Resolved = serviceTicketEvents.TicketResolved;
    const w1 = await eventOf<Responded>(nc, 'TicketFirstResponded', working.id, since);
    const w2 = await eventOf<Resolved>(nc, 'TicketResolved', working.id, since);
    const h1 = await eventOf<Responded>(nc, 'TicketFirstResponded', holiday.id, since);
    const h2 = await eventOf<Resolved>(nc, 'TicketResolved', holiday.id, since);
    expect(w1.businessMinutesToRespond).toBeGreaterThanOrEqual(0.2);
    expect(w1.businessMinutesToRespond).toBeLessThan(5);
    expect(w2.businessMinutesToResolve).toBeGreaterThanOrEqual(w1.businessMinutesToRespond);
    expect(h1.businessMinutesToRespond).toBe(0);
    expect(h2.businessMinutesToResolve).toBe(0);
    expect(w1.ticket).toMatchObject({ id: working.id, priority: 'normal', queue: 'support' });
  });

  it('service settings: support staff read them, a support manager saves them (recorded), an agent cannot', async () => {
    const now = await api('GET', '/api/v1/service-settings', { as: 'agent' });
    expect(now.status).toBe(200);
    const { autoCloseDays, reopenWindowDays, confirmationLinkDays, defaultWarnAtPercent } = now.body;
    const same = {
      autoCloseDays,
      reopenWindowDays,
      confirmationLinkDays,
      defaultWarnAtPercent,
    };
    expect((await api('PUT', '/api/v1/service-settings', { as: 'agent', json: same })).status).toBe(403);
    const bad = await api('PUT', '/api/v1/service-settings', {
      as: 'supportlead',
      json: { ...same, autoCloseDays: 30, confirmationLinkDays: 3 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'confirmationLinkDays' })]);
    // The values in force saved again (other tests share the stack): a new version, who saved it.
    const saved = await api('PUT', '/api/v1/service-settings', { as: 'supportlead', json: same });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      ...same,
      version: now.body.version + 1,
      updatedBy: await userId('supportlead'),
    });
  });
});
