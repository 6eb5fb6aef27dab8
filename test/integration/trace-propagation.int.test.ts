import { randomBytes } from 'node:crypto';
import { event as eventProto } from '@crm/proto';
import { connect, DeliverPolicy, type NatsConnection } from 'nats';
import { api, RUN, uniqueEmail } from './support';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * One trace from the caller to the event: the gateway continues the caller's W3C traceparent, its gRPC
 * call carries it to the lead service, the outbox stores it with the event and the relay publishes it
 * as a NATS header. Telemetry settings (which spans the gateway makes) must keep this chain whole.
 */
describe('trace propagation', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    // The test stack's read-only observer (deploy/local/infra.sh): NATS takes no anonymous clients.
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

  it("carries the caller's trace id from a REST request to the event it caused", async () => {
    const traceId = randomBytes(16).toString('hex');
    const since = new Date(Date.now() - 1000).toISOString();
    const created = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: { lastName: `Trace ${RUN}`, email: uniqueEmail('trace'), company: `Trace ${RUN}`, source: 'web' },
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(created.status).toBe(201);

    const consumer = await nc.jetstream().consumers.get('CRM_LEAD', {
      filterSubjects: 'crm.lead.v1.LeadCreated',
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since,
    });
    const messages = await consumer.consume();
    let published: { header?: string; envelope: string } | undefined;
    for await (const m of messages) {
      const envelope = eventProto.EventEnvelope.decode(m.data);
      if (envelope.aggregateId !== created.body.id) continue;
      published = { header: m.headers?.get('traceparent'), envelope: envelope.traceparent };
      break;
    }
    await messages.close();

    const traceIdOf = (traceparent = '') => traceparent.split('-')[1];
    expect(traceIdOf(published?.envelope)).toBe(traceId);
    expect(traceIdOf(published?.header)).toBe(traceId);
  });
});
