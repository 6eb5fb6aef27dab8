import { type CallerContext, callerOf, expectedVersionOf, NotFoundError, ValidationError } from '@crm/kit';
import { ownership as pb } from '@crm/proto';
import type { PoolableDoc, RecordPool } from './pool';
import type { TransferCoordinator, TransferDoc } from './transfer-coordinator';

type Ctx = CallerContext;

const version = (v: string) => expectedVersionOf(v);

/** PoolService for the pools a service hosts (lead: lead; account: account). */
export function poolGrpc(pools: RecordPool[]): pb.PoolServiceImplementation<Ctx> {
  const byEntity = new Map(pools.map((p) => [p.entity as string, p]));
  const pool = (entity: string) => {
    const p = byEntity.get(entity);
    if (!p)
      throw new ValidationError([
        { field: 'entity', description: `must be one of ${[...byEntity.keys()].join(', ')} here` },
      ]);
    return p;
  };
  const record = (p: RecordPool, d: PoolableDoc): pb.PooledRecord =>
    pb.PooledRecord.fromPartial({
      entity: p.entity,
      id: d._id,
      name: p.nameOf(d),
      ownerId: d.ownerId ?? '',
      teamId: d.teamId ?? '',
      pooled: d.pool?.pooled ?? false,
      releasedAt: d.pool?.releasedAt,
      releasedBy: d.pool?.releasedBy ?? '',
      releaseReason: d.pool?.reason ?? '',
      version: String(d.version),
      lastActivityAt: d.lastActivityAt,
    });
  const settings = (entity: string, s: Awaited<ReturnType<RecordPool['settings']>>) =>
    pb.PoolSettings.fromPartial({
      entity,
      maxClaimsPerDay: s.maxClaimsPerDay,
      releaseAfterInactiveDays: s.releaseAfterInactiveDays,
      version: String(s.version),
      updated: s.updatedBy ? { actorId: s.updatedBy, at: s.updatedAt } : undefined,
    });
  return {
    async releaseToPool(req, ctx) {
      const p = pool(req.entity);
      return record(p, await p.release(req.id, req.reason, version(req.expectedVersion), callerOf(ctx)));
    },
    async claimFromPool(req, ctx) {
      const p = pool(req.entity);
      return record(p, await p.claim(req.id, callerOf(ctx)));
    },
    async listPool(req) {
      const p = pool(req.entity);
      const { records, nextCursor } = await p.list(req.page?.limit ?? 50, req.page?.cursor ?? '');
      return { records: records.map((d) => record(p, d)), page: { nextCursor } };
    },
    async getPoolSettings(req) {
      return settings(req.entity, await pool(req.entity).settings());
    },
    async putPoolSettings(req, ctx) {
      const s = req.settings;
      const p = pool(s?.entity ?? '');
      const saved = await p.putSettings(
        {
          maxClaimsPerDay: s?.maxClaimsPerDay ?? 0,
          releaseAfterInactiveDays: s?.releaseAfterInactiveDays ?? 0,
        },
        version(req.expectedVersion),
        callerOf(ctx),
      );
      return settings(p.entity, saved);
    },
  };
}

function toProtoTransfer(d: TransferDoc): pb.OwnershipTransfer {
  return pb.OwnershipTransfer.fromPartial({
    id: d._id,
    fromUserId: d.fromUserId,
    toUserId: d.toUserId,
    scope: d.scope,
    status:
      d.status === 'completed'
        ? pb.TransferStatus.TRANSFER_STATUS_COMPLETED
        : pb.TransferStatus.TRANSFER_STATUS_RUNNING,
    progress: d.scope.map((entity) => {
      const p = d.progress?.[entity];
      return { entity, moved: p?.moved ?? 0, done: p?.done ?? false, reportedAt: p?.reportedAt };
    }),
    created: { actorId: d.createdBy, at: d.createdAt },
    completedAt: d.completedAt,
  });
}

/** OwnershipTransferService, hosted by the service that keeps the transfer records. */
export function transferGrpc(t: TransferCoordinator): pb.OwnershipTransferServiceImplementation<Ctx> {
  return {
    async startOwnershipTransfer(req, ctx) {
      return toProtoTransfer(
        await t.start(
          {
            fromUserId: req.fromUserId,
            toUserId: req.toUserId,
            toTeamId: req.toTeamId,
            fromUserListed: req.fromUserListed,
            fromUserTeams: req.fromUserTeams,
            toUserTeams: req.toUserTeams,
            scope: req.scope,
            idempotencyKey: req.idempotencyKey,
          },
          callerOf(ctx),
        ),
      );
    },
    async getOwnershipTransfer(req, ctx) {
      if (!req.id) throw new NotFoundError('ownership transfer', '');
      return toProtoTransfer(await t.get(req.id, callerOf(ctx)));
    },
    async listOwnershipTransfers(req, ctx) {
      const docs = await t.list(req.page?.limit ?? 50, callerOf(ctx));
      return { transfers: docs.map(toProtoTransfer), page: { nextCursor: '' } };
    },
  };
}
