import { connect, type NatsConnection } from 'nats';
import pino from 'pino';
import { ownNats } from '@crm/kit/testing';
import { IdempotencyStore } from '../src/http/idempotency';
import { type Harness, json, jsonHeaders, sampleLead, startApp } from './helpers';

// Two gateway replicas, each with its own connection to one real nats-server: a client's retry may
// reach either of them.
describe('Idempotency-Key answers shared by gateway replicas', () => {
  let nats: Awaited<ReturnType<typeof ownNats>>;
  const connections: NatsConnection[] = [];
  let first: Harness;
  let second: Harness;

  const replica = async () => {
    const nc = await connect({ servers: nats.url, ...nats.auth });
    connections.push(nc);
    return startApp({ idempotency: IdempotencyStore.shared(nc.jetstream(), pino({ level: 'silent' })) });
  };

  beforeAll(async () => {
    nats = await ownNats();
    await nats.start();
    [first, second] = [await replica(), await replica()];
  }, 30_000);

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await Promise.all(connections.map((nc) => nc.close()));
    await nats?.dispose();
  });

  const post = (h: Harness, body: string, key: string) =>
    fetch(`${h.url}/api/v1/leads`, {
      method: 'POST',
      headers: jsonHeaders('rep', { 'idempotency-key': key }),
      body,
    });

  it("replays the first replica's answer on the second, and refuses another body with the same key", async () => {
    first.client.createLead.mockResolvedValue(sampleLead({ id: 'L7', version: '1' }));
    // Characters a KV key may not hold: the store must not care.
    const key = 'order:42/*>.x';
    const created = await post(first, '{"lastName":"Doe"}', key);
    expect(created.status).toBe(201);

    const retried = await post(second, '{"lastName":"Doe"}', key);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.headers.get('location')).toBe('/api/v1/leads/L7');
    expect(await json(retried)).toMatchObject({ id: 'L7' });
    expect(second.client.createLead).not.toHaveBeenCalled();

    const other = await post(second, '{"lastName":"Smith"}', key);
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(second.client.createLead).not.toHaveBeenCalled();
  });

  it('answers 503 with Retry-After, without running the request, when the answers cannot be read', async () => {
    const nc = await connect({ servers: nats.url, ...nats.auth });
    const cutOff = await startApp({
      idempotency: IdempotencyStore.shared(nc.jetstream(), pino({ level: 'silent' })),
    });
    await nc.close();
    try {
      const res = await post(cutOff, '{"lastName":"Doe"}', 'order:43');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(cutOff.client.createLead).not.toHaveBeenCalled();
    } finally {
      await cutOff.close();
    }
  });

  it('keeps keys apart per caller: the same key from another user runs the request', async () => {
    second.client.createLead.mockResolvedValue(sampleLead({ id: 'L8', version: '1' }));
    const res = await fetch(`${second.url}/api/v1/leads`, {
      method: 'POST',
      headers: jsonHeaders('manager', { 'idempotency-key': 'order:42/*>.x' }),
      body: '{"lastName":"Doe"}',
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ id: 'L8' });
    expect(second.client.createLead).toHaveBeenCalledTimes(1);
  });
});
