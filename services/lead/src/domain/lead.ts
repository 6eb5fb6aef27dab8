import {
  collapseSpace,
  ConflictError,
  foldName,
  normaliseEmail,
  normalisePhone,
  Violations,
} from '@crm/kit/domain';

/** Where a lead is in qualification. `converted` is set only by conversion to an account. */
export type LeadStatus = 'new' | 'working' | 'nurturing' | 'qualified' | 'disqualified' | 'converted';

export const OPEN_STATUSES: LeadStatus[] = ['new', 'working', 'nurturing'];

export interface LeadInput {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  company: string;
  title: string;
  contactLevel: string;
  region: string;
  industry: string;
  source: string;
  companySize?: number;
  attributes: Record<string, string>;
  /** Custom field values by key; validated by @crm/custom-fields in the store, not here. */
  customFields?: Record<string, unknown>;
}

export const CONTACT_LEVELS = ['c-level', 'vp', 'director', 'manager', 'staff'];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX = 200;

/** Trims, lower-cases the email, formats the phone as E.164 and validates; throws ValidationError. */
export function normaliseLeadInput(raw: LeadInput, defaultCountry = 'US'): LeadInput {
  const v = new Violations();
  const t = collapseSpace;
  const lead: LeadInput = {
    firstName: t(raw.firstName),
    lastName: t(raw.lastName),
    email: normaliseEmail(raw.email),
    phone: t(raw.phone),
    company: t(raw.company),
    title: t(raw.title),
    contactLevel: t(raw.contactLevel).toLowerCase(),
    region: t(raw.region),
    industry: t(raw.industry),
    source: t(raw.source).toLowerCase(),
    companySize: raw.companySize ?? undefined,
    attributes: raw.attributes ?? {},
  };
  if (!lead.lastName) v.add('lastName', 'is required');
  for (const [field, value] of Object.entries(lead)) {
    if (typeof value === 'string' && value.length > MAX) v.add(field, `must be at most ${MAX} characters`);
  }
  if (lead.email && !EMAIL.test(lead.email)) v.add('email', 'is not a valid email address');
  if (lead.phone) {
    const e164 = normalisePhone(lead.phone, defaultCountry);
    if (!e164) v.add('phone', 'is not a valid phone number');
    else lead.phone = e164;
  }
  if (lead.contactLevel && !CONTACT_LEVELS.includes(lead.contactLevel)) {
    v.add('contactLevel', `must be one of ${CONTACT_LEVELS.join(', ')}`);
  }
  if (lead.companySize !== undefined && (!Number.isInteger(lead.companySize) || lead.companySize < 0)) {
    v.add('companySize', 'must be a non-negative integer');
  }
  if (Object.keys(lead.attributes).length > 50) v.add('attributes', 'at most 50 attributes');
  v.throwIfAny();
  return lead;
}

/** The keys on which two leads are the same person: email, phone, or company + person name. */
export function dedupeKeys(lead: LeadInput): string[] {
  const keys: string[] = [];
  if (lead.email) keys.push(`email:${lead.email}`);
  if (lead.phone) keys.push(`phone:${lead.phone}`);
  const company = foldName(lead.company);
  const person = foldName(`${lead.firstName} ${lead.lastName}`);
  if (company && person) keys.push(`name:${company}|${person}`);
  return keys;
}

const TRANSITIONS: Record<LeadStatus, LeadStatus[]> = {
  new: ['working', 'nurturing', 'qualified', 'disqualified'],
  working: ['nurturing', 'qualified', 'disqualified'],
  nurturing: ['working', 'qualified', 'disqualified'],
  qualified: ['working', 'disqualified'],
  disqualified: ['working'],
  converted: [],
};

/** The status workflow; `converted` is reachable only through conversion, never by a status change. */
export function checkTransition(from: LeadStatus, to: LeadStatus, reason: string): void {
  if (to === 'converted') throw new ConflictError('a lead becomes converted only by conversion');
  if (from === to) throw new ConflictError(`lead is already ${to}`);
  if (!TRANSITIONS[from].includes(to)) throw new ConflictError(`cannot move a lead from ${from} to ${to}`);
  if (to === 'disqualified' && !reason.trim())
    new Violations().add('reason', 'is required to disqualify a lead').throwIfAny();
}

/** The lowered text a free-text search of leads looks in. */
export const searchTextOf = (l: LeadInput) =>
  [l.firstName, l.lastName, l.email, l.company].join(' ').toLowerCase();

/** Attributes as a plain object, whether stored as a Map (mongoose) or an object. */
export function attributesOf(stored: Map<string, string> | Record<string, string> | undefined) {
  return stored instanceof Map ? Object.fromEntries(stored) : { ...(stored ?? {}) };
}

/** In a patch an empty value removes the attribute. */
export function mergeAttributes(
  current: Record<string, string>,
  patch?: Record<string, string>,
): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}
