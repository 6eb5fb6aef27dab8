import { event as eventProto, ownershipEvents } from '@crm/proto';
import { connect, type NatsConnection } from 'nats';
import { api, RUN, userId } from './support';

// The test stack's nats-server as an attacker on the same network meets it: no anonymous clients,
// and each service's user limited to its own subjects and the streams it consumes
// (deploy/local/infra.sh NATS_USERS; the passwords come from `infra.sh env test`).
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:14222';
const REQUESTED = 'crm.ownership.v1.OwnershipTransferRequested';

const as = (user: 'lead' | 'account' | 'gateway') =>
  connect({
    servers: NATS_URL,
    user,
    pass: process.env[`NATS_${user.toUpperCase()}_PASSWORD`],
    inboxPrefix: `_INBOX_${user}`,
  });

describe('NATS users and permissions', () => {
  const open: NatsConnection[] = [];
  const client = async (user: 'lead' | 'account' | 'gateway') => {
    const nc = await as(user);
    open.push(nc);
    return nc;
  };
  afterAll(() => Promise.all(open.map((nc) => nc.close())));

  it('refuses a client without credentials, or with a wrong password', async () => {
    await expect(connect({ servers: NATS_URL })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await expect(connect({ servers: NATS_URL, user: 'lead', pass: 'guessed' })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
  });

  it("the lead service's user reaches its own stream but cannot publish an account event", async () => {
    const lead = await client('lead');
    const jsm = await lead.jetstreamManager();
    expect((await jsm.streams.info('CRM_LEAD')).config.subjects).toEqual(['crm.lead.>']);
    await expect(
      lead.jetstream().publish('crm.account.v1.AccountCreated', new Uint8Array([1])),
    ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  });

  it("a service reads only the events it consumes: no consumer on another's stream, no message reads", async () => {
    // The account service consumes nothing of the lead's stream (contacts' and leads' personal data).
    const account = await (await client('account')).jetstreamManager();
    await expect(
      account.consumers.add('CRM_LEAD', { durable_name: `spy-${RUN}`, filter_subject: 'crm.lead.>' }),
    ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(account.streams.getMessage('CRM_LEAD', { seq: 1 })).rejects.toMatchObject({
      code: 'PERMISSIONS_VIOLATION',
    });
    // The lead service consumes three account subjects, under its own durable names, and no more.
    const lead = await (await client('lead')).jetstreamManager();
    await expect(
      lead.consumers.add('CRM_ACCOUNT', {
        durable_name: 'lead-activity-logged',
        filter_subject: 'crm.account.>',
      }),
    ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    await expect(lead.streams.getMessage('CRM_ACCOUNT', { seq: 1 })).rejects.toMatchObject({
      code: 'PERMISSIONS_VIOLATION',
    });
  });

  it("no client can listen to other clients' replies (pulled events come back on inboxes)", async () => {
    const lead = await client('lead');
    const sub = lead.subscribe('_INBOX.>');
    await lead.flush(); // the server answers the subscription before the flush's PONG
    expect(sub.isClosed()).toBe(true);
  });

  it('a forged OwnershipTransferRequested is refused unless it comes from the account service', async () => {
    const victim = `victim-${RUN}`;
    const lead = await api('POST', '/api/v1/leads', {
      as: 'manager',
      json: {
        lastName: `Victim-${RUN}`,
        email: `victim-${RUN}@victim.example.com`,
        company: `Victim ${RUN}`,
      },
    });
    expect(lead.status).toBe(201);
    expect(
      (
        await api('PATCH', `/api/v1/leads/${lead.body.id}`, {
          as: 'manager',
          json: { ownerId: victim, teamId: 'sales-east' },
        })
      ).status,
    ).toBe(200);
    const forged = eventProto.EventEnvelope.encode(
      eventProto.EventEnvelope.fromPartial({
        eventId: `forged-${RUN}`,
        eventType: REQUESTED,
        aggregateType: 'ownership-transfer',
        aggregateId: `forged-${RUN}`,
        payload: ownershipEvents.OwnershipTransferRequested.encode(
          ownershipEvents.OwnershipTransferRequested.fromPartial({
            transferId: `forged-${RUN}`,
            fromUserId: victim,
            toUserId: await userId('rep2'),
            scope: ['lead'],
          }),
        ).finish(),
      }),
    ).finish();
    const account = await (await client('account')).jetstreamManager();
    const requests = async () =>
      (await account.streams.info('CRM_OWNERSHIP', { subjects_filter: REQUESTED })).state.subjects?.[
        REQUESTED
      ] ?? 0;
    const before = await requests();
    for (const user of ['lead', 'gateway'] as const) {
      await expect((await client(user)).jetstream().publish(REQUESTED, forged)).rejects.toMatchObject({
        code: 'PERMISSIONS_VIOLATION',
      });
    }
    // Nothing reached the stream the services obey, so the lead stays with its owner.
    expect(await requests()).toBe(before);
    const after = await api('GET', `/api/v1/leads/${lead.body.id}`, { as: 'manager' });
    expect(after.body.ownerId).toBe(victim);
  });

  it('only analytics publishes account segments (which set tiers): any other service is refused', async () => {
    for (const user of ['lead', 'account', 'gateway'] as const) {
      await expect(
        (await client(user))
          .jetstream()
          .publish('crm.analytics.v1.AccountSegmentChanged', new Uint8Array([1])),
      ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    }
  });
});
