import { domainToASCII } from 'node:url';
import {
  type Actor,
  collapseSpace,
  ConflictError,
  DuplicateError,
  duplicateHolder,
  foldName,
  ForbiddenError,
  hasRole,
  type OwnedRecord,
  Roles,
  ServiceRoles,
  Violations,
} from '@crm/kit/domain';
import { isDecimal, type Money } from './money';

export type Lifecycle = 'prospect' | 'customer' | 'former-customer';
export const LIFECYCLES: Lifecycle[] = ['prospect', 'customer', 'former-customer'];

/** The editable data of an account, as the domain sees it (normalised by normaliseAccountInput). */
export interface AccountInput {
  name: string;
  /** Normalised website domain ("example.com"); the caller may pass any URL or host. */
  domain: string;
  industry: string;
  region: string;
  size?: number;
  annualRevenue?: Money;
  openPipeline?: Money;
  parentAccountId: string;
  lifecycle: Lifecycle;
  /** Custom field values by key; validated by @crm/custom-fields in the application layer, not here. */
  customFields: Record<string, unknown>;
}

const MAX = 200;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The registrable host of a website: scheme, credentials, port, path, query and a leading "www." go,
 * letters are lower-cased and international names become punycode ("Bücher.de" -> "xn--bcher-kva.de").
 * Returns undefined when the result is not a plausible public host name.
 */
export function normaliseDomain(raw: string): string | undefined {
  let s = raw.trim().toLowerCase();
  if (!s) return '';
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^\/\//, '');
  s = s.replace(/^[^@/?#]*@/, ''); // user:pass@
  s = s.split(/[/?#]/, 1)[0] ?? '';
  s = s.replace(/:\d*$/, '').replace(/\.$/, '');
  const ascii = domainToASCII(s);
  if (!ascii) return undefined;
  const host = ascii.replace(/^www\d*\./, '');
  const labels = host.split('.');
  if (labels.length < 2 || host.length > 253) return undefined;
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels[labels.length - 1]!)) return undefined;
  return host;
}

/** Input as it arrives: the website may be a URL. */
export type RawAccountInput = Omit<AccountInput, 'domain'> & { website: string };

/** Trims, normalises the domain, validates; throws ValidationError listing every problem. */
export function normaliseAccountInput(raw: RawAccountInput): AccountInput {
  const v = new Violations();
  const t = collapseSpace;
  const domain = normaliseDomain(raw.website ?? '');
  if (domain === undefined) v.add('website', 'is not a valid website or domain');
  const a: AccountInput = {
    name: t(raw.name),
    domain: domain ?? '',
    industry: t(raw.industry).toLowerCase(),
    region: t(raw.region).toLowerCase(),
    size: raw.size ?? undefined,
    annualRevenue: normaliseMoney(raw.annualRevenue, 'annualRevenue', v),
    openPipeline: normaliseMoney(raw.openPipeline, 'openPipeline', v),
    parentAccountId: t(raw.parentAccountId),
    lifecycle: raw.lifecycle || 'prospect',
    customFields: raw.customFields ?? {},
  };
  if (!a.name) v.add('name', 'is required');
  for (const f of ['name', 'industry', 'region'] as const) {
    if (a[f].length > MAX) v.add(f, `must be at most ${MAX} characters`);
  }
  if ((raw.website ?? '').length > 2000) v.add('website', 'must be at most 2000 characters');
  if (!LIFECYCLES.includes(a.lifecycle)) v.add('lifecycle', `must be one of ${LIFECYCLES.join(', ')}`);
  if (a.size !== undefined && (!Number.isInteger(a.size) || a.size < 0)) {
    v.add('size', 'must be a non-negative integer');
  }
  v.throwIfAny();
  return a;
}

/** An empty amount means "not set"; otherwise a decimal string with an ISO 4217 code. */
function normaliseMoney(m: Money | undefined, field: string, v: Violations): Money | undefined {
  if (!m || (!m.amount && !m.currencyCode)) return undefined;
  const currencyCode = (m.currencyCode ?? '').trim().toUpperCase();
  const amount = (m.amount ?? '').trim();
  if (!/^[A-Z]{3}$/.test(currencyCode)) v.add(`${field}.currencyCode`, 'must be an ISO 4217 code, e.g. USD');
  if (!isDecimal(amount)) v.add(`${field}.amount`, 'must be a decimal number such as "1234.50"');
  else if (amount.startsWith('-')) v.add(`${field}.amount`, 'must not be negative');
  return { currencyCode, amount };
}

/** The keys on which two accounts are the same company: website domain, or folded name. */
export function dedupeKeys(a: Pick<AccountInput, 'domain' | 'name'>): string[] {
  const keys: string[] = [];
  if (a.domain) keys.push(`domain:${a.domain}`);
  const name = foldName(a.name);
  if (name) keys.push(`name:${name}`);
  return keys;
}

/** Text the free-text search runs over. */
export const searchText = (a: Pick<AccountInput, 'name' | 'domain'>) =>
  `${a.name} ${foldName(a.name)} ${a.domain}`.toLowerCase();

export const MAX_DEPTH = 50;

/**
 * Rejects a parent (or reports-to) link that would close a loop: walking up from the new parent through
 * `parentOf` must never reach `selfId`. `parentOf` holds the known links (the use case loads the chain);
 * a chain deeper than MAX_DEPTH is rejected too, so a corrupt loop elsewhere cannot hang a write.
 */
export function checkNoCycle(
  selfId: string,
  newParentId: string,
  parentOf: (id: string) => string | undefined,
  what = 'parent account',
): void {
  if (!newParentId) return;
  if (newParentId === selfId) throw new ConflictError(`a record cannot be its own ${what}`);
  let at: string | undefined = newParentId;
  for (let depth = 0; at; depth++) {
    if (depth >= MAX_DEPTH) throw new ConflictError(`the ${what} chain is deeper than ${MAX_DEPTH}`);
    if (at === selfId) throw new ConflictError(`that ${what} would create a cycle`);
    at = parentOf(at);
  }
}

/** Sales managers and admins reassign, merge, force duplicates and set tiers by hand. */
export const managesAccounts = (a: Actor) => hasRole(a, Roles.manager, Roles.admin);

/** Reps own what they create; managers, admins and integrators may name an owner (or none). */
export function ownerOfNewAccount(
  ownerId: string,
  teamId: string,
  actor: Actor,
): { ownerId: string; teamId: string } {
  // The lead service creates the account of a conversion it resumes for the rep who converted.
  const mayAssign = hasRole(actor, Roles.manager, Roles.admin, Roles.integrator, ServiceRoles.leadService);
  if (ownerId && ownerId !== actor.userId && !mayAssign)
    throw new ForbiddenError('only a sales manager, an admin or an integrator may name another owner');
  if (teamId && !mayAssign && !actor.teams.includes(teamId))
    throw new ForbiddenError('a sales rep files accounts under their own team');
  if (ownerId) return { ownerId, teamId: teamId || (ownerId === actor.userId ? (actor.teams[0] ?? '') : '') };
  if (hasRole(actor, Roles.rep, Roles.manager))
    return { ownerId: actor.userId, teamId: teamId || (actor.teams[0] ?? '') };
  return { ownerId: '', teamId };
}

/**
 * The answer to a create or edit that would make a second account of the same company: it names the
 * existing account only to a caller who may see it, otherwise its owner and whom to ask for access.
 */
export function duplicateAccount(
  key: string,
  existing: (OwnedRecord & { _id: string }) | undefined,
  actor: Actor,
): DuplicateError {
  const on = key.split(':')[0] ?? 'name';
  const holder = duplicateHolder(actor, existing, 'existing_account_id');
  return new DuplicateError(
    `an account with the same ${on} already exists${holder.hint}`,
    'DUPLICATE_ACCOUNT',
    {
      ...holder.metadata,
      matched_on: on,
    },
  );
}

/** A stored account as input again (its domain as the website), to apply a patch over. */
export function rawInputOf(a: AccountInput): RawAccountInput {
  return {
    name: a.name,
    website: a.domain,
    industry: a.industry ?? '',
    region: a.region ?? '',
    size: a.size ?? undefined,
    annualRevenue: a.annualRevenue ?? undefined,
    openPipeline: a.openPipeline ?? undefined,
    parentAccountId: a.parentAccountId ?? '',
    lifecycle: a.lifecycle,
    customFields: a.customFields ?? {},
  };
}
