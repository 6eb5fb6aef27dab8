import mongoose, { type Connection } from 'mongoose';
import { connect, type NatsConnection } from 'nats';
import { consumeEvents, createLogger, ensureStream, type EventEnvelope, outboxEntry } from '../src';
import { MONGODB_URI, ownNats, waitFor } from '../src/testing';

const logger = createLogger('consumer-test', 'silent');
const actor = { userId: 'u1', username: 'u1', roles: [], teams: [] };

describe('durable event consumer against real NATS JetStream', () => {
  let nats: Awaited<ReturnType<typeof ownNats>>;
  let nc: NatsConnection;
  let db: Connection;

  beforeAll(async () => {
    nats = await ownNats();
    await nats.start();
    nc = await connect({ servers: nats.url, ...nats.auth });
    await ensureStream(nc, { name: 'CONSUMER_TEST', subjects: ['crm.test.>'] });
    await ensureStream(nc, { name: 'DLQ', subjects: ['crm.dlq.>'] });
    db = await mongoose
      .createConnection(MONGODB_URI, { dbName: `crm_consumer_test_${Date.now()}` })
      .asPromise();
  });

  afterAll(async () => {
    await nc?.close();
    await nats.dispose();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('handles each event once despite redelivery and parks a poison event in the dead-letter subject', async () => {
    const js = nc.jetstream();
    const publish = async (name: string, msgId?: string) => {
      const e = outboxEntry({
        eventType: 'crm.test.v1.Happened',
        payload: Buffer.from(name),
        aggregateType: 't',
        aggregateId: name,
        aggregateVersion: 1,
        actor,
      });
      await js.publish(e.subject, e.data, { msgID: msgId ?? e.id });
      return e;
    };
    const handled: string[] = [];
    let flaky = 0;
    const sub = await consumeEvents(nc, db, logger, {
      stream: 'CONSUMER_TEST',
      durable: 'test-consumer',
      filterSubject: 'crm.test.>',
      maxDeliver: 3,
      ackWaitMs: 2000,
      handle: async (env: EventEnvelope) => {
        const name = Buffer.from(env.payload).toString();
        if (name === 'poison') throw new Error('cannot handle');
        if (name === 'flaky' && flaky++ === 0) throw new Error('transient');
        handled.push(name);
      },
    });
    const a = await publish('a');
    await publish('flaky');
    await publish('poison');
    // The same event published again under another NATS id (e.g. replayed by hand) is still skipped.
    await js.publish(a.subject, a.data, { msgID: 'replay-of-a' });

    await waitFor(async () => handled.includes('flaky') && handled.includes('a'), 20_000);
    const jsm = await nc.jetstreamManager();
    await waitFor(async () => (await jsm.streams.info('DLQ')).state.messages === 1, 20_000);
    await sub.stop();
    expect(handled.sort()).toEqual(['a', 'flaky']);
  }, 40_000);

  it('leaves duplicates to a handler that skips what is not newer, keeping no marker per event', async () => {
    const js = nc.jetstream();
    const e = outboxEntry({
      eventType: 'crm.test.v1.Versioned',
      payload: Buffer.from('v'),
      aggregateType: 't',
      aggregateId: 'versioned',
      aggregateVersion: 1,
      actor,
    });
    // The handler keeps the version it is at, as analytics' projections do.
    let at = 0;
    let applied = 0;
    let seen = 0;
    const sub = await consumeEvents(nc, db, logger, {
      stream: 'CONSUMER_TEST',
      durable: 'test-versioned',
      filterSubject: 'crm.test.v1.Versioned',
      idempotentByVersion: true,
      handle: async (env: EventEnvelope) => {
        seen += 1;
        const version = Number(env.aggregateVersion);
        if (version <= at) return;
        at = version;
        applied += 1;
      },
    });
    await js.publish(e.subject, e.data, { msgID: e.id });
    await js.publish(e.subject, e.data, { msgID: `replay-of-${e.id}` });
    await waitFor(async () => seen === 2, 20_000);
    await sub.stop();
    expect(applied).toBe(1);
    const markers = await db
      .collection('processed_events')
      .countDocuments({ _id: { $regex: '^test-versioned:' } } as never);
    expect(markers).toBe(0);
  }, 40_000);

  it('refuses an event whose type is not the subject it came on (a producer claiming another one)', async () => {
    const js = nc.jetstream();
    const event = (eventType: string, name: string) =>
      outboxEntry({
        eventType,
        payload: Buffer.from(name),
        aggregateType: 't',
        aggregateId: name,
        aggregateVersion: 1,
        actor,
      });
    const handled: string[] = [];
    const sub = await consumeEvents(nc, db, logger, {
      stream: 'CONSUMER_TEST',
      durable: 'test-producer-rule',
      filterSubject: 'crm.test.v1.Claimed',
      handle: async (env: EventEnvelope) => void handled.push(Buffer.from(env.payload).toString()),
    });
    // A transfer request (the account service's event) sent on a subject this sender may publish.
    const forged = event('crm.ownership.v1.OwnershipTransferRequested', 'forged');
    await js.publish('crm.test.v1.Claimed', forged.data, { msgID: forged.id });
    const genuine = event('crm.test.v1.Claimed', 'genuine');
    await js.publish(genuine.subject, genuine.data, { msgID: genuine.id });
    // one consumer takes them in order: once the genuine one is handled, the forged one was refused
    await waitFor(async () => handled.includes('genuine'), 20_000);
    await sub.stop();
    expect(handled).toEqual(['genuine']);
  }, 40_000);

  it("with concurrency handles records side by side, and each record's events in stream order", async () => {
    const js = nc.jetstream();
    await ensureStream(nc, { name: 'LANES_TEST', subjects: ['crm.lanes.>'] });
    for (let version = 1; version <= 5; version++)
      for (const record of ['r1', 'r2', 'r3']) {
        const e = outboxEntry({
          eventType: 'crm.lanes.v1.Changed',
          payload: Buffer.from(`${record}:${version}`),
          aggregateType: 'r',
          aggregateId: record,
          aggregateVersion: version,
          actor,
        });
        await js.publish(e.subject, e.data, { msgID: e.id });
      }
    const seen = new Map<string, number[]>();
    let running = 0;
    let most = 0;
    const sub = await consumeEvents(nc, db, logger, {
      stream: 'LANES_TEST',
      durable: 'lanes-consumer',
      filterSubject: 'crm.lanes.>',
      concurrency: 3,
      handle: async (env: EventEnvelope) => {
        most = Math.max(most, ++running);
        // The first events of a record take longest: a record's later events must still wait for them.
        const version = Number(env.aggregateVersion);
        await new Promise((resolve) => setTimeout(resolve, (6 - version) * 15));
        seen.set(env.aggregateId, [...(seen.get(env.aggregateId) ?? []), version]);
        running--;
      },
    });
    await waitFor(async () => [...seen.values()].every((v) => v.length === 5) && seen.size === 3, 20_000);
    await sub.stop();
    expect(Object.fromEntries(seen)).toEqual({
      r1: [1, 2, 3, 4, 5],
      r2: [1, 2, 3, 4, 5],
      r3: [1, 2, 3, 4, 5],
    });
    expect(most).toBeGreaterThan(1);
  }, 40_000);
});
