/** Who is calling: the Keycloak subject, roles and teams, taken from a verified access token. */
export interface Actor {
  userId: string;
  username: string;
  roles: string[];
  teams: string[];
  /**
   * The raw access token the actor came with, forwarded when this service calls another on their
   * behalf (onBehalfOf). Never stored: see withoutToken.
   */
  token?: string;
}

/** The actor without its token, for anything that is stored or published (a saga journal, an event). */
export function withoutToken(actor: Actor): Actor {
  const { userId, username, roles, teams } = actor;
  return { userId, username, roles, teams };
}

export const Roles = {
  admin: 'crm-admin',
  manager: 'sales-manager',
  rep: 'sales-rep',
  approver: 'approver',
  agent: 'support-agent',
  /** Runs support: queues, SLA policies and business calendars; works every queue. */
  supportManager: 'support-manager',
  integrator: 'integrator',
} as const;

/**
 * Roles of the services' own Keycloak clients (client credentials), for work they do without a user;
 * each holds only what its service does on its own (see PERMISSIONS).
 */
export const ServiceRoles = {
  leadService: 'lead-service',
  accountService: 'account-service',
  opportunityService: 'opportunity-service',
  /** Confirms a ticket's account and contact for support staff, who do not see accounts themselves. */
  serviceTicketService: 'service-ticket-service',
  /** The gateway's own client: reads the custom field definitions it describes in OpenAPI. */
  gatewayService: 'gateway-service',
} as const;

/** gRPC metadata keys: the caller's bearer token, and the request id (for logs, not identity). */
export const CallHeaders = {
  authorization: 'authorization',
  requestId: 'x-request-id',
} as const;

export const hasRole = (actor: Actor, ...roles: string[]) => roles.some((r) => actor.roles.includes(r));

/** A record that belongs to an owner within a team. */
export interface OwnedRecord {
  ownerId?: string | null;
  teamId?: string | null;
}

/**
 * Who sees every record: admins, integrators, and the lead service, which finishes a user's
 * conversion after a restart under its own identity (it links the account the user named).
 */
const SEES_ALL = [Roles.admin, Roles.integrator, ServiceRoles.leadService, ServiceRoles.serviceTicketService];

/**
 * Record-level access, the same in every service: admins and integrators see everything, a sales manager
 * sees the records of the teams they belong to and the unowned queue, anyone else sees what they own.
 */
export function canSee(actor: Actor, record: OwnedRecord): boolean {
  if (hasRole(actor, ...SEES_ALL)) return true;
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
  if (hasRole(actor, ...SEES_ALL)) return undefined;
  const own = { ownerId: actor.userId };
  if (hasRole(actor, Roles.manager)) {
    return { $or: [own, { ownerId: { $in: ['', null] } }, { teamId: { $in: actor.teams } }] };
  }
  return own;
}

/**
 * May this actor put a record under another owner or team? One rule for every record type (leads,
 * accounts, ...): an admin anywhere; a sales manager only a record they manage (in one of their teams,
 * or unowned in the queue) and only into one of their teams (`to.teamId`: the team the record ends up
 * in). The new owner's own membership is not known to the services (see ownership transfers).
 */
export function canReassign(actor: Actor, record: OwnedRecord, to: { teamId: string }): boolean {
  if (hasRole(actor, Roles.admin)) return true;
  if (!hasRole(actor, Roles.manager)) return false;
  const from = record.teamId ?? '';
  const manages = !record.ownerId || (!!from && actor.teams.includes(from));
  return manages && !!to.teamId && actor.teams.includes(to.teamId);
}

/**
 * What a duplicate answer may say about the record it matches, so it is no oracle for others' records:
 * its id (under `idKey`) only when the caller can see it, otherwise who owns it and in which team, and
 * whom to ask for access. An unknown holder (gone meanwhile) tells nothing.
 */
export function duplicateHolder(
  actor: Actor,
  holder: (OwnedRecord & { _id: string }) | undefined,
  idKey: string,
): { metadata: Record<string, string>; hint: string } {
  if (!holder) return { metadata: {}, hint: '' };
  if (canSee(actor, holder)) return { metadata: { [idKey]: holder._id }, hint: '' };
  const ownerId = holder.ownerId ?? '';
  const teamId = holder.teamId ?? '';
  const metadata = {
    ...(ownerId ? { existing_owner_id: ownerId } : {}),
    ...(teamId ? { existing_team_id: teamId } : {}),
  };
  const whom = [ownerId && `its owner (${ownerId})`, teamId && `a manager of team ${teamId}`]
    .filter(Boolean)
    .join(' or ');
  return { metadata, hint: `; it is not visible to you: ask ${whom || 'an admin'} for access` };
}
