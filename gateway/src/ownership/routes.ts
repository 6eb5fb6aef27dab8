import { Router } from 'express';
import type { z } from 'zod';
import { ownership } from '@crm/proto';
import { ROLES, requireRole } from '../auth';
import { expectedVersion, setEtag } from '../http/etag';
import { idempotent } from '../http/idempotent';
import { HttpProblem } from '../http/problem';
import { validate } from '../http/validate';
import type { RouteDeps } from '../route-deps';
import {
  ClaimParams,
  PoolQuery,
  PoolSettingsBody,
  PoolTypeParams,
  ReleaseBody,
  TransferBody,
  TransferParams,
} from './schemas';

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
const orNull = (s: string) => s || null;

function recordToJson(r: ownership.PooledRecord) {
  return {
    type: r.entity as 'lead' | 'account',
    id: r.id,
    name: r.name,
    ownerId: orNull(r.ownerId),
    teamId: orNull(r.teamId),
    pooled: r.pooled,
    releasedAt: iso(r.releasedAt),
    releasedBy: orNull(r.releasedBy),
    releaseReason: orNull(r.releaseReason),
    lastActivityAt: iso(r.lastActivityAt),
    version: Number(r.version),
  };
}

function transferToJson(t: ownership.OwnershipTransfer) {
  return {
    id: t.id,
    fromUserId: t.fromUserId,
    toUserId: t.toUserId,
    scope: t.scope,
    status: t.status === ownership.TransferStatus.TRANSFER_STATUS_COMPLETED ? 'completed' : 'running',
    progress: t.progress.map((p) => ({
      entity: p.entity,
      moved: p.moved,
      done: p.done,
      reportedAt: iso(p.reportedAt),
    })),
    counts: Object.fromEntries(t.progress.map((p) => [p.entity, p.moved])),
    createdBy: t.created?.actorId ?? '',
    createdAt: iso(t.created?.at),
    completedAt: iso(t.completedAt),
  };
}

/** The public pool (per record type, served by the owning service) and ownership transfers. */
export function ownershipRoutes(deps: RouteDeps): Router {
  const r = Router();
  const { opts, call } = deps.rpc;
  const poolOf = (type: string) => {
    const client = deps.clients.pool[type as 'lead' | 'account'];
    if (!client) throw new HttpProblem(503, `The ${type} pool is not available.`);
    return client;
  };

  r.get('/pool', requireRole(...ROLES.poolUsers), validate({ query: PoolQuery }), async (req, res) => {
    const q = res.locals.query as z.infer<typeof PoolQuery>;
    const reply = await call(req, () =>
      poolOf(q.type).listPool(
        { entity: q.type, page: { limit: q.limit, cursor: q.cursor ?? '' } },
        opts(req),
      ),
    );
    res.json({ items: reply.records.map(recordToJson), nextCursor: reply.page?.nextCursor || null });
  });

  r.post(
    '/pool',
    requireRole(...ROLES.poolUsers),
    validate({ body: ReleaseBody }),
    idempotent(deps.idempotency, 'POST /pool'),
    async (req, res) => {
      const b = res.locals.body as z.infer<typeof ReleaseBody>;
      const rec = await call(req, () =>
        poolOf(b.type).releaseToPool(
          { entity: b.type, id: b.id, reason: b.reason, expectedVersion: expectedVersion(req) },
          opts(req),
        ),
      );
      setEtag(res, rec.version);
      res.json(recordToJson(rec));
    },
  );

  r.post(
    '/pool/:type/:id/claim',
    requireRole(...ROLES.poolUsers),
    validate({ params: ClaimParams }),
    idempotent(deps.idempotency, 'POST /pool/claim'),
    async (req, res) => {
      const p = res.locals.params as z.infer<typeof ClaimParams>;
      const rec = await call(req, () =>
        poolOf(p.type).claimFromPool({ entity: p.type, id: p.id }, opts(req)),
      );
      setEtag(res, rec.version);
      res.json(recordToJson(rec));
    },
  );

  const settingsJson = (s: ownership.PoolSettings) => ({
    type: s.entity as 'lead' | 'account',
    maxClaimsPerDay: s.maxClaimsPerDay,
    releaseAfterInactiveDays: s.releaseAfterInactiveDays,
    version: Number(s.version),
    updatedBy: s.updated?.actorId || null,
    updatedAt: iso(s.updated?.at),
  });

  r.get(
    '/pool-settings/:type',
    requireRole(...ROLES.poolUsers),
    validate({ params: PoolTypeParams }),
    async (req, res) => {
      const { type } = res.locals.params as z.infer<typeof PoolTypeParams>;
      const s = await call(req, () => poolOf(type).getPoolSettings({ entity: type }, opts(req)));
      setEtag(res, s.version);
      res.json(settingsJson(s));
    },
  );

  r.put(
    '/pool-settings/:type',
    requireRole(...ROLES.writeRules),
    validate({ params: PoolTypeParams, body: PoolSettingsBody }),
    async (req, res) => {
      const { type } = res.locals.params as z.infer<typeof PoolTypeParams>;
      const b = res.locals.body as z.infer<typeof PoolSettingsBody>;
      const s = await call(req, () =>
        poolOf(type).putPoolSettings(
          { settings: { entity: type, ...b, version: '0' }, expectedVersion: expectedVersion(req) },
          opts(req),
        ),
      );
      setEtag(res, s.version);
      res.json(settingsJson(s));
    },
  );

  r.post(
    '/ownership-transfers',
    requireRole(...ROLES.transfer),
    validate({ body: TransferBody }),
    idempotent(deps.idempotency, 'POST /ownership-transfers'),
    async (req, res) => {
      const b = res.locals.body as z.infer<typeof TransferBody>;
      const key = req.headers['idempotency-key'];
      const t = await call(req, () =>
        deps.clients.transfers.startOwnershipTransfer(
          {
            fromUserId: b.fromUserId,
            toUserId: b.toUserId,
            toTeamId: b.toTeamId ?? '',
            scope: b.scope ?? [],
            idempotencyKey: typeof key === 'string' ? key : '',
          },
          opts(req),
        ),
      );
      // Accepted: the services move their records in the background; the Location shows progress.
      res.status(202).setHeader('Location', `/api/v1/ownership-transfers/${encodeURIComponent(t.id)}`);
      res.json(transferToJson(t));
    },
  );

  r.get('/ownership-transfers', requireRole(...ROLES.transfer), async (req, res) => {
    const reply = await call(req, () =>
      deps.clients.transfers.listOwnershipTransfers({ page: { limit: 50, cursor: '' } }, opts(req)),
    );
    res.json({ items: reply.transfers.map(transferToJson), nextCursor: null });
  });

  r.get(
    '/ownership-transfers/:id',
    requireRole(...ROLES.transfer),
    validate({ params: TransferParams }),
    async (req, res) => {
      const { id } = res.locals.params as z.infer<typeof TransferParams>;
      const t = await call(req, () => deps.clients.transfers.getOwnershipTransfer({ id }, opts(req)));
      res.json(transferToJson(t));
    },
  );

  return r;
}
