import { waitFor } from '@crm/kit/testing';
import { accountEvents, event as eventProto } from '@crm/proto';
import { connect, DeliverPolicy, type NatsConnection } from 'nats';
import { api, RUN, userId } from './support';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** The service-ticket service's durable consumer of AccountOwnerChanged. */
const DURABLE = 'service-ticket-account-owner';

let nc: NatsConnection;
let agent = '';
let rep2 = '';
let admin = '';
/** The service settings before this file ran, put back afterwards (the setting is installation-wide). */
let previous: Record<string, unknown> = {};

async function setFollow(followAccountTransfer: 'none' | 'assignee') {
  const { autoCloseDays, reopenWindowDays, confirmationLinkDays, defaultWarnAtPercent } = previous;
  const res = await api('PUT', '/api/v1/service-settings', {
    as: 'supportlead',
    json: {
      autoCloseDays,
      reopenWindowDays,
      confirmationLinkDays,
      defaultWarnAtPercent,
      followAccountTransfer,
    },
  });
  expect(res.status).toBe(200);
  expect(res.body.followAccountTransfer).toBe(followAccountTransfer);
}

let seq = 0;
/** An account the agent owns (support staff owning an account: the user whose book moves here). */
async function agentsAccount(): Promise<string> {
  seq++;
  const res = await api('POST', '/api/v1/accounts', {
    as: 'admin',
    json: {
      name: `Follow ${RUN} ${seq}`,
      website: `https://follow-${RUN}-${seq}.example.com`,
      ownerId: agent,
      teamId: 'sales-east',
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** A ticket of the account the agent took. */
async function agentsTicket(accountId: string) {
  const created = await api('POST', '/api/v1/tickets', {
    as: 'agent',
    json: { accountId, subject: `Cannot log in ${RUN}`, channel: 'email', priority: 'normal' },
  });
  expect(created.status).toBe(201);
  const taken = await api('POST', `/api/v1/tickets/${created.body.id}/assign`, { as: 'agent', json: {} });
  expect(taken.status).toBe(200);
  expect(taken.body.assigneeId).toBe(agent);
  return taken.body as { id: string; [k: string]: unknown };
}

const ticket = async (id: string) => (await api('GET', `/api/v1/tickets/${id}`, { as: 'agent' })).body;

/**
 * An admin moves the agent's accounts to rep2 (only accounts, so nothing else the agent holds in the
 * shared stack moves) and waits until the transfer completed.
 */
async function transferAgentsAccounts(): Promise<string> {
  const started = await api('POST', '/api/v1/ownership-transfers', {
    as: 'admin',
    json: { fromUserId: agent, toUserId: rep2, scope: ['account'] },
  });
  expect(started.status).toBe(202);
  await waitFor(async () => {
    const t = await api('GET', `/api/v1/ownership-transfers/${started.body.id}`, { as: 'admin' });
    return t.body.status === 'completed';
  }, 20_000);
  return started.body.id as string;
}

/**
 * Waits until the ticket service has handled the account's AccountOwnerChanged: the event is in
 * CRM_ACCOUNT (read by the test stack's observer) and the service's durable consumer acknowledged it.
 * Without this, "nothing moved" could merely mean "not handled yet".
 */
async function handledFor(accountId: string, since: string): Promise<void> {
  const consumer = await nc.jetstream().consumers.get('CRM_ACCOUNT', {
    filterSubjects: 'crm.account.v1.AccountOwnerChanged',
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: since,
  });
  const messages = await consumer.consume();
  const giveUp = setTimeout(() => void messages.close(), 20_000);
  let streamSeq = 0;
  for await (const m of messages) {
    const envelope = eventProto.EventEnvelope.decode(m.data);
    if (accountEvents.AccountOwnerChanged.decode(envelope.payload).accountId === accountId) {
      streamSeq = m.seq;
      break;
    }
  }
  clearTimeout(giveUp);
  await messages.close();
  expect(streamSeq).toBeGreaterThan(0);
  const jsm = await nc.jetstreamManager();
  await waitFor(
    async () => (await jsm.consumers.info('CRM_ACCOUNT', DURABLE)).ack_floor.stream_seq >= streamSeq,
    20_000,
  );
}

beforeAll(async () => {
  nc = await connect({
    servers: NATS_URL,
    user: 'observer',
    pass: process.env.NATS_OBSERVER_PASSWORD,
    inboxPrefix: '_INBOX_observer',
  });
  [agent, rep2, admin] = await Promise.all([userId('agent'), userId('rep2'), userId('admin')]);
  const now = await api('GET', '/api/v1/service-settings', { as: 'supportlead' });
  expect(now.status).toBe(200);
  previous = now.body;
});

afterAll(async () => {
  if (previous.followAccountTransfer)
    await setFollow(previous.followAccountTransfer as 'none' | 'assignee').catch(() => undefined);
  await nc?.close();
});

describe('tickets following their account in an ownership transfer (real account and ticket services, NATS)', () => {
  it('with followAccountTransfer none, the account moves and its ticket stays with its agent', async () => {
    await setFollow('none');
    const accountId = await agentsAccount();
    const open = await agentsTicket(accountId);

    const since = new Date().toISOString();
    await transferAgentsAccounts();
    await handledFor(accountId, since);

    expect((await api('GET', `/api/v1/accounts/${accountId}`, { as: 'admin' })).body.ownerId).toBe(rep2);
    expect(await ticket(open.id)).toMatchObject({ assigneeId: agent, version: open.version });
  }, 60_000);

  it("with assignee, the agent's open ticket on the account goes to the account's new owner; a closed one never moves", async () => {
    await setFollow('assignee');
    const accountId = await agentsAccount();
    const open = await agentsTicket(accountId);
    const closed = await agentsTicket(accountId);
    for (const step of ['resolve', 'close'])
      expect(
        (
          await api('POST', `/api/v1/tickets/${closed.id}/${step}`, {
            as: 'agent',
            json: step === 'resolve' ? { resolution: 'Reset the password' } : {},
          })
        ).status,
      ).toBe(200);

    const since = new Date().toISOString();
    const transferId = await transferAgentsAccounts();
    await waitFor(async () => (await ticket(open.id)).assigneeId === rep2, 20_000);

    const moved = await ticket(open.id);
    expect(moved.updatedBy).toBe(admin);
    expect(moved.assignments.at(-1)).toMatchObject({
      assigneeId: rep2,
      previousAssigneeId: agent,
      method: 'follow-account',
      assignedBy: admin,
      reason: expect.stringContaining(transferId),
    });
    await handledFor(accountId, since);
    expect(await ticket(closed.id)).toMatchObject({ status: 'closed', assigneeId: agent });
  }, 60_000);
});

describe('tickets following their account into a merge (real account and ticket services, NATS)', () => {
  it("merging the account moves its tickets to the survivor: the survivor's list shows them, the agent keeps them", async () => {
    const survivor = await agentsAccount();
    const merged = await agentsAccount();
    const t = await agentsTicket(merged);
    const res = await api('POST', `/api/v1/accounts/${survivor}/merge`, {
      as: 'admin',
      json: { mergedAccountId: merged },
    });
    expect(res.status).toBe(200);

    await waitFor(async () => (await ticket(t.id)).accountId === survivor, 20_000);
    expect(await ticket(t.id)).toMatchObject({ accountId: survivor, assigneeId: agent, updatedBy: admin });
    const list = await api('GET', `/api/v1/tickets?accountId=${survivor}`, { as: 'admin' });
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(t.id);
  }, 40_000);
});
