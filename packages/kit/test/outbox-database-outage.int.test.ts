import mongoose, { Schema, type Connection } from 'mongoose';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import pino from 'pino';
import { event as eventProto } from '@crm/proto';
import { ensureStream, type OutboxModel, OutboxRelay, outboxEntry, outboxSchema } from '../src';
import { ownFerretDb, ownNats, waitFor } from '../src/testing';

const actor = { userId: 'u1', username: 'u1', roles: [], teams: [] };
const EVENTS = 300;

describe('outbox relay when the database goes away mid-drain', () => {
  let ferret: Awaited<ReturnType<typeof ownFerretDb>>;
  let nats: Awaited<ReturnType<typeof ownNats>>;
  let db: Connection;
  let nc: NatsConnection;
  let relay: OutboxRelay | undefined;
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });

  beforeAll(async () => {
    [ferret, nats] = await Promise.all([ownFerretDb(), ownNats()]);
    await Promise.all([ferret.start(), nats.start()]);
    nc = await connect({ servers: nats.url, ...nats.auth });
    await ensureStream(nc, { name: 'OUTBOX_OUTAGE', subjects: ['crm.outage.>'] });
    // Fail fast while the database is away instead of queueing calls for 30 s.
    db = await mongoose
      .createConnection(ferret.uri, { dbName: 'crm_outbox_outage', serverSelectionTimeoutMS: 1000 })
      .asPromise();
  }, 60_000);

  afterAll(async () => {
    await relay?.stop();
    await db?.close();
    await nc?.close();
    await Promise.all([ferret?.dispose(), nats?.dispose()]);
  });

  it('logs the failure, resumes when the database is back, and sends every event exactly once', async () => {
    const Thing = db.model(
      'Thing',
      new Schema({ _id: String, version: Number, outbox: [outboxSchema] }, { timestamps: true }),
    );
    const ids: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const e = outboxEntry({
        eventType: 'crm.outage.v1.ThingCreated',
        payload: Buffer.from(`thing-${i}`),
        aggregateType: 'thing',
        aggregateId: `t${i}`,
        aggregateVersion: 1,
        actor,
      });
      ids.push(e.id);
      await Thing.create({ _id: `t${i}`, version: 1, outbox: [e] });
    }
    const jsm = await nc.jetstreamManager();
    const inStream = async () => (await jsm.streams.info('OUTBOX_OUTAGE')).state.messages;

    // No sweep after the first: what the relay had queued when the database went away must not be lost.
    relay = new OutboxRelay([Thing as unknown as OutboxModel], () => nc.jetstream(), logger, 50, 3_600_000);
    relay.start();
    await waitFor(async () => (await inStream()) > 0, 30_000);
    await ferret.stop();
    const sentBeforeOutage = await inStream();
    expect(sentBeforeOutage).toBeLessThan(EVENTS); // caught mid-drain
    await waitFor(async () => warnings.some((l) => l.includes('outbox relay')), 30_000);

    await ferret.start();
    // A write claim the kill left behind holds its document until the claim goes stale (30 s).
    await waitFor(async () => (await Thing.countDocuments({ 'outbox.0': { $exists: true } })) === 0, 90_000);
    await relay.stop();

    expect(await inStream()).toBe(EVENTS);
    await jsm.consumers.add('OUTBOX_OUTAGE', { durable_name: 'check', ack_policy: AckPolicy.None });
    const consumer = await nc.jetstream().consumers.get('OUTBOX_OUTAGE', 'check');
    const seen: string[] = [];
    for await (const m of await consumer.fetch({ max_messages: EVENTS, expires: 5000 })) {
      seen.push(eventProto.EventEnvelope.decode(m.data).eventId);
      if (seen.length === EVENTS) break;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  }, 150_000);
});
