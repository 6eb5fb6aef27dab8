import mongoose, { Schema, type Connection } from 'mongoose';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { event as eventProto } from '@crm/proto';
import { createLogger, ensureStream, type OutboxModel, OutboxRelay, outboxEntry, outboxSchema } from '../src';
import { MONGODB_URI, ownNats, waitFor } from '../src/testing';

const logger = createLogger('outbox-test', 'silent');
const actor = { userId: 'u1', username: 'u1', roles: [], teams: [] };

describe('outbox relay against real NATS JetStream', () => {
  let nats: Awaited<ReturnType<typeof ownNats>>;
  let db: Connection;
  let nc: NatsConnection;
  const startNats = () => nats.start();
  const stopNats = () => nats.stop();

  beforeAll(async () => {
    nats = await ownNats();
    await startNats();
    nc = await connect({ servers: nats.url, ...nats.auth, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    await ensureStream(nc, { name: 'OUTBOX_TEST', subjects: ['crm.test.>'] });
    db = await mongoose
      .createConnection(MONGODB_URI, { dbName: `crm_outbox_test_${Date.now()}` })
      .asPromise();
  });

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await nats.dispose();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('keeps accepting writes while NATS is down and delivers every event exactly once when it returns', async () => {
    const Thing = db.model(
      'Thing',
      new Schema(
        { _id: String, version: Number, name: String, outbox: [outboxSchema] },
        { timestamps: true },
      ),
    );
    const relay = new OutboxRelay([Thing as unknown as OutboxModel], () => nc.jetstream(), logger, 100);
    relay.start();
    const write = async (i: number) => {
      const e = outboxEntry({
        eventType: 'crm.test.v1.ThingCreated',
        payload: Buffer.from(`thing-${i}`),
        aggregateType: 'thing',
        aggregateId: `t${i}`,
        aggregateVersion: 1,
        actor,
      });
      await Thing.create({ _id: `t${i}`, version: 1, name: `thing ${i}`, outbox: [e] });
      return e.id;
    };

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await write(i));
    await stopNats();
    for (let i = 5; i < 15; i++) ids.push(await write(i)); // the writes succeed with NATS gone
    expect(await Thing.countDocuments({ 'outbox.0': { $exists: true } })).toBeGreaterThan(0);
    await startNats();

    // The client reconnects on its own; JetStream answers once it has recovered its store.
    await waitFor(
      async () =>
        (await (await nc.jetstreamManager()).streams.info('OUTBOX_TEST')).state.messages >= ids.length,
      30_000,
    );
    const jsm = await nc.jetstreamManager();
    await waitFor(async () => (await Thing.countDocuments({ 'outbox.0': { $exists: true } })) === 0);
    await relay.stop();

    // Each event id is in the stream once, even if the relay published some twice around the outage.
    await jsm.consumers.add('OUTBOX_TEST', { durable_name: 'check', ack_policy: AckPolicy.None });
    const consumer = await nc.jetstream().consumers.get('OUTBOX_TEST', 'check');
    const seen: string[] = [];
    const batch = await consumer.fetch({ max_messages: 100, expires: 2000 });
    for await (const m of batch) {
      seen.push(eventProto.EventEnvelope.decode(m.data).eventId);
      if (seen.length === ids.length) break;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  }, 60_000);
});
