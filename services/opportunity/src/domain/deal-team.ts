import {
  type Actor,
  canSee,
  collapseSpace,
  hasRole,
  type OwnedRecord,
  Roles,
  Violations,
} from '@crm/kit/domain';

export const DEAL_TEAM_ROLES = [
  'owner',
  'presales',
  'solution-specialist',
  'implementation',
  'customer-success',
  'finance',
] as const;
export type DealTeamRole = (typeof DEAL_TEAM_ROLES)[number];

export interface DealTeamMember {
  userId: string;
  role: DealTeamRole;
}

const MAX_MEMBERS = 30;
const MAX_ID = 64;

/**
 * Validates a whole deal team: known roles, each user once, and the role `owner` only for the deal's
 * owner (ownership itself changes by reassignment, not through the team).
 */
export function normaliseDealTeam(
  raw: { userId: string; role: string }[],
  ownerId: string,
): DealTeamMember[] {
  const v = new Violations();
  if (raw.length > MAX_MEMBERS) v.add('members', `must be at most ${MAX_MEMBERS}`);
  const seen = new Set<string>();
  const members = raw.map((m, i) => {
    const userId = collapseSpace(m.userId ?? '');
    const role = collapseSpace(m.role ?? '').toLowerCase();
    if (!userId || userId.length > MAX_ID)
      v.add(`members[${i}].userId`, `is required, at most ${MAX_ID} characters`);
    else if (seen.has(userId)) v.add(`members[${i}].userId`, 'appears twice; a member has one role');
    seen.add(userId);
    if (!(DEAL_TEAM_ROLES as readonly string[]).includes(role))
      v.add(`members[${i}].role`, `must be one of ${DEAL_TEAM_ROLES.join(', ')}`);
    else if (role === 'owner' && userId !== ownerId)
      v.add(`members[${i}].role`, "owner is the deal's owner; hand the deal over to change it");
    return { userId, role: role as DealTeamRole };
  });
  v.throwIfAny();
  return members;
}

/** A deal as record access reads it: owned like leads and accounts, plus the members of its team. */
export interface TeamedRecord extends OwnedRecord {
  memberIds: string[];
}

/** Owner, team manager, admin (kit canSee), or a member of the deal team (read only). */
export const canRead = (actor: Actor, deal: TeamedRecord): boolean =>
  canSee(actor, deal) || deal.memberIds.includes(actor.userId);

/** The owner, a sales manager who sees the deal, or an admin changes the team; members do not. */
export function mayChangeTeam(actor: Actor, deal: OwnedRecord): boolean {
  if (hasRole(actor, Roles.admin)) return true;
  if (deal.ownerId && deal.ownerId === actor.userId) return true;
  return hasRole(actor, Roles.manager) && canSee(actor, deal);
}

/** Who joined and who left between two teams. */
export function teamChange(before: DealTeamMember[], after: DealTeamMember[]) {
  const was = new Set(before.map((m) => m.userId));
  const is = new Set(after.map((m) => m.userId));
  return {
    added: [...is].filter((u) => !was.has(u)),
    removed: [...was].filter((u) => !is.has(u)),
  };
}
