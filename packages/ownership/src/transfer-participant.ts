import {
  type Actor,
  consumeEvents,
  type EventEnvelope,
  type Logger,
  type OutboxModel,
  writesTo,
  serviceActor,
} from '@crm/kit';
import { event as eventProto, ownershipEvents } from '@crm/proto';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import { headers as natsHeaders } from 'nats';

/** Stream and subjects of ownership events; every service that takes part provisions the stream. */
export const OWNERSHIP_STREAM = { name: 'CRM_OWNERSHIP', subjects: ['crm.ownership.>'] };
export const TRANSFER_REQUESTED = 'crm.ownership.v1.OwnershipTransferRequested';
export const TRANSFER_PROGRESSED = 'crm.ownership.v1.OwnershipTransferProgressed';

/** One entity type a service moves in a transfer. */
export interface TransferableEntity {
  entity: string;
  model: OutboxModel;
  /** The field holding the owner (e.g. ownerId; assigneeId for tasks). */
  ownerField?: string;
  /** Only these records move (e.g. open tasks, not finished ones). */
  filter?: Record<string, unknown>;
  /** Whether the record has a teamId the transfer may set. */
  hasTeam?: boolean;
  /** Extra history to append per moved record (e.g. the lead's assignment history). */
  push?: (t: TransferRequest, actor: Actor, at: Date) => Record<string, unknown>;
  /** Records that have no owner of their own but follow another's (contacts follow their account). */
  follows?: { parent: OutboxModel; parentField: string };
  /**
   * Moves the records one by one through the owning service's own use case instead of one bulk
   * update, for records whose hand-over changes more than the owner (a deal's team) and announces
   * each move with an event. Must stamp `transfer` like the bulk move and return the count of stamped
   * records, so a redelivered request reports the same total.
   */
  move?: (t: TransferRequest, actor: Actor, at: Date) => Promise<number>;
}

/** Stamped on every moved record (field `transfer`). */
export interface TransferStamp {
  id: string;
  fromUserId: string;
  by: string;
  at: Date;
}

export interface TransferRequest {
  transferId: string;
  fromUserId: string;
  toUserId: string;
  toTeamId: string;
  /** Only records of these teams move (a sales manager's transfer); undefined: any team. */
  withinTeams?: string[];
}

/**
 * Moves every record of one type from one owner to another (VersionedWrites.updateEach): each record
 * is changed atomically, stamped with who moved it, when and by which transfer (`transfer`), and its
 * version is bumped. Safe to repeat: a second run finds nothing left, and the count is read back from
 * the stamps, so a redelivered request reports the same total.
 */
export async function moveRecords(
  e: TransferableEntity,
  t: TransferRequest,
  actor: Actor,
  now = new Date(),
): Promise<number> {
  if (e.move) return e.move(t, actor, now);
  const stamp: TransferStamp = { id: t.transferId, fromUserId: t.fromUserId, by: actor.userId, at: now };
  if (e.follows) {
    // Stamp the followers of the parents this transfer moved, so they are counted (and audited) too.
    const parents = await e.follows.parent
      .find({ 'transfer.id': t.transferId }, { _id: 1 })
      .lean<{ _id: string }[]>();
    await writesTo(e.model).updateEach(
      {
        ...e.filter,
        [e.follows.parentField]: { $in: parents.map((p) => p._id) },
        'transfer.id': { $ne: t.transferId },
      },
      { $set: { transfer: stamp, updatedAt: now, updatedBy: actor.userId }, $inc: { version: 1 } },
    );
    return e.model.countDocuments({ 'transfer.id': t.transferId });
  }
  const owner = e.ownerField ?? 'ownerId';
  const set: Record<string, unknown> = {
    [owner]: t.toUserId,
    transfer: stamp,
    updatedAt: now,
    updatedBy: actor.userId,
  };
  if (e.hasTeam !== false && t.toTeamId) set.teamId = t.toTeamId;
  const push = e.push?.(t, actor, now);
  // A manager's transfer leaves records of other teams where they are, whoever the directory said.
  const teams = t.withinTeams ? { teamId: { $in: t.withinTeams } } : {};
  await writesTo(e.model).updateEach(
    { ...e.filter, ...teams, [owner]: t.fromUserId },
    {
      $set: set,
      $inc: { version: 1 },
      ...(push ? { $push: push } : {}),
    },
  );
  return e.model.countDocuments({ 'transfer.id': t.transferId });
}

/**
 * Takes part in ownership transfers: on OwnershipTransferRequested, moves this service's records of
 * the types in scope and reports OwnershipTransferProgressed per type. The report is published
 * straight to JetStream (not through an outbox): the request is acked only after the report, and the
 * report's message id is fixed per transfer and type, so a redelivery re-sends it harmlessly.
 */
export async function takePartInTransfers(
  nc: NatsConnection,
  db: Connection,
  logger: Logger,
  service: string,
  entities: TransferableEntity[],
) {
  return consumeEvents(nc, db, logger, {
    stream: OWNERSHIP_STREAM.name,
    durable: `${service}-ownership-transfer`,
    filterSubject: TRANSFER_REQUESTED,
    handle: async (env: EventEnvelope) => {
      const req = ownershipEvents.OwnershipTransferRequested.decode(env.payload);
      // Who asked for the transfer; an event without one is recorded as this service's own work.
      const actor: Actor = env.actor ?? (await serviceActor());
      for (const e of entities.filter((x) => req.scope.includes(x.entity))) {
        const withinTeams = req.limitedToTeams ? req.withinTeams : undefined;
        const moved = await moveRecords(e, { ...req, withinTeams }, actor);
        logger.info(
          { transferId: req.transferId, entity: e.entity, moved },
          'ownership transfer: records moved',
        );
        await report(nc, env, req.transferId, e.entity, moved);
      }
    },
  });
}

async function report(
  nc: NatsConnection,
  cause: EventEnvelope,
  transferId: string,
  entity: string,
  moved: number,
) {
  const eventId = `${transferId}:${entity}:done`;
  const envelope = eventProto.EventEnvelope.encode(
    eventProto.EventEnvelope.fromPartial({
      eventId,
      eventType: TRANSFER_PROGRESSED,
      aggregateType: 'ownership-transfer',
      aggregateId: transferId,
      aggregateVersion: '0',
      occurredAt: new Date(),
      actor: cause.actor,
      traceparent: cause.traceparent,
      tracestate: cause.tracestate,
      requestId: cause.requestId,
      payload: Buffer.from(
        ownershipEvents.OwnershipTransferProgressed.encode({
          transferId,
          entity,
          moved,
          done: true,
        }).finish(),
      ),
    }),
  ).finish();
  const h = natsHeaders();
  if (cause.traceparent) h.set('traceparent', cause.traceparent);
  await nc.jetstream().publish(TRANSFER_PROGRESSED, envelope, { msgID: eventId, headers: h });
}
