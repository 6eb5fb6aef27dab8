import * as proto from '@crm/proto';
import { event as eventProto } from '@crm/proto';
import { type Connection, type Model, Schema } from 'mongoose';
import { z } from 'zod';
import type { OutboxEntry } from './outbox';
import { afterCursor, nextCursorOf, pageLimit } from './paging';
import { isDuplicateKey } from './unique-keys';

/**
 * The audit log of a service: one entry per domain event it publishes, written by the outbox relay
 * next to the publish and keyed by the event id, so a re-run of the relay records nothing twice.
 * Entries stay slim (the changed fields only) because FerretDB answers every list by a full scan.
 */

export const auditEnv = {
  // How long entries are kept; older ones are deleted by an hourly job.
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
};

export interface FieldChange {
  field: string;
  /** JSON of the value before; 'null' when unset or no longer known. */
  before: string;
  /** JSON of the value after; 'null' when cleared. */
  after: string;
}

export interface AuditEntryDoc {
  /** The event id. */
  _id: string;
  at: Date;
  eventType: string;
  recordType: string;
  recordId: string;
  recordVersion: number;
  actor: { userId: string; username: string };
  requestId: string;
  changes: FieldChange[];
  /** JSON of the event's own fields when it does not carry the record; '' otherwise. */
  details: string;
}

/** The last known state of a record, to tell what a change replaced ("before"). */
interface RecordStateDoc {
  /** `<recordType>:<recordId>` */
  _id: string;
  version: number;
  /** JSON of the record as its latest event carried it. */
  state: string;
  at: Date;
}

const auditSchema = new Schema<AuditEntryDoc>(
  {
    _id: String,
    at: Date,
    eventType: String,
    recordType: String,
    recordId: String,
    recordVersion: Number,
    actor: { _id: false, userId: String, username: String },
    requestId: String,
    changes: [{ _id: false, field: String, before: String, after: String }],
    details: String,
  },
  { versionKey: false },
);
// On MongoDB the list's filters and order use these; FerretDB scans either way.
auditSchema.index({ at: -1, _id: -1 });
auditSchema.index({ recordId: 1, at: -1 });
auditSchema.index({ 'actor.userId': 1, at: -1 });

const stateSchema = new Schema<RecordStateDoc>(
  { _id: String, version: Number, state: String, at: Date },
  { versionKey: false },
);

type Json = Record<string, unknown>;
type Decoder = (payload: Uint8Array) => Json;

/**
 * Event type -> payload decoder, for every message of every generated proto module: a new event
 * needs no registration. JSON is the message's proto JSON form (lowerCamelCase, defaults omitted).
 */
const decoders: Map<string, Decoder> = (() => {
  const found = new Map<string, Decoder>();
  for (const mod of Object.values(proto) as unknown[]) {
    if (!mod || typeof mod !== 'object' || !('protobufPackage' in mod)) continue;
    const pkg = String((mod as { protobufPackage: unknown }).protobufPackage);
    for (const [name, fns] of Object.entries(mod)) {
      const m = fns as { decode?: (b: Uint8Array) => unknown; toJSON?: (v: unknown) => unknown };
      if (typeof m?.decode === 'function' && typeof m.toJSON === 'function')
        found.set(`${pkg}.${name}`, (b) => withUnsetFields(m.decode!(b) as Json, m.toJSON!.bind(m)));
    }
  }
  return found;
})();

const isMessage = (v: unknown): v is Json =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);

/**
 * The JSON form, with the fields it omits for holding their default named as null inside nested
 * records: a record's state then knows all its fields, so an event naming one (ownerId) updates it.
 */
function withUnsetFields(message: Json, toJSON: (v: unknown) => unknown): Json {
  const out = (toJSON(message) ?? {}) as Json;
  for (const [k, v] of Object.entries(message)) {
    if (Array.isArray(v) && !(k in out)) out[k] = [];
    if (!isMessage(v)) continue;
    const nested = isMessage(out[k]) ? (out[k] as Json) : {};
    for (const f of Object.keys(v)) if (!(f in nested)) nested[f] = null;
    out[k] = nested;
  }
  return out;
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const json = (v: unknown) => JSON.stringify(v ?? null);

/** Reads back an outbox entry's bytes, a Buffer or (through lean()) a BSON Binary. */
const bytesOf = (data: OutboxEntry['data']): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from((data as unknown as { buffer: Uint8Array }).buffer);

interface Decoded {
  envelope: ReturnType<typeof eventProto.EventEnvelope.decode>;
  payload: Json;
}

function decode(entry: OutboxEntry): Decoded {
  const envelope = eventProto.EventEnvelope.decode(bytesOf(entry.data));
  let payload: Json = {};
  try {
    payload = decoders.get(envelope.eventType)?.(envelope.payload) ?? {};
  } catch {
    // An undecodable payload still leaves who, what and when.
  }
  return { envelope, payload };
}

/**
 * What one event changed, given the record's previous state. An event that carries the record (its
 * field named after the record type, e.g. `lead`) lists its changed fields (every set field when it
 * has no changedFields, as on creation) and becomes the new state; any other event keeps its fields
 * as details, and those named like record fields (ownerId, teamId) update the state so that a later
 * "before" is right.
 */
function changesOf(
  recordType: string,
  payload: Json,
  previous: Json | undefined,
): { changes: FieldChange[]; details: string; state: Json | undefined } {
  const record = payload[camel(recordType)];
  if (record && typeof record === 'object' && !Array.isArray(record)) {
    const after = record as Json;
    const fields = Array.isArray(payload.changedFields)
      ? (payload.changedFields as string[]).map(camel)
      : Object.keys(after).filter((f) => after[f] !== null);
    const changes = fields.map((field) => ({
      field,
      before: json(previous?.[field]),
      after: json(after[field]),
    }));
    return { changes, details: '', state: after };
  }
  let state = previous;
  if (previous) {
    state = { ...previous };
    for (const [k, v] of Object.entries(payload)) if (k in previous && !isMessage(v)) state[k] = v;
  }
  return { changes: [], details: JSON.stringify(payload), state };
}

/** An event that carries its whole record and names no changed fields: the record's creation. */
function isCreation({ envelope, payload }: Decoded): boolean {
  return isMessage(payload[camel(envelope.aggregateType)]) && !Array.isArray(payload.changedFields);
}

interface BulkError {
  writeErrors?: { index: number; code?: number; err?: unknown }[];
}

/** Swallows a bulk write's errors when each is a duplicate key (written by an earlier run). */
function duplicatesOnly(err: BulkError): void {
  const errors = err.writeErrors ?? [err];
  if (!errors.every((e) => isDuplicateKey(e) || isDuplicateKey((e as { err?: unknown }).err))) throw err;
}

export interface AuditQuery {
  actorUserId?: string;
  recordType?: string;
  recordId?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  cursor?: string;
}

export class AuditLog {
  readonly entries: Model<AuditEntryDoc>;
  private readonly states: Model<RecordStateDoc>;

  constructor(
    db: Connection,
    private readonly retentionDays: number,
  ) {
    this.entries =
      (db.models.AuditEntry as Model<AuditEntryDoc> | undefined) ??
      db.model<AuditEntryDoc>('AuditEntry', auditSchema, 'audit');
    this.states =
      (db.models.AuditRecordState as Model<RecordStateDoc> | undefined) ??
      db.model<RecordStateDoc>('AuditRecordState', stateSchema, 'audit_record_states');
  }

  /**
   * Records published outbox entries (of one or more aggregates, each one's in order) with one insert
   * of entries and one write of record states: per aggregate, these were most of the outbox relay's
   * database commands. Idempotent: an entry already recorded is a duplicate key and skipped, and a
   * record's state only moves forward by version.
   */
  async record(outbox: OutboxEntry[]): Promise<void> {
    const byRecord = new Map<string, Decoded[]>();
    for (const e of outbox) {
      const d = decode(e);
      const key = `${d.envelope.aggregateType}:${d.envelope.aggregateId}`;
      byRecord.set(key, [...(byRecord.get(key) ?? []), d]);
    }
    // A record's first event has nothing before it: no read (an import creates thousands at once).
    const stored = new Map<string, RecordStateDoc>();
    await Promise.all(
      [...byRecord]
        .filter(([, events]) => !isCreation(events[0]!))
        .map(async ([key]) => {
          const state = await this.states.findById(key).lean<RecordStateDoc>();
          if (state) stored.set(key, state);
        }),
    );
    const entries: AuditEntryDoc[] = [];
    const states: RecordStateDoc[] = [];
    for (const [key, events] of byRecord) {
      const { docs, state } = this.entriesOf(key, events, stored.get(key));
      entries.push(...docs);
      if (state) states.push(state);
    }
    // lean: the entries are built here whole, as the schema has them; a mongoose document per entry
    // (casting, validation) cost the relay more CPU than the insert itself.
    await this.entries.insertMany(entries, { ordered: false, lean: true }).catch(duplicatesOnly);
    await this.saveStates(states, stored);
  }

  /** One record's audit entries, and its new state when the events moved it forward. */
  private entriesOf(
    key: string,
    events: Decoded[],
    stored: RecordStateDoc | undefined,
  ): { docs: AuditEntryDoc[]; state?: RecordStateDoc } {
    let state = stored ? (JSON.parse(stored.state) as Json) : undefined;
    let version = stored?.version ?? 0;
    const docs: AuditEntryDoc[] = [];
    for (const { envelope: env, payload } of events) {
      const recordVersion = Number(env.aggregateVersion);
      const { changes, details, state: next } = changesOf(env.aggregateType, payload, state);
      state = next;
      version = Math.max(version, recordVersion);
      docs.push({
        _id: env.eventId,
        at: env.occurredAt ?? new Date(),
        eventType: env.eventType,
        recordType: env.aggregateType,
        recordId: env.aggregateId,
        recordVersion,
        actor: { userId: env.actor?.userId ?? '', username: env.actor?.username ?? '' },
        requestId: env.requestId,
        changes,
        details,
      });
    }
    if (!state || version <= (stored?.version ?? 0)) return { docs };
    return {
      docs,
      state: { _id: key, version, state: JSON.stringify(state), at: docs[docs.length - 1]!.at },
    };
  }

  /**
   * Writes record states, each only over an older one. New records' states are inserted together;
   * one already there (a re-run) and every other state is replaced if older, in one bulk write.
   */
  private async saveStates(states: RecordStateDoc[], stored: Map<string, RecordStateDoc>): Promise<void> {
    const fresh = states.filter((s) => !stored.has(s._id));
    const exists = new Set<string>();
    await this.states.insertMany(fresh, { ordered: false, lean: true }).catch((err: BulkError) => {
      duplicatesOnly(err);
      for (const e of err.writeErrors ?? []) exists.add(fresh[e.index]!._id);
    });
    const replace = states.filter((s) => stored.has(s._id) || exists.has(s._id));
    if (!replace.length) return;
    await this.states
      .bulkWrite(
        replace.map(({ _id, ...doc }) => ({
          replaceOne: { filter: { _id, version: { $lt: doc.version } }, replacement: doc, upsert: true },
        })),
        { ordered: false },
      )
      // A newer state is already there (an upsert's insert met it): keep it.
      .catch(duplicatesOnly);
  }

  /** Entries newest first, filtered; one more than the page is read to know whether more follow. */
  async list(q: AuditQuery): Promise<{ entries: AuditEntryDoc[]; nextCursor: string }> {
    const limit = pageLimit(q.limit);
    const and: Record<string, unknown>[] = [];
    if (q.actorUserId) and.push({ 'actor.userId': q.actorUserId });
    if (q.recordType) and.push({ recordType: q.recordType });
    if (q.recordId) and.push({ recordId: q.recordId });
    if (q.from) and.push({ at: { $gte: q.from } });
    if (q.to) and.push({ at: { $lt: q.to } });
    if (q.cursor) and.push(afterCursor(q.cursor, 'at', true, 'date'));
    const found = await this.entries
      .find(and.length ? { $and: and } : {})
      .sort({ at: -1, _id: -1 })
      .limit(limit + 1)
      .lean<AuditEntryDoc[]>();
    const { page, nextCursor } = nextCursorOf(found, limit, (e) => e.at);
    return { entries: page, nextCursor };
  }

  /** Deletes entries (and record states) older than the retention period. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    const res = await this.entries.deleteMany({ at: { $lt: cutoff } });
    await this.states.deleteMany({ at: { $lt: cutoff } });
    return res.deletedCount;
  }
}
