import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import mongoose, { Schema, type Connection } from 'mongoose';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { event as eventProto } from '@crm/proto';
import { createLogger, ensureStream, OutboxRelay, outboxEntry, outboxSchema } from '../src';

// Real NATS (its own server, so the test can kill it) and the test database from MONGODB_URI.
const MONGODB_URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017';
const logger = createLogger('outbox-test', 'silent');
const actor = { userId: 'u1', username: 'u1', roles: [], teams: [] };

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const waitFor = async (check: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
};

describe('outbox relay against real NATS JetStream', () => {
  let nats: ChildProcess | undefined;
  let port: number;
  let store: string;
  let db: Connection;
  let nc: NatsConnection;

  const startNats = async () => {
    nats = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: 'ignore' });
    await waitFor(async () => {
      const c = await connect({ servers: `127.0.0.1:${port}` });
      await c.close();
      return true;
    });
  };
  const stopNats = async () => {
    const p = nats;
    nats = undefined;
    if (!p) return;
    await new Promise((r) => {
      p.once('exit', r);
      p.kill('SIGKILL');
    });
  };

  beforeAll(async () => {
    port = await freePort();
    store = mkdtempSync(join(tmpdir(), 'crm-nats-'));
    await startNats();
    nc = await connect({ servers: `127.0.0.1:${port}`, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    await ensureStream(nc, { name: 'OUTBOX_TEST', subjects: ['crm.test.>'] });
    db = await mongoose.createConnection(MONGODB_URI, { dbName: `crm_outbox_test_${Date.now()}` }).asPromise();
  });

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await stopNats();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    rmSync(store, { recursive: true, force: true });
  });

  it('keeps accepting writes while NATS is down and delivers every event exactly once when it returns', async () => {
    const Thing = db.model('Thing', new Schema({ _id: String, version: Number, name: String, outbox: [outboxSchema] }, { timestamps: true }));
    const relay = new OutboxRelay([Thing], () => nc.jetstream(), logger, 100);
    relay.start();
    const write = async (i: number) => {
      const e = outboxEntry({ eventType: 'crm.test.v1.ThingCreated', payload: Buffer.from(`thing-${i}`), aggregateType: 'thing', aggregateId: `t${i}`, aggregateVersion: 1, actor });
      await Thing.create({ _id: `t${i}`, version: 1, name: `thing ${i}`, outbox: [e] });
      return e.id;
    };

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await write(i));
    await stopNats();
    for (let i = 5; i < 15; i++) ids.push(await write(i)); // the writes succeed with NATS gone
    expect(await Thing.countDocuments({ 'outbox.0': { $exists: true } })).toBeGreaterThan(0);
    await startNats();

    const jsm = await nc.jetstreamManager();
    await waitFor(async () => (await jsm.streams.info('OUTBOX_TEST')).state.messages >= ids.length, 30_000);
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
