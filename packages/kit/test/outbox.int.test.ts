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

  it('sends an inserted document from what its writer handed over, and keeps what a later write added', async () => {
    const Item = db.model(
      'Item',
      new Schema({ _id: String, version: Number, outbox: [outboxSchema] }, { timestamps: true }),
    );
    const event = (id: string, version: number) =>
      outboxEntry({
        eventType: 'crm.test.v1.ItemChanged',
        payload: Buffer.from(`${id}-${version}`),
        aggregateType: 'item',
        aggregateId: id,
        aggregateVersion: version,
        actor,
      });
    const relay = new OutboxRelay([Item as unknown as OutboxModel], () => nc.jetstream(), logger, 100);
    const reads = jest.spyOn(Item, 'findById');
    // i1 is inserted and left alone; i2 is changed by another writer before the relay gets to it.
    const [first, second] = [event('i1', 1), event('i2', 1)];
    await Item.create({ _id: 'i1', version: 1, outbox: [first] });
    await Item.create({ _id: 'i2', version: 1, outbox: [second] });
    const later = event('i2', 2);
    await Item.updateOne({ _id: 'i2', version: 1 }, { $set: { version: 2 }, $push: { outbox: later } });
    relay.kick(Item as unknown as OutboxModel, 'i1', { version: 1, outbox: [first] });
    relay.kick(Item as unknown as OutboxModel, 'i2', { version: 1, outbox: [second] });
    // Read past the model, so that only the relay's reads are counted.
    const pending = async (id: string) =>
      ((await Item.collection.findOne({ _id: id as never }))?.outbox as { id: string }[]).map((e) => e.id);
    relay.start();
    try {
      await waitFor(async () => (await pending('i2'))[0] === later.id);
      // i1 was never read; i2 was read once, when its compare-and-set found the later version.
      expect(reads.mock.calls.map((c) => c[0])).toEqual(['i2']);
      expect(await pending('i1')).toEqual([]);
      relay.kick(Item as unknown as OutboxModel, 'i2'); // the later writer's kick, after an update
      await waitFor(async () => (await pending('i2')).length === 0);
    } finally {
      await relay.stop();
    }

    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add('OUTBOX_TEST', { durable_name: 'handed', ack_policy: AckPolicy.None });
    const consumer = await nc.jetstream().consumers.get('OUTBOX_TEST', 'handed');
    const seen: string[] = [];
    for await (const m of await consumer.fetch({ max_messages: 100, expires: 2000 })) {
      const { eventId, aggregateType } = eventProto.EventEnvelope.decode(m.data);
      if (aggregateType === 'item') seen.push(eventId);
    }
    expect(seen.sort()).toEqual([first, second, later].map((e) => e.id).sort());
  }, 60_000);
});
