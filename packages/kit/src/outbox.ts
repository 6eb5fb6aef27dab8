import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import { event as eventProto } from '@crm/proto';
import type { Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { JetStreamClient } from 'nats';
import { headers as natsHeaders } from 'nats';
import type { Actor } from './actor';
import type { Logger } from './logger';
import { UnavailableError } from './errors';
import { inTurn } from './version-claim';
import { writesTo } from './versioned-writes';

/**
 * The transactional outbox without transactions: pending events live inside the aggregate's own document
 * (field `outbox`), so the domain change and its events are one single-document atomic write. The relay
 * drains them into JetStream with Nats-Msg-Id = event id, so a re-publish after a crash is de-duplicated.
 */
export interface OutboxEntry {
  id: string;
  subject: string;
  data: Buffer;
  traceparent?: string;
}

export const outboxSchema = new Schema<OutboxEntry>(
  { id: { type: String, required: true }, subject: String, data: Buffer, traceparent: String },
  { _id: false },
);

export interface NewEvent {
  eventType: string;
  payload: Uint8Array;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  actor: Actor;
  requestId?: string;
}

/** Wraps an event in the envelope (crm.common.v1.EventEnvelope) with the current trace context. */
export function outboxEntry(e: NewEvent): OutboxEntry {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const id = randomUUID();
  const envelope = eventProto.EventEnvelope.encode(
    eventProto.EventEnvelope.fromPartial({
      eventId: id,
      eventType: e.eventType,
      aggregateType: e.aggregateType,
      aggregateId: e.aggregateId,
      aggregateVersion: String(e.aggregateVersion),
      occurredAt: new Date(),
      actor: e.actor,
      traceparent: carrier.traceparent ?? '',
      tracestate: carrier.tracestate ?? '',
      requestId: e.requestId ?? '',
      payload: Buffer.from(e.payload),
    }),
  ).finish();
  return { id, subject: e.eventType, data: Buffer.from(envelope), traceparent: carrier.traceparent };
}

/**
 * The outbox entries of one event package (`crm.account.v1`) and its aggregate types: each service
 * says once where its events live instead of wrapping outboxEntry again, and a typo in an aggregate
 * type is a compile error.
 */
export function eventPackage<Aggregate extends string>(pkg: string) {
  return (
    name: string,
    payload: Uint8Array,
    aggregateType: Aggregate,
    doc: { _id: string; version: number },
    actor: Actor,
    requestId: string,
  ): OutboxEntry =>
    outboxEntry({
      eventType: `${pkg}.${name}`,
      payload,
      aggregateType,
      aggregateId: doc._id,
      aggregateVersion: doc.version,
      actor,
      requestId,
    });
}

/** Any aggregate model whose documents carry an `outbox` array (their own fields do not matter here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OutboxModel = Model<any>;

/** Aggregates sent per round before fresh writes get their turn. */
const DRAIN_BATCH = 200;
/** Ids one sweep queues per model. */
const SWEEP_PAGE = 2000;
/** Longest pause between rounds while NATS or the database keeps failing. */
const MAX_BACKOFF_MS = 10_000;
/** Inserted documents' outboxes kept in memory per model at most; beyond, the relay reads them. */
const MAX_HANDED = 1000;

/**
 * Where published entries are also recorded (the audit log); re-recording one must be a no-op. The
 * entries are those of one or more aggregates, each aggregate's in order.
 */
export interface PublishedRecorder {
  record(entries: OutboxEntry[]): Promise<void>;
}

interface OutboxDoc {
  _id: unknown;
  version: number;
  outbox: OutboxEntry[];
}

/** A document as its writer inserted it: its whole outbox at that version. */
export type InsertedOutbox = Pick<OutboxDoc, 'version' | 'outbox'>;

/** Publishes pending events of the given models, oldest aggregate first; survives NATS being away. */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopping = false;
  private draining?: Promise<void>;
  private again = false;
  /** Failed rounds in a row: the pause before the next round doubles with each. */
  private failures = 0;
  private lastSweep = 0;
  private sweepAgain = false;
  /** Aggregates written by this process since the last drain: fetched by id, no collection scan. */
  private readonly written = new Map<OutboxModel, Set<string>>();
  /** Outboxes of documents this process inserted, so the relay need not read them back. */
  private readonly inserted = new Map<OutboxModel, Map<string, InsertedOutbox>>();
  private recorder?: PublishedRecorder;

  constructor(
    private readonly models: OutboxModel[],
    private readonly js: () => JetStreamClient,
    private readonly logger: Logger,
    private readonly intervalMs = 500,
    /**
     * The full scan that picks up what a crash or another replica left behind. Scans are costly on
     * FerretDB (a filter other than an equality is a full scan), so it runs seldom; fresh writes go by id.
     */
    private readonly sweepMs = Number(process.env.OUTBOX_SWEEP_MS ?? 15_000),
    /** Aggregates whose events are sent at once. */
    private readonly concurrency = Math.max(1, Number(process.env.OUTBOX_CONCURRENCY ?? 16) || 16),
  ) {}

  /** Records every published entry there too, before it leaves the outbox. */
  recordInto(recorder: PublishedRecorder): void {
    this.recorder = recorder;
  }

  start(): void {
    this.running = true;
    this.stopping = false;
    this.schedule(0);
  }

  /**
   * Called after a local write so its events go out at once instead of at the next sweep. After an
   * insert the writer may hand over the document's version and outbox (the whole outbox: an update's
   * pushed entries are not, so updates hand nothing): the relay then sends them without reading the
   * document back. A change made meanwhile is still safe: removing the sent entries is a
   * compare-and-set on that version, which re-reads the document and keeps what was added.
   */
  kick(model?: OutboxModel, id?: string, inserted?: InsertedOutbox): void {
    if (model && id) {
      const ids = this.written.get(model) ?? new Set<string>();
      ids.add(id);
      this.written.set(model, ids);
      const handed = this.inserted.get(model) ?? new Map<string, InsertedOutbox>();
      if (inserted && handed.size < MAX_HANDED) handed.set(id, inserted);
      this.inserted.set(model, handed);
    }
    if (!this.running) return;
    if (this.draining) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.draining = this.round().finally(() => {
        this.draining = undefined;
      });
    }, ms);
  }

  /** One drain, whatever it throws: the relay logs it, backs off and goes on (it must never stop). */
  private async round(): Promise<void> {
    let ok = false;
    try {
      ok = await this.drain();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'outbox relay round failed; will retry');
    }
    this.failures = ok ? 0 : this.failures + 1;
    if (!this.running) return;
    const backoff = Math.min(this.intervalMs * 2 ** this.failures, MAX_BACKOFF_MS);
    const next = !ok ? backoff : this.again ? 0 : this.intervalMs;
    this.again = false;
    this.schedule(next);
  }

  /**
   * One round: a sweep when it is due (it only finds ids), then the pending aggregates by id, at most
   * DRAIN_BATCH per round so a large backlog (an import) does not hold up fresh writes for long.
   */
  private async drain(): Promise<boolean> {
    const queued = [...this.written.values()].reduce((n, ids) => n + ids.size, 0);
    if (Date.now() - this.lastSweep >= this.sweepMs || (this.sweepAgain && queued === 0)) {
      this.lastSweep = Date.now();
      this.sweepAgain = false;
      if (!(await this.sweep())) {
        this.lastSweep = 0;
        return false;
      }
    }
    // This round's share of the queue, taken out of it now; what fails goes back in.
    const batch: [OutboxModel, string][] = [];
    for (const [model, ids] of this.written)
      for (const id of ids) {
        if (batch.length >= DRAIN_BATCH) break;
        batch.push([model, id]);
      }
    if (batch.length === DRAIN_BATCH) this.again = true;
    for (const [model, id] of batch) this.written.get(model)!.delete(id);
    const byModel = new Map<OutboxModel, string[]>();
    for (const [model, id] of batch) byModel.set(model, [...(byModel.get(model) ?? []), id]);
    let ok = true;
    for (const [model, ids] of byModel) {
      if (this.stopping || !ok) {
        for (const id of ids) this.written.get(model)!.add(id); // the rest goes at the next round or start
        continue;
      }
      ok = await this.send(model, ids);
    }
    return ok;
  }

  /**
   * Sends the pending events of some documents of one model: published side by side (each
   * aggregate's events in order, by one worker), then recorded in the audit log and cleared from the
   * documents once for all of them. One at a time, the four or five reads and writes per aggregate
   * kept the relay behind a few writes a second; per aggregate, the audit and the clearing were most
   * of its database commands. False when something failed: what was not cleared is queued again (a
   * re-publish is de-duplicated by event id, a re-recording is a no-op).
   */
  private async send(model: OutboxModel, ids: string[]): Promise<boolean> {
    const requeue = (id: string) => this.written.get(model)!.add(id);
    const published: OutboxDoc[] = [];
    let ok = true;
    await this.eachSideBySide(ids, async (id) => {
      if (this.stopping || !ok) {
        requeue(id); // stop() waits for us: the rest goes at the next start
        return true;
      }
      // Taken whatever happens: a retry reads the document.
      const handed = this.inserted.get(model)?.get(id);
      this.inserted.get(model)?.delete(id);
      try {
        const doc = handed
          ? { _id: id, ...handed }
          : await model.findById(id, { outbox: 1, version: 1 }).lean<OutboxDoc>();
        if (!doc?.outbox?.length) return true;
        await this.publish(doc.outbox);
        published.push(doc);
      } catch (err) {
        // NATS or the database is away: keep the id.
        requeue(id);
        ok = false;
        this.logger.warn(
          { err: (err as Error).message, model: model.modelName, id },
          'outbox relay could not send; will retry',
        );
      }
      return true;
    });
    if (!published.length) return ok;
    try {
      await this.recorder?.record(published.flatMap((d) => d.outbox));
      for (const id of await this.markSent(model, published)) requeue(id);
    } catch (err) {
      for (const d of published) requeue(String(d._id));
      this.logger.warn(
        { err: (err as Error).message, model: model.modelName, documents: published.length },
        'outbox relay could not record or clear sent events; will retry',
      );
      return false;
    }
    return ok;
  }

  /**
   * Finds the aggregates with pending events (what a crash or another replica left behind) and queues
   * their ids. Only ids are read, a large page at a time: on FerretDB this filter is a scan of the
   * collection, so it must run seldom and not once per hundred documents.
   */
  private async sweep(): Promise<boolean> {
    for (const model of this.models) {
      const found = await model
        .find({ 'outbox.0': { $exists: true } }, { _id: 1 })
        .limit(SWEEP_PAGE)
        .lean<{ _id: unknown }[]>()
        .catch((err: Error) => {
          this.logger.warn({ err: err.message }, 'outbox scan failed');
          return null;
        });
      if (!found) return false;
      const ids = this.written.get(model) ?? new Set<string>();
      for (const d of found) ids.add(String(d._id));
      this.written.set(model, ids);
      // A full page means there may be more: sweep again once these are sent.
      if (found.length === SWEEP_PAGE) this.sweepAgain = true;
    }
    return true;
  }

  private async publish(entries: OutboxEntry[]): Promise<void> {
    for (const e of entries) {
      const h = natsHeaders();
      if (e.traceparent) h.set('traceparent', e.traceparent);
      // Read back through lean(), the bytes are a BSON Binary rather than a Buffer.
      const data = Buffer.isBuffer(e.data)
        ? e.data
        : Buffer.from((e.data as unknown as { buffer: Uint8Array }).buffer);
      await this.js().publish(e.subject, data, { msgID: e.id, headers: h });
    }
  }

  /**
   * Removes what was published from each document by a compare-and-set on the version it was read
   * at (a write that adds events moves the version; FerretDB 1.x lacks a conditional $pull). The
   * documents no other writer holds are claimed together (one insert and one delete of claims
   * instead of two per document) and cleared side by side; the others, and any a writer changed
   * meanwhile, one by one in turn. Returns the ids whose entries are still there (the document stayed
   * busy): the caller queues them again.
   */
  private async markSent(model: OutboxModel, docs: OutboxDoc[]): Promise<string[]> {
    const byId = new Map(docs.map((d) => [String(d._id), d]));
    // Not one bulkWrite: FerretDB runs its updates one by one anyway, and one of 200 updates made
    // FerretDB (SQLite backend) drop the connection.
    const { result: changed, busy } = await writesTo(model).allInTurn([...byId.keys()], (held) =>
      this.eachSideBySide(held, async (id) => {
        const res = await model.updateOne(
          { _id: id, version: byId.get(id)!.version },
          { $set: { outbox: [] } },
          { timestamps: false },
        );
        return res.matchedCount === 1;
      }),
    );
    // A busy document waits for its writer (a few seconds, or until a claim a crash left goes stale):
    // side by side, or a batch of them held the relay for minutes.
    return this.eachSideBySide([...busy, ...changed], (id) => this.markOneSent(model, byId.get(id)!));
  }

  /** Runs done for each id, as many at a time as the relay has workers; the ids it was false for. */
  private async eachSideBySide(ids: string[], done: (id: string) => Promise<boolean>): Promise<string[]> {
    const rest = [...ids];
    const failed: string[] = [];
    const worker = async () => {
      for (let id = rest.shift(); id !== undefined; id = rest.shift()) if (!(await done(id))) failed.push(id);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, rest.length) }, worker));
    return failed;
  }

  /**
   * markSent for one document, in turn with its writers: if a writer got in between, re-read and keep
   * the entries it added. False when the entries are still there (the document stayed busy).
   */
  private async markOneSent(model: OutboxModel, doc: OutboxDoc): Promise<boolean> {
    const sent = new Set(doc.outbox.map((e) => e.id));
    const id = String(doc._id);
    let current: OutboxDoc | null = doc;
    for (let i = 0; i < 5 && current; i++) {
      const { version } = current;
      const remaining = current.outbox.filter((e) => !sent.has(e.id));
      // Claimed like any writer's change, so an event pushed meanwhile is never overwritten.
      const matched = await inTurn(model, id, async () => {
        const res = await model.updateOne(
          { _id: id, version },
          { $set: { outbox: remaining } },
          { timestamps: false },
        );
        return res.matchedCount === 1;
      }).catch((err: unknown) => {
        // Held by another writer, or by one that died mid-write until its claim goes stale.
        if (err instanceof UnavailableError) return undefined;
        throw err;
      });
      if (matched === undefined) return false;
      if (matched) return true;
      current = await model.findById(id, { outbox: 1, version: 1 }).lean<OutboxDoc>();
    }
    return !current;
  }
}
