import { context, propagation, trace } from '@opentelemetry/api';
import { event as eventProto } from '@crm/proto';
import { Schema, type Connection } from 'mongoose';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import { KeyedLanes } from './keyed-lanes';
import type { Actor } from './actor';
import type { Logger } from './logger';
import { serviceActor } from './service-identity';
import { isDuplicateKey } from './unique-keys';

export type EventEnvelope = eventProto.EventEnvelope;

export interface ConsumerSpec {
  stream: string;
  /** Durable name: replicas sharing it share the work. */
  durable: string;
  /** One subject filter (wildcards allowed): Debian's nats-server 2.9 has no multi-filter consumers. */
  filterSubject: string;
  /** Deliveries before a message goes to the dead-letter subject `crm.dlq.<durable>`. */
  maxDeliver?: number;
  ackWaitMs?: number;
  /**
   * How many events are handled at once; the events of one aggregate always one after another, in
   * stream order. Default 1 (strictly in stream order).
   */
  concurrency?: number;
  /**
   * The handler itself ignores an event it already applied (it keeps the aggregate version it is at
   * and skips what is not newer), so no per-event marker is kept. A marker costs a lookup and an insert
   * per event, and on FerretDB the lookup scans every marker ever kept (13 ms at 20,000), which a
   * consumer of every stream (analytics) pays on every event.
   */
  idempotentByVersion?: boolean;
  handle: (event: EventEnvelope) => Promise<void>;
}

interface ProcessedDoc {
  _id: string;
  at: Date;
}

const processedSchema = new Schema<ProcessedDoc>({ _id: String, at: Date }, { versionKey: false });

/**
 * A durable pull consumer with explicit ack. An event already handled (by event id, recorded in the
 * service's own database) is acked and skipped, so redelivery never applies a change twice; a message
 * that keeps failing is copied to the dead-letter subject and acked instead of blocking the stream.
 */
export async function consumeEvents(nc: NatsConnection, db: Connection, logger: Logger, spec: ConsumerSpec) {
  const maxDeliver = spec.maxDeliver ?? 5;
  const Processed =
    db.models.ProcessedEvent ?? db.model<ProcessedDoc>('ProcessedEvent', processedSchema, 'processed_events');
  const markers = db.collection<ProcessedDoc>(Processed.collection.name);
  const jsm = await nc.jetstreamManager();
  const config = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    max_deliver: maxDeliver,
    ack_wait: (spec.ackWaitMs ?? 30_000) * 1_000_000,
  };
  try {
    await jsm.consumers.info(spec.stream, spec.durable);
    await jsm.consumers.update(spec.stream, spec.durable, config);
  } catch {
    await jsm.consumers.add(spec.stream, config);
  }
  const consumer = await nc.jetstream().consumers.get(spec.stream, spec.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 50 });
  const lanes = new KeyedLanes(spec.concurrency ?? 1, (err) =>
    logger.error({ err: (err as Error).message, durable: spec.durable }, 'event handling broke off'),
  );
  const done = (async () => {
    for await (const m of messages) {
      let env: EventEnvelope;
      try {
        env = eventProto.EventEnvelope.decode(m.data);
      } catch {
        logger.error({ subject: m.subject }, 'undecodable event sent to the dead-letter subject');
        await nc.jetstream().publish(`crm.dlq.${spec.durable}`, m.data);
        m.ack();
        continue;
      }
      if (!fromItsProducer(m.subject, env)) {
        logger.error(
          { subject: m.subject, type: env.eventType, eventId: env.eventId },
          'event refused: its type is not the subject it came on',
        );
        m.term();
        continue;
      }
      await lanes.add(`${env.aggregateType}:${env.aggregateId}`, () => handleOne(m, env));
    }
  })();

  async function handleOne(m: JsMsg, env: EventEnvelope): Promise<void> {
    const key = `${spec.durable}:${env.eventId}`;
    if (!spec.idempotentByVersion && (await Processed.exists({ _id: key }))) {
      m.ack();
      return;
    }
    const parent = propagation.extract(context.active(), {
      traceparent: env.traceparent,
      tracestate: env.tracestate,
    });
    const span = trace.getTracer('crm-consumer').startSpan(`consume ${env.eventType}`, undefined, parent);
    try {
      await context.with(trace.setSpan(parent, span), () => spec.handle(env));
      // An insert, a duplicate meaning "already recorded": on FerretDB an upsert scans the whole
      // collection (four scans, 20 ms at 20,000 events), an insert is checked by the unique _id index.
      if (!spec.idempotentByVersion)
        await markers.insertOne({ _id: key, at: new Date() }).catch((err: unknown) => {
          if (!isDuplicateKey(err)) throw err;
        });
      m.ack();
    } catch (err) {
      const attempt = m.info.redeliveryCount;
      logger.warn(
        { eventId: env.eventId, type: env.eventType, attempt, err: (err as Error).message },
        'event handling failed',
      );
      if (attempt >= maxDeliver) {
        await nc.jetstream().publish(`crm.dlq.${spec.durable}`, m.data, { msgID: `dlq-${env.eventId}` });
        m.ack();
      } else {
        m.nak(Math.min(1000 * 2 ** attempt, 30_000));
      }
    } finally {
      span.end();
    }
  }
  return {
    /** Stops taking messages and waits for those in hand (graceful shutdown). */
    stop: async () => {
      await messages.close();
      await done;
      await lanes.drain();
    },
  };
}

/**
 * The one rule on who produced an event. The subject is the only producer identity NATS vouches for:
 * each service's NATS user may publish on its own subjects only (crm.lead.… by the lead service,
 * OwnershipTransferRequested by the account service), so an event whose envelope names another type
 * than the subject it came on claims a producer that did not send it, and is refused (terminated,
 * never handled). A field in the envelope naming the producer would prove nothing: the sender writes it.
 */
export function fromItsProducer(subject: string, env: Pick<EventEnvelope, 'eventType'>): boolean {
  return env.eventType === subject;
}

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts consumers one after another; if one cannot start (its stream does not exist yet), stops
 * those already started and fails, so a retry starts them all again without running any twice.
 */
export async function startAll(starters: (() => Promise<Stoppable>)[]): Promise<Stoppable[]> {
  const started: Stoppable[] = [];
  try {
    for (const start of starters) started.push(await start());
    return started;
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw err;
  }
}

/**
 * Who a consumer acts as when an event makes it change its own records: the user whose action caused
 * the event (so the change is recorded as theirs), or this service for an event without one; and the
 * request id to record (the event's, else `<label>:<event id>`).
 */
export async function eventCaller(
  env: EventEnvelope,
  label: string,
): Promise<{ actor: Actor; requestId: string }> {
  return {
    actor: env.actor ?? (await serviceActor()),
    requestId: env.requestId || `${label}:${env.eventId}`,
  };
}
