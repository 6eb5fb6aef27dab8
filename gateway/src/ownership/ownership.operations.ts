import { ownership } from '@crm/proto';
import { operation, type Operation } from '../api/operation';
import { HttpProblem } from '../http/problem';
import type { RouteDeps } from '../route-deps';
import { directoryUsers } from '../users/directory';
import {
  ClaimParams,
  PoolList,
  PooledRecord,
  PoolQuery,
  PoolSettings,
  PoolSettingsBody,
  type POOL_TYPES,
  PoolTypeParams,
  ReleaseBody,
  Transfer,
  TransferBody,
  TransferList,
  TransferParams,
} from './schemas';

type PoolType = (typeof POOL_TYPES)[number];

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
const orNull = (s: string) => s || null;

function recordToJson(r: ownership.PooledRecord) {
  return {
    type: r.entity as PoolType,
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

const settingsToJson = (s: ownership.PoolSettings) => ({
  type: s.entity as PoolType,
  maxClaimsPerDay: s.maxClaimsPerDay,
  releaseAfterInactiveDays: s.releaseAfterInactiveDays,
  version: Number(s.version),
  updatedBy: s.updated?.actorId || null,
  updatedAt: iso(s.updated?.at),
});

/** The pool of a record type is served by the service that owns the type. */
function poolOf(deps: RouteDeps, type: string) {
  const client = deps.clients.pool[type as PoolType];
  if (!client) throw new HttpProblem(503, `The ${type} pool is not available.`);
  return client;
}

/**
 * The teams of each user of a transfer, from the user directory (Keycloak, read with the gateway's own
 * service account): the account service allows a manager's transfer only between members of their teams.
 */
async function teamsOf(deps: RouteDeps, ...userIds: string[]): Promise<(string[] | undefined)[]> {
  const users = await directoryUsers(deps.users);
  return userIds.map((id) => users.find((u) => u.id === id)?.teams);
}

const theRecord = (description: string) => ({
  200: { description, schema: PooledRecord, headers: ['ETag' as const] },
});

/** The public pool and ownership transfers. */
export const ownershipOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/pool',
    operationId: 'listPool',
    tag: 'Public pool',
    summary: 'List the records in the pool',
    description: 'The leads, accounts or open deals waiting in the public pool for a rep to claim them.',
    permission: 'pool.use',
    query: PoolQuery,
    responses: { 200: { description: 'A page of pooled records', schema: PoolList } },
    async handler({ query: q, call, deps }) {
      const reply = await call((o) =>
        poolOf(deps, q.type).listPool(
          { entity: q.type, page: { limit: q.limit, cursor: q.cursor ?? '' } },
          o,
        ),
      );
      return { body: { items: reply.records.map(recordToJson), nextCursor: reply.page?.nextCursor || null } };
    },
  }),
  operation({
    method: 'post',
    path: '/pool',
    operationId: 'releaseToPool',
    tag: 'Public pool',
    summary: 'Release a record to the pool',
    description:
      'The owner, their team manager or an admin gives up a lead, an account or an open deal, with a ' +
      'reason. 409: it is already in the pool, or a deal that is won, lost or waiting for its close approval.',
    permission: 'pool.use',
    body: ReleaseBody,
    ifMatch: true,
    idempotent: true,
    responses: theRecord('The released record'),
    errors: [404, 409],
    async handler({ body: b, call, deps, expectedVersion }) {
      const rec = await call((o) =>
        poolOf(deps, b.type).releaseToPool(
          { entity: b.type, id: b.id, reason: b.reason, expectedVersion: expectedVersion() },
          o,
        ),
      );
      return { body: recordToJson(rec), etag: rec.version };
    },
  }),
  operation({
    method: 'post',
    path: '/pool/{type}/{id}/claim',
    operationId: 'claimFromPool',
    tag: 'Public pool',
    summary: 'Claim a record from the pool',
    description:
      'The caller becomes the owner; of several concurrent claims one wins. 409: not in the pool, claimed ' +
      'by someone else, or the caller reached the daily claim limit.',
    permission: 'pool.use',
    params: ClaimParams,
    idempotent: true,
    responses: theRecord('The claimed record, now owned by the caller'),
    errors: [409],
    async handler({ params: p, call, deps }) {
      const rec = await call((o) => poolOf(deps, p.type).claimFromPool({ entity: p.type, id: p.id }, o));
      return { body: recordToJson(rec), etag: rec.version };
    },
  }),
  operation({
    method: 'get',
    path: '/pool-settings/{type}',
    operationId: 'getPoolSettings',
    tag: 'Public pool',
    summary: 'Get the pool settings of a record type',
    description:
      'The daily claim limit per rep and after how many days without activity a record is released.',
    permission: 'pool.use',
    params: PoolTypeParams,
    responses: { 200: { description: 'The settings', schema: PoolSettings, headers: ['ETag'] } },
    async handler({ params, call, deps }) {
      const s = await call((o) => poolOf(deps, params.type).getPoolSettings({ entity: params.type }, o));
      return { body: settingsToJson(s), etag: s.version };
    },
  }),
  operation({
    method: 'put',
    path: '/pool-settings/{type}',
    operationId: 'putPoolSettings',
    tag: 'Public pool',
    summary: 'Change the pool settings of a record type',
    description: 'Sets the claim limit and the inactivity rule.',
    permission: 'settings.write',
    params: PoolTypeParams,
    body: PoolSettingsBody,
    ifMatch: true,
    responses: { 200: { description: 'The settings', schema: PoolSettings, headers: ['ETag'] } },
    async handler({ params, body, call, deps, expectedVersion }) {
      const s = await call((o) =>
        poolOf(deps, params.type).putPoolSettings(
          { settings: { entity: params.type, ...body, version: '0' }, expectedVersion: expectedVersion() },
          o,
        ),
      );
      return { body: settingsToJson(s), etag: s.version };
    },
  }),
  operation({
    method: 'post',
    path: '/ownership-transfers',
    operationId: 'startOwnershipTransfer',
    tag: 'Ownership transfers',
    summary: "Move a user's records to another user",
    description:
      'Every service moves the records it owns in the background (leads, accounts, their contacts, open ' +
      'tasks, open deals; won and lost deals keep their owner); Location shows the progress. An admin transfers between any users. A sales manager ' +
      'transfers only from a member of the teams they belong to (as the user directory lists them; or from ' +
      'a user no longer in the directory) to a member of those teams, only into one of them (toTeamId), and ' +
      "only records filed in those teams move (a departed user's records of other teams stay): anything " +
      'else is 403 with the reason, and no record changes.',
    permission: 'ownership.transfer',
    body: TransferBody,
    idempotent: true,
    responses: {
      202: { description: 'Accepted; Location shows progress', schema: Transfer, headers: ['Location'] },
    },
    async handler({ body: b, call, deps, idempotencyKey }) {
      const [fromUserTeams, toUserTeams] = await teamsOf(deps, b.fromUserId, b.toUserId);
      const t = await call((o) =>
        deps.clients.transfers.startOwnershipTransfer(
          {
            fromUserId: b.fromUserId,
            toUserId: b.toUserId,
            toTeamId: b.toTeamId ?? '',
            fromUserListed: !!fromUserTeams,
            fromUserTeams: fromUserTeams ?? [],
            toUserTeams: toUserTeams ?? [],
            scope: b.scope ?? [],
            idempotencyKey,
          },
          o,
        ),
      );
      return {
        status: 202,
        location: `/api/v1/ownership-transfers/${encodeURIComponent(t.id)}`,
        body: transferToJson(t),
      };
    },
  }),
  operation({
    method: 'get',
    path: '/ownership-transfers',
    operationId: 'listOwnershipTransfers',
    tag: 'Ownership transfers',
    summary: 'List recent ownership transfers',
    description:
      'The latest 50 transfers the caller may see, newest first: an admin sees every transfer; a sales ' +
      'manager those they started and those limited to or moving into one of their teams.',
    permission: 'ownership.transfer',
    responses: { 200: { description: 'Transfers, newest first', schema: TransferList } },
    async handler({ call, deps }) {
      const reply = await call((o) =>
        deps.clients.transfers.listOwnershipTransfers({ page: { limit: 50, cursor: '' } }, o),
      );
      return { body: { items: reply.transfers.map(transferToJson), nextCursor: null } };
    },
  }),
  operation({
    method: 'get',
    path: '/ownership-transfers/{id}',
    operationId: 'getOwnershipTransfer',
    tag: 'Ownership transfers',
    summary: 'Get an ownership transfer',
    description:
      "Its progress and the records moved per type. Another team's transfer is 404 to a sales manager, " +
      'as the list leaves it out.',
    permission: 'ownership.transfer',
    params: TransferParams,
    responses: { 200: { description: 'The transfer', schema: Transfer } },
    async handler({ params, call, deps }) {
      return {
        body: transferToJson(await call((o) => deps.clients.transfers.getOwnershipTransfer(params, o))),
      };
    },
  }),
];
