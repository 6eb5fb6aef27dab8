import {
  afterCursor,
  encodeCursor,
  type Actor,
  allows,
  canSee,
  ConflictError,
  ForbiddenError,
  type Logger,
  NotFoundError,
  type OutboxEntry,
  outboxEntry,
  type OutboxModel,
  updateAtVersion,
  ValidationError,
  VersionMismatchError,
  serviceActor,
} from '@crm/kit';
import { ownershipEvents } from '@crm/proto';
import { type Connection, type Model, Schema } from 'mongoose';
import {
  canClaim,
  canRelease,
  claimCounterId,
  DEFAULT_POOL_SETTINGS,
  inactivityCutoff,
  type PoolEntity,
  type PoolSettings,
  type PoolState,
  validatePoolSettings,
} from './rules';

/** The fields the pool reads and writes on a record; the rest is the owning service's business. */
export interface PoolableDoc {
  _id: string;
  version: number;
  ownerId?: string;
  teamId?: string;
  pool?: PoolState;
  lastActivityAt?: Date;
  createdAt?: Date;
}

export interface PoolSettingsDoc extends PoolSettings {
  _id: string;
  version: number;
  updatedAt?: Date;
  updatedBy?: string;
}

interface ClaimCounterDoc {
  _id: string;
  count: number;
  day: string;
}

export interface PoolOptions {
  entity: PoolEntity;
  model: OutboxModel;
  db: Connection;
  /** Display name of a record in pool lists. */
  nameOf: (doc: Record<string, unknown>) => string;
  /** Fields to read for nameOf. */
  nameFields: string[];
  /** Only records matching this may be released by the inactivity rule (e.g. open leads). */
  releasableFilter?: Record<string, unknown>;
  /**
   * Extra changes on release and claim (e.g. the lead's queue and assignment history), given the record
   * as read with `readFields`.
   */
  onRelease?: (
    actor: Actor,
    reason: string,
    at: Date,
    doc?: PoolableDoc & Record<string, unknown>,
  ) => { set?: object; push?: object };
  onClaim?: (
    actor: Actor,
    at: Date,
    doc?: PoolableDoc & Record<string, unknown>,
  ) => { set?: object; push?: object };
  /**
   * Events of the owning service written with a claim or a release, in the same write (the account's
   * AccountOwnerChanged): `next` is the record's id, version, owner and team after the write.
   */
  ownerChangeEvents?: (next: PoolOwnerChange, c: Caller) => OutboxEntry[];
  /** More fields the hooks read (e.g. a deal's team). */
  readFields?: string[];
  /** Why a record may not go to the pool (409), e.g. a closed deal; undefined when it may. */
  refuseRelease?: (doc: PoolableDoc & Record<string, unknown>) => string | undefined;
  /** Called after a write so the outbox relay sends its events at once. */
  kick?: (id: string) => void;
  logger: Logger;
}

const settingsSchema = new Schema<PoolSettingsDoc>(
  {
    _id: String,
    version: Number,
    maxClaimsPerDay: Number,
    releaseAfterInactiveDays: Number,
    updatedAt: Date,
    updatedBy: String,
  },
  { versionKey: false },
);
const counterSchema = new Schema<ClaimCounterDoc>(
  { _id: String, count: Number, day: String },
  { versionKey: false },
);

/**
 * Why a claim is refused before any write, or undefined when the record may be claimed. A record
 * claimed from the pool is "already claimed" even to a caller who no longer sees it: the loser of a
 * race must learn that it lost, not that the record vanished. A record never pooled stays invisible
 * to those who may not see it.
 */
export function claimRefusal(
  actor: Actor,
  doc: Pick<PoolableDoc, 'ownerId' | 'teamId' | 'pool'> | null,
): 'not-found' | 'already-claimed' | 'not-pooled' | undefined {
  if (!doc) return 'not-found';
  if (doc.pool?.pooled) return undefined;
  if (doc.pool?.claimedBy) return 'already-claimed';
  return canSee(actor, doc) ? 'not-pooled' : 'not-found';
}

export interface Caller {
  actor: Actor;
  requestId: string;
}

/** A record changing hands through the pool, as stored after the claim or release. */
export interface PoolOwnerChange {
  _id: string;
  version: number;
  ownerId: string;
  teamId: string;
  previousOwnerId: string;
  kind: 'claim' | 'release';
}

/**
 * The public pool of one entity type. Every change is one single-document write on the record, with
 * its event in the record's outbox; a claim's daily limit is a per-rep counter document.
 */
export class RecordPool {
  private readonly Settings: Model<PoolSettingsDoc>;
  private readonly Counters: Model<ClaimCounterDoc>;

  constructor(private readonly o: PoolOptions) {
    this.Settings =
      (o.db.models.PoolSettings as Model<PoolSettingsDoc> | undefined) ??
      o.db.model<PoolSettingsDoc>('PoolSettings', settingsSchema, 'pool_settings');
    this.Counters =
      (o.db.models.PoolClaimCounter as Model<ClaimCounterDoc> | undefined) ??
      o.db.model<ClaimCounterDoc>('PoolClaimCounter', counterSchema, 'pool_claim_counters');
  }

  get entity(): PoolEntity {
    return this.o.entity;
  }

  nameOf(doc: PoolableDoc): string {
    return this.o.nameOf(doc as unknown as Record<string, unknown>);
  }

  async release(id: string, reason: string, expectedVersion: number, c: Caller): Promise<PoolableDoc> {
    const doc = await this.find(id);
    if (!doc || !canSee(c.actor, doc)) throw new NotFoundError(this.o.entity, id);
    if (!canRelease(c.actor, doc))
      throw new ForbiddenError(
        'only the owner, a manager of its team or an admin may release it to the pool',
      );
    if (expectedVersion && expectedVersion !== doc.version)
      throw new VersionMismatchError(expectedVersion, doc.version);
    if (reason.length > 500)
      throw new ValidationError([{ field: 'reason', description: 'at most 500 characters' }]);
    return this.releaseDoc(doc, reason, c);
  }

  async claim(id: string, c: Caller): Promise<PoolableDoc> {
    if (!canClaim(c.actor))
      throw new ForbiddenError('only sales reps, managers and admins claim from the pool');
    const doc = await this.find(id);
    this.refuseUnclaimable(id, doc, c.actor);
    const now = new Date();
    const counter = await this.takeClaim(c.actor.userId, now);
    const extra = this.o.onClaim?.(c.actor, now, doc as PoolableDoc & Record<string, unknown>) ?? {};
    const teamId = c.actor.teams[0] ?? doc.teamId ?? '';
    const events = [
      this.event(doc, 'crm.ownership.v1.RecordClaimedFromPool', c, (next) =>
        ownershipEvents.RecordClaimedFromPool.encode({
          entity: this.o.entity,
          id: next._id,
          ownerId: c.actor.userId,
        }).finish(),
      ),
      ...this.ownerChangeEvents(doc, { ownerId: c.actor.userId, teamId, kind: 'claim' }, c),
    ];
    const won = await updateAtVersion(
      this.o.model,
      id,
      doc.version,
      {
        $set: {
          ownerId: c.actor.userId,
          teamId,
          pool: { ...doc.pool, pooled: false, claimedAt: now, claimedBy: c.actor.userId },
          updatedAt: now,
          updatedBy: c.actor.userId,
          ...extra.set,
        },
        $inc: { version: 1 },
        $push: { outbox: { $each: events }, ...extra.push },
      },
      { 'pool.pooled': true },
    );
    if (!won) {
      if (counter) await this.Counters.deleteOne({ _id: counter });
      this.refuseUnclaimable(id, await this.find(id), c.actor);
      throw new ConflictError(`the ${this.o.entity} changed meanwhile; try again`);
    }
    this.o.kick?.(id);
    return (await this.find(id))!;
  }

  async list(limit: number, cursor: string): Promise<{ records: PoolableDoc[]; nextCursor: string }> {
    const n = Math.min(Math.max(limit || 50, 1), 200);
    const filter: Record<string, unknown> = { 'pool.pooled': true };
    // Kit's cursor checks: a made-up cursor is a 400, never an invalid date sent to the database.
    if (cursor) Object.assign(filter, afterCursor(cursor, 'pool.releasedAt', true, 'date'));
    const docs = await this.o.model
      .find(filter, this.projection())
      .sort({ 'pool.releasedAt': -1, _id: -1 })
      .limit(n + 1)
      .lean<PoolableDoc[]>();
    const page = docs.slice(0, n);
    const last = page[page.length - 1];
    const nextCursor = docs.length > n && last ? encodeCursor(last.pool?.releasedAt, last._id) : '';
    return { records: page, nextCursor };
  }

  async settings(): Promise<PoolSettingsDoc> {
    const doc = await this.Settings.findById(this.o.entity).lean<PoolSettingsDoc>();
    return doc ?? { _id: this.o.entity, version: 0, ...DEFAULT_POOL_SETTINGS };
  }

  async putSettings(s: PoolSettings, expectedVersion: number, c: Caller): Promise<PoolSettingsDoc> {
    if (!allows(c.actor.roles, 'settings.write'))
      throw new ForbiddenError('only admins change pool settings');
    const valid = validatePoolSettings(s);
    const cur = await this.settings();
    if (expectedVersion && expectedVersion !== cur.version)
      throw new VersionMismatchError(expectedVersion, cur.version);
    const next = {
      ...valid,
      version: cur.version + 1,
      updatedAt: new Date(),
      updatedBy: c.actor.userId,
    };
    if (cur.version === 0) {
      await this.Settings.create({ _id: this.o.entity, ...next }).catch(() => {
        throw new VersionMismatchError(expectedVersion || 0, 1);
      });
    } else {
      if (!(await updateAtVersion(this.Settings, this.o.entity, cur.version, { $set: next })))
        throw new VersionMismatchError(cur.version, cur.version + 1);
    }
    return { _id: this.o.entity, ...next };
  }

  /** The inactivity rule, run by a durable schedule: owned records untouched for N days go back. */
  async releaseInactive(now = new Date(), batch = 200): Promise<number> {
    const cutoff = inactivityCutoff(now, await this.settings());
    if (!cutoff) return 0;
    const stale = await this.o.model
      .find(
        {
          ...this.o.releasableFilter,
          ownerId: { $nin: ['', null] },
          'pool.pooled': { $ne: true },
          $or: [{ lastActivityAt: { $lt: cutoff } }, { lastActivityAt: null, createdAt: { $lt: cutoff } }],
        },
        this.projection(),
      )
      .limit(batch)
      .lean<PoolableDoc[]>();
    // The inactivity rule is the service's own work: recorded as its service account.
    const system: Caller = {
      actor: await serviceActor(),
      requestId: `pool-release-${now.toISOString()}`,
    };
    let released = 0;
    for (const doc of stale) {
      const days = Math.round((now.getTime() - cutoff.getTime()) / 86_400_000);
      await this.releaseDoc(doc, `no activity for ${days} days`, system)
        .then(() => released++)
        .catch((err: Error) => this.o.logger.info({ id: doc._id, err: err.message }, 'not released'));
    }
    if (released)
      this.o.logger.info({ entity: this.o.entity, released }, 'released inactive records to the pool');
    return released;
  }

  private async releaseDoc(doc: PoolableDoc, reason: string, c: Caller): Promise<PoolableDoc> {
    if (doc.pool?.pooled) throw new ConflictError(`the ${this.o.entity} is already in the pool`);
    const full = doc as PoolableDoc & Record<string, unknown>;
    const refusal = this.o.refuseRelease?.(full);
    if (refusal) throw new ConflictError(refusal);
    const now = new Date();
    const extra = this.o.onRelease?.(c.actor, reason, now, full) ?? {};
    const events = [
      this.event(doc, 'crm.ownership.v1.RecordReleasedToPool', c, (next) =>
        ownershipEvents.RecordReleasedToPool.encode({
          entity: this.o.entity,
          id: next._id,
          previousOwnerId: doc.ownerId ?? '',
          releasedBy: c.actor.userId,
          reason,
        }).finish(),
      ),
      ...this.ownerChangeEvents(doc, { ownerId: '', teamId: doc.teamId ?? '', kind: 'release' }, c),
    ];
    const released = await updateAtVersion(this.o.model, doc._id, doc.version, {
      $set: {
        ownerId: '',
        pool: { pooled: true, releasedAt: now, releasedBy: c.actor.userId, reason },
        updatedAt: now,
        updatedBy: c.actor.userId,
        ...extra.set,
      },
      $inc: { version: 1 },
      $push: { outbox: { $each: events }, ...extra.push },
    });
    if (!released) throw new ConflictError(`the ${this.o.entity} changed meanwhile; try again`);
    this.o.kick?.(doc._id);
    return (await this.find(doc._id))!;
  }

  /**
   * Takes one claim from the rep's daily allowance: one document per claim slot (rep, day, n), so the
   * limit holds under concurrency on any server (an insert of a taken _id fails everywhere, whereas a
   * conditional increment is not atomic on FerretDB). Returns the slot, to give back if the claim loses.
   */
  private async takeClaim(userId: string, now: Date): Promise<string | undefined> {
    const { maxClaimsPerDay } = await this.settings();
    if (!maxClaimsPerDay) return undefined;
    const day = claimCounterId(this.o.entity, userId, now);
    const taken = await this.Counters.countDocuments({ day });
    for (let n = taken + 1; n <= maxClaimsPerDay; n++) {
      try {
        await this.Counters.create({ _id: `${day}:${n}`, day, count: 1 });
        return `${day}:${n}`;
      } catch {
        // slot n went to a concurrent claim: try the next one
      }
    }
    throw new ConflictError(
      `you reached today's limit of ${maxClaimsPerDay} ${this.o.entity} claims from the pool`,
    );
  }

  private refuseUnclaimable(id: string, doc: PoolableDoc | null, actor: Actor): asserts doc is PoolableDoc {
    const refusal = claimRefusal(actor, doc);
    if (refusal === 'not-found') throw new NotFoundError(this.o.entity, id);
    if (refusal === 'already-claimed')
      throw new ConflictError(`the ${this.o.entity} was already claimed from the pool`);
    if (refusal === 'not-pooled') throw new ConflictError(`the ${this.o.entity} is not in the pool`);
  }

  private ownerChangeEvents(
    doc: PoolableDoc,
    after: Pick<PoolOwnerChange, 'ownerId' | 'teamId' | 'kind'>,
    c: Caller,
  ): OutboxEntry[] {
    const next = { _id: doc._id, version: doc.version + 1, previousOwnerId: doc.ownerId ?? '', ...after };
    return this.o.ownerChangeEvents?.(next, c) ?? [];
  }

  private event(
    doc: PoolableDoc,
    eventType: string,
    c: Caller,
    payload: (next: PoolableDoc) => Uint8Array,
  ): OutboxEntry {
    return outboxEntry({
      eventType,
      payload: payload(doc),
      aggregateType: this.o.entity,
      aggregateId: doc._id,
      aggregateVersion: doc.version + 1,
      actor: c.actor,
      requestId: c.requestId,
    });
  }

  private projection(): Record<string, 1> {
    const p: Record<string, 1> = {
      _id: 1,
      version: 1,
      ownerId: 1,
      teamId: 1,
      pool: 1,
      lastActivityAt: 1,
      createdAt: 1,
    };
    for (const f of [...this.o.nameFields, ...(this.o.readFields ?? [])]) p[f] = 1;
    return p;
  }

  private find(id: string): Promise<PoolableDoc | null> {
    return this.o.model.findById(id, this.projection()).lean<PoolableDoc>();
  }
}
