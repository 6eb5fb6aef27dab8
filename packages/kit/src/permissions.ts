/**
 * Who may do what, coarsely: capability -> the realm roles that hold it. The gateway gates each REST
 * operation with it before forwarding; each service checks the same names again for the calls it
 * answers (`mustAllow`), since a caller on the cluster network need not come through the gateway.
 * Record-level rules such as "a rep sees their own leads" stay in the services. Imports nothing heavy: `@crm/kit/permissions`.
 */
import { Roles, ServiceRoles } from './actor';
import { ForbiddenError } from './errors';

const { admin, manager, rep, approver, agent, supportManager, integrator } = Roles;
const { leadService, gatewayService, analyticsService, opportunityService, serviceTicketService } =
  ServiceRoles;

export const PERMISSIONS = {
  /** Read and work leads: create, update, change status, convert. */
  'lead.use': [rep, manager, admin, integrator],
  /** Hand a lead to another owner or team. */
  'lead.assign': [manager, admin],
  /** Create a lead or an account although it looks like a duplicate. */
  'record.force-duplicate': [manager, admin],
  'lead.import': [manager, admin, integrator],
  'lead.rules.read': [manager, admin],
  /** Assignment rules, scoring model, tier rules, pool settings, custom field definitions. */
  'settings.write': [admin],
  /**
   * Accounts, contacts, activities, tier rules (read). The lead service: a conversion resumed after a
   * restart creates or links the account and creates the contact.
   */
  'account.use': [rep, manager, admin, integrator, leadService, serviceTicketService],
  'account.merge': [manager, admin],
  'account.tier.override': [manager, admin],
  'pool.use': [rep, manager, admin],
  /**
   * Read and work opportunities: create, update, move through the stages of a pipeline. The lead
   * service: a conversion resumed after a restart opens (or discards) its deal.
   */
  'opportunity.use': [rep, manager, admin, integrator, leadService],
  /** Reopen a won or lost deal (the forecast changes under everyone's feet). */
  'opportunity.reopen': [manager, admin],
  /** Read the pipelines (every seller needs their stages); writing them is settings.write. */
  'pipeline.read': [rep, manager, admin, integrator],
  /** The product catalogue: every CRM role reads it (quotes, tickets, reports name products). */
  'product.read': [admin, manager, rep, approver, agent, integrator],
  /** Create and change products and their list prices (the product manager's job; admins today). */
  'product.write': [admin],
  /** Move a user's book to another user; read the user directory to pick one. */
  'ownership.transfer': [manager, admin],
  /** Forms need the definitions, so every CRM role reads them; the gateway describes them in OpenAPI. */
  /**
   * Ask for an approval (RequestApproval): sellers through their service, or the opportunity service on
   * its own (a deal closed by a consumer). The approval service checks the requester is the caller.
   */
  'approval.request': [rep, manager, admin, integrator, opportunityService],
  /** The approval inbox: see, decide (as an approver of the step), withdraw (as the requester), delegate. */
  'approval.use': [rep, manager, admin, approver, agent, integrator],
  /** Read the approval policies (writing them is settings.write). */
  'approval-policy.read': [manager, admin, approver],
  'custom-field.read': [admin, manager, rep, approver, agent, supportManager, integrator, gatewayService],
  /** Read service tickets: support staff (of their queues), sellers (of accounts they can see). */
  'ticket.read': [agent, supportManager, admin, rep, manager, integrator],
  /** Create and work tickets: reply, note, assign, escalate, resolve, close, reopen (in one's queues). */
  'ticket.work': [agent, supportManager, admin, integrator],
  /** Answer a confirmation link for a customer (the gateway's public page; the signed link is the authority). */
  'ticket.confirm': [gatewayService],
  /** Queues, assignment rules, SLA policies, business calendars, bulk actions. */
  'support.manage': [supportManager, admin],
  /** Who changed what and when, across every service (GET /audit). */
  'audit.read': [admin],
  /** Sales figures (funnel, pipeline, leaderboard): a rep's own, a manager's teams', an admin's all. */
  'analytics.sales.read': [rep, manager, admin],
  /** Rebuild the analytics read models from the streams; the service's own client for npm run analytics:rebuild. */
  'analytics.rebuild': [admin, analyticsService],
  /** Set the exchange rates into the reporting currency that sales figures convert with. */
  'analytics.rates.manage': [admin],
  /** Service figures (backlog, SLA, resolution time, CSAT): support staff and admins. */
  'analytics.service.read': [agent, supportManager, admin],
  /** Read the support queues and assignment rules; a member sets their own availability (changing them is support.manage). */
  'queue.read': [agent, supportManager, admin, integrator],
} as const satisfies Record<string, readonly string[]>;

export type Permission = keyof typeof PERMISSIONS;

/** The roles holding a permission. */
export function rolesFor(permission: Permission): readonly string[] {
  return PERMISSIONS[permission];
}

/** True when any of the given roles holds the permission. */
export function allows(roles: readonly string[], permission: Permission): boolean {
  const holders: readonly string[] = PERMISSIONS[permission];
  return roles.some((r) => holders.includes(r));
}

/** The services' half of the gate: a ForbiddenError (gRPC PERMISSION_DENIED) unless a role allows it. */
export function mustAllow(roles: readonly string[], permission: Permission, refusal: string): void {
  if (!allows(roles, permission)) throw new ForbiddenError(refusal);
}
