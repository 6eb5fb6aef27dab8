/**
 * Who may do what, coarsely: capability -> the realm roles that hold it. The gateway gates each REST
 * operation with it before forwarding; services check the same names (record-level rules such as
 * "a rep sees their own leads" stay in the services). Imports nothing heavy: `@crm/kit/permissions`.
 */
import { Roles, ServiceRoles } from './actor';

const { admin, manager, rep, approver, agent, integrator } = Roles;
const { leadService, gatewayService } = ServiceRoles;

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
  'account.use': [rep, manager, admin, integrator, leadService],
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
  /** Move a user's book to another user; read the user directory to pick one. */
  'ownership.transfer': [manager, admin],
  /** Forms need the definitions, so every CRM role reads them; the gateway describes them in OpenAPI. */
  'custom-field.read': [admin, manager, rep, approver, agent, integrator, gatewayService],
  /** Who changed what and when, across every service (GET /audit). */
  'audit.read': [admin],
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
