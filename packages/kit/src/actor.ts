/** Who is calling: the Keycloak subject, roles and teams, passed by the gateway in gRPC metadata. */
export interface Actor {
  userId: string;
  username: string;
  roles: string[];
  teams: string[];
}

export const Roles = {
  admin: 'crm-admin',
  manager: 'sales-manager',
  rep: 'sales-rep',
  approver: 'approver',
  agent: 'support-agent',
  integrator: 'integrator',
} as const;

/** Metadata keys of the gateway -> service identity contract. */
export const ActorHeaders = {
  userId: 'x-crm-user-id',
  username: 'x-crm-username',
  roles: 'x-crm-roles',
  teams: 'x-crm-teams',
  requestId: 'x-request-id',
} as const;

export const hasRole = (actor: Actor, ...roles: string[]) => roles.some((r) => actor.roles.includes(r));

/** A record that belongs to an owner within a team. */
export interface OwnedRecord {
  ownerId?: string | null;
  teamId?: string | null;
}

/**
 * Record-level access, the same in every service: admins and integrators see everything, a sales manager
 * sees the records of the teams they belong to and the unowned queue, anyone else sees what they own.
 */
export function canSee(actor: Actor, record: OwnedRecord): boolean {
  if (hasRole(actor, Roles.admin, Roles.integrator)) return true;
  if (record.ownerId && record.ownerId === actor.userId) return true;
  if (hasRole(actor, Roles.manager)) {
    // Managers also work the queue of unowned records, to hand them out.
    if (!record.ownerId) return true;
    if (record.teamId && actor.teams.includes(record.teamId)) return true;
  }
  return false;
}

/** The same rule as a query filter: what a list may return to this actor (undefined = no restriction). */
export function visibilityFilter(actor: Actor): Record<string, unknown> | undefined {
  if (hasRole(actor, Roles.admin, Roles.integrator)) return undefined;
  const own = { ownerId: actor.userId };
  if (hasRole(actor, Roles.manager)) {
    return { $or: [own, { ownerId: { $in: ['', null] } }, { teamId: { $in: actor.teams } }] };
  }
  return own;
}
