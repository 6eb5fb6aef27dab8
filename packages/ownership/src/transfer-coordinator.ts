import { createHash, randomUUID } from 'node:crypto';
import {
  consumeEvents,
  ForbiddenError,
  type Logger,
  NotFoundError,
  type OutboxEntry,
  outboxEntry,
  outboxSchema,
  UnavailableError,
  ValidationError,
  VersionedWrites,
} from '@crm/kit';
import { ownershipEvents } from '@crm/proto';
import { type Connection, type Model, Schema } from 'mongoose';
import type { NatsConnection } from 'nats';
import {
  canSeeTransfer,
  canTransfer,
  type TransferParties,
  transferTeams,
  transferVisibilityFilter,
  validateTransfer,
} from './rules';
import { OWNERSHIP_STREAM, TRANSFER_PROGRESSED, TRANSFER_REQUESTED } from './transfer-participant';
import type { Caller } from './pool';

export interface ProgressDoc {
  moved: number;
  done: boolean;
  reportedAt: Date;
}

export interface TransferDoc {
  _id: string;
  version: number;
  fromUserId: string;
  toUserId: string;
  toTeamId: string;
  /** Only records of these teams move (a sales manager's transfer); absent: any team (an admin's). */
  withinTeams?: string[];
  scope: string[];
  status: 'running' | 'completed';
  progress: Record<string, ProgressDoc>;
  createdAt: Date;
  createdBy: string;
  completedAt?: Date;
  outbox: OutboxEntry[];
}

const transferSchema = new Schema<TransferDoc>(
  {
    _id: String,
    version: Number,
    fromUserId: String,
    toUserId: String,
    toTeamId: String,
    withinTeams: { type: [String], default: undefined },
    scope: [String],
    status: String,
    progress: Schema.Types.Mixed,
    createdAt: Date,
    createdBy: String,
    completedAt: Date,
    outbox: [outboxSchema],
  },
  { versionKey: false, minimize: false },
);
transferSchema.index({ createdAt: -1 });

/**
 * Keeps the transfer records: starting one writes the record and its OwnershipTransferRequested event
 * in one document; the reports of the services that move records fill in the progress per type.
 */
export class TransferCoordinator {
  readonly model: Model<TransferDoc>;
  private readonly writes: VersionedWrites;

  constructor(
    db: Connection,
    /** Entity types some service moves; a new service adds its types here (OWNERSHIP_ENTITIES). */
    private readonly known: readonly string[],
    private readonly kick: (id: string) => void,
  ) {
    this.model =
      (db.models.OwnershipTransfer as Model<TransferDoc> | undefined) ??
      db.model<TransferDoc>('OwnershipTransfer', transferSchema, 'ownership_transfers');
    this.writes = new VersionedWrites(this.model);
  }

  async start(
    req: TransferParties & { fromUserId: string; toUserId: string; scope: string[]; idempotencyKey: string },
    c: Caller,
  ): Promise<TransferDoc> {
    if (!canTransfer(c.actor)) throw new ForbiddenError('only sales managers and admins transfer ownership');
    const scope = validateTransfer(req, this.known);
    const withinTeams = transferTeams(c.actor, req);
    if (req.idempotencyKey.length > 255)
      throw new ValidationError([{ field: 'idempotencyKey', description: 'at most 255 characters' }]);
    // The same key from the same caller is the same transfer: its id is derived from both.
    const id = req.idempotencyKey ? uuidFrom(`${c.actor.userId}\u0000${req.idempotencyKey}`) : randomUUID();
    const existing = await this.model.findById(id, { outbox: 0 }).lean<TransferDoc>();
    if (existing) return existing;
    const now = new Date();
    const doc: TransferDoc = {
      _id: id,
      version: 1,
      fromUserId: req.fromUserId,
      toUserId: req.toUserId,
      toTeamId: req.toTeamId,
      ...(withinTeams ? { withinTeams } : {}),
      scope,
      status: 'running',
      progress: {},
      createdAt: now,
      createdBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox.push(
      outboxEntry({
        eventType: TRANSFER_REQUESTED,
        payload: ownershipEvents.OwnershipTransferRequested.encode({
          transferId: id,
          fromUserId: req.fromUserId,
          toUserId: req.toUserId,
          scope,
          toTeamId: req.toTeamId,
          limitedToTeams: !!withinTeams,
          withinTeams: withinTeams ?? [],
        }).finish(),
        aggregateType: 'ownership-transfer',
        aggregateId: id,
        aggregateVersion: 1,
        actor: c.actor,
        requestId: c.requestId,
      }),
    );
    try {
      await this.model.create(doc);
    } catch {
      // The same key raced us: the other request's transfer is the one.
      const raced = await this.model.findById(id, { outbox: 0 }).lean<TransferDoc>();
      if (raced) return raced;
      throw new Error('could not record the transfer');
    }
    this.kick(id);
    return { ...doc, outbox: [] };
  }

  async get(id: string, c: Caller): Promise<TransferDoc> {
    if (!canTransfer(c.actor))
      throw new ForbiddenError('only sales managers and admins see ownership transfers');
    const doc = await this.model.findById(id, { outbox: 0 }).lean<TransferDoc>();
    // Another team's transfer answers like an unknown one.
    if (!doc || !canSeeTransfer(c.actor, doc)) throw new NotFoundError('ownership transfer', id);
    return doc;
  }

  async list(limit: number, c: Caller): Promise<TransferDoc[]> {
    if (!canTransfer(c.actor))
      throw new ForbiddenError('only sales managers and admins see ownership transfers');
    return this.model
      .find(transferVisibilityFilter(c.actor) ?? {}, { outbox: 0 })
      .sort({ createdAt: -1 })
      .limit(Math.min(Math.max(limit || 50, 1), 200))
      .lean<TransferDoc[]>();
  }

  /** Records a service's report; the transfer completes when every type in scope is done. */
  async recordProgress(p: {
    transferId: string;
    entity: string;
    moved: number;
    done: boolean;
  }): Promise<void> {
    // Reports of several services may arrive at once: each is a compare-and-set on the transfer's
    // version, and the loser reads the winner's progress and tries again.
    for (let attempt = 0; attempt < 20; attempt++) {
      const now = new Date();
      const doc = await this.model.findById(p.transferId, { outbox: 0 }).lean<TransferDoc>();
      if (!doc) return;
      const progress = { ...doc.progress, [p.entity]: { moved: p.moved, done: p.done, reportedAt: now } };
      const complete = doc.status === 'running' && doc.scope.every((e) => progress[e]?.done);
      const saved = await this.writes.updateAtVersion(doc._id, doc.version, {
        $set: { progress, ...(complete ? { status: 'completed', completedAt: now } : {}) },
        $inc: { version: 1 },
      });
      if (saved) return;
    }
    throw new UnavailableError(`transfer ${p.transferId} stayed busy; the report is redelivered`);
  }

  /** Listens for the reports of the services that move records. */
  follow(nc: NatsConnection, db: Connection, logger: Logger, service: string) {
    return consumeEvents(nc, db, logger, {
      stream: OWNERSHIP_STREAM.name,
      durable: `${service}-ownership-progress`,
      filterSubject: TRANSFER_PROGRESSED,
      handle: async (env) =>
        this.recordProgress(ownershipEvents.OwnershipTransferProgressed.decode(env.payload)),
    });
  }
}

/** A UUID (v5-shaped) from a name, so a key always names the same record. */
function uuidFrom(name: string): string {
  const h = createHash('sha1').update(`crm-ownership-transfer:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
