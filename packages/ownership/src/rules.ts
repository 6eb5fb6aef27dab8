import { type Actor, allows, ForbiddenError, hasRole, Roles, Violations } from '@crm/kit';

/** Entity types whose records can wait in the public pool. */
export const POOL_ENTITIES = ['lead', 'account', 'opportunity'] as const;
export type PoolEntity = (typeof POOL_ENTITIES)[number];

/** Pool state carried by a poolable record (field `pool`). */
export interface PoolState {
  pooled: boolean;
  releasedAt?: Date;
  releasedBy?: string;
  reason?: string;
  claimedAt?: Date;
  claimedBy?: string;
}

export interface PoolSettings {
  /** Claims one rep may make per UTC day; 0 = no limit. */
  maxClaimsPerDay: number;
  /** Days without activity after which an owned record returns to the pool; 0 = never. */
  releaseAfterInactiveDays: number;
}

export const DEFAULT_POOL_SETTINGS: PoolSettings = { maxClaimsPerDay: 0, releaseAfterInactiveDays: 0 };

export function validatePoolSettings(s: PoolSettings): PoolSettings {
  const v = new Violations();
  if (!Number.isInteger(s.maxClaimsPerDay) || s.maxClaimsPerDay < 0 || s.maxClaimsPerDay > 10_000)
    v.add('maxClaimsPerDay', 'must be a whole number from 0 (no limit) to 10000');
  if (
    !Number.isInteger(s.releaseAfterInactiveDays) ||
    s.releaseAfterInactiveDays < 0 ||
    s.releaseAfterInactiveDays > 3650
  )
    v.add('releaseAfterInactiveDays', 'must be a whole number of days from 0 (off) to 3650');
  v.throwIfAny();
  return s;
}

/** The owner gives a record up; a manager of its team or an admin may take it away. */
export function canRelease(
  actor: Actor,
  record: { ownerId?: string | null; teamId?: string | null },
): boolean {
  if (hasRole(actor, Roles.admin)) return true;
  if (record.ownerId && record.ownerId === actor.userId) return true;
  return hasRole(actor, Roles.manager) && !!record.teamId && actor.teams.includes(record.teamId);
}

/** Sales people claim from the pool; integrators and support staff do not own sales records. */
export const canClaim = (actor: Actor) => allows(actor.roles, 'pool.use');

/** The counter a claim increments: one per entity, rep and UTC day. */
export const claimCounterId = (entity: string, userId: string, at: Date) =>
  `${entity}:${userId}:${at.toISOString().slice(0, 10)}`;

/** Records last touched before this moment go back to the pool; undefined when the rule is off. */
export function inactivityCutoff(now: Date, settings: PoolSettings): Date | undefined {
  if (!settings.releaseAfterInactiveDays) return undefined;
  return new Date(now.getTime() - settings.releaseAfterInactiveDays * 24 * 60 * 60 * 1000);
}

/** Entity types a transfer moves, and who may start one. */
export const canTransfer = (actor: Actor) => allows(actor.roles, 'ownership.transfer');

/** The users of a transfer and their teams, as the user directory lists them. */
export interface TransferParties {
  /** False when the directory does not list the user (someone who left): their teams are unknown. */
  fromUserListed: boolean;
  fromUserTeams: string[];
  toUserTeams: string[];
  toTeamId: string;
}

/**
 * The teams a transfer may move records in: undefined for an admin (any team); for a sales manager
 * their own teams, and only between members of those teams (or from a user who left), into one of them.
 * The service enforces the limit on every record it moves, whatever the directory said: a record in
 * another team stays put.
 */
export function transferTeams(actor: Actor, p: TransferParties): string[] | undefined {
  if (hasRole(actor, Roles.admin)) return undefined;
  const inMine = (teams: string[]) => teams.some((t) => actor.teams.includes(t));
  // A departed user's book may be handed over: only the records filed in the manager's teams move.
  if (p.fromUserListed && !inMine(p.fromUserTeams))
    throw new ForbiddenError("a sales manager transfers only the records of their own teams' members");
  if (!inMine(p.toUserTeams))
    throw new ForbiddenError("a sales manager transfers records only to their own teams' members");
  if (p.toTeamId && !actor.teams.includes(p.toTeamId))
    throw new ForbiddenError('a sales manager moves records only into their own teams');
  return [...actor.teams];
}

/** What a transfer record shows of whom it concerns: who started it and the teams it touched. */
export interface TransferSeen {
  createdBy: string;
  toTeamId: string;
  withinTeams?: string[];
}

/**
 * Who sees a transfer: an admin every one; a sales manager the ones they started and those limited to
 * or moving into one of their teams (another team's reorganisation is not theirs to read).
 */
export function canSeeTransfer(actor: Actor, t: TransferSeen): boolean {
  if (hasRole(actor, Roles.admin)) return true;
  if (!canTransfer(actor)) return false;
  if (t.createdBy === actor.userId) return true;
  if (t.toTeamId && actor.teams.includes(t.toTeamId)) return true;
  return (t.withinTeams ?? []).some((team) => actor.teams.includes(team));
}

/** The same rule as a query filter (undefined: no restriction). */
export function transferVisibilityFilter(actor: Actor): Record<string, unknown> | undefined {
  if (hasRole(actor, Roles.admin)) return undefined;
  return {
    $or: [
      { createdBy: actor.userId },
      { toTeamId: { $in: actor.teams } },
      { withinTeams: { $in: actor.teams } },
    ],
  };
}

export function validateTransfer(
  req: { fromUserId: string; toUserId: string; scope: string[] },
  known: readonly string[],
): string[] {
  const v = new Violations();
  const id = /^[\w.@:-]{1,128}$/;
  if (!id.test(req.fromUserId)) v.add('fromUserId', 'is required: the user id (subject) whose records move');
  if (!id.test(req.toUserId)) v.add('toUserId', 'is required: the user id (subject) who receives them');
  if (req.fromUserId && req.fromUserId === req.toUserId) v.add('toUserId', 'must differ from fromUserId');
  const unknown = req.scope.filter((s) => !known.includes(s));
  if (unknown.length)
    v.add('scope', `unknown entity types ${unknown.join(', ')}; known: ${known.join(', ')}`);
  v.throwIfAny();
  return req.scope.length ? [...new Set(req.scope)] : [...known];
}
