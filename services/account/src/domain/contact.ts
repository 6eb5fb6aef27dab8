import {
  BUYING_ROLES,
  type BuyingRole,
  collapseSpace,
  normaliseEmail,
  normalisePhone,
  Violations,
} from '@crm/kit/domain';

export interface ContactInput {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  department: string;
  reportsToContactId: string;
  /** One of BUYING_ROLES, or '' when unknown. */
  buyingRole: BuyingRole | '';
  /** Custom field values by key; validated by @crm/custom-fields in the application layer, not here. */
  customFields: Record<string, unknown>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX = 200;

/** Trims, lower-cases email and role, formats the phone as E.164 and validates; throws ValidationError. */
export function normaliseContactInput(raw: ContactInput, defaultCountry = 'US'): ContactInput {
  const v = new Violations();
  const t = collapseSpace;
  const c: ContactInput = {
    firstName: t(raw.firstName),
    lastName: t(raw.lastName),
    email: normaliseEmail(raw.email),
    phone: t(raw.phone),
    title: t(raw.title),
    department: t(raw.department),
    reportsToContactId: t(raw.reportsToContactId),
    buyingRole: t(raw.buyingRole).toLowerCase() as ContactInput['buyingRole'],
    customFields: raw.customFields ?? {},
  };
  if (!c.lastName) v.add('lastName', 'is required');
  for (const f of ['firstName', 'lastName', 'email', 'title', 'department'] as const) {
    if (c[f].length > MAX) v.add(f, `must be at most ${MAX} characters`);
  }
  if (c.email && !EMAIL.test(c.email)) v.add('email', 'is not a valid email address');
  if (c.phone) {
    const phone = normalisePhone(c.phone, defaultCountry);
    if (!phone) v.add('phone', 'is not a valid phone number');
    else c.phone = phone;
  }
  if (c.buyingRole && !isBuyingRole(c.buyingRole)) {
    v.add('buyingRole', `must be one of ${BUYING_ROLES.join(', ')}`);
  }
  v.throwIfAny();
  return c;
}

export const isBuyingRole = (s: string): s is BuyingRole => (BUYING_ROLES as readonly string[]).includes(s);

export const fullName = (c: Pick<ContactInput, 'firstName' | 'lastName'>) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ');

/** The short view of a contact denormalised onto its account (Account.primaryContact). */
export interface KeyPerson {
  id: string;
  name: string;
  title: string;
  buyingRole: string;
}

export const keyPersonOf = (c: ContactInput & { _id: string }): KeyPerson => ({
  id: c._id,
  name: fullName(c),
  title: c.title,
  buyingRole: c.buyingRole,
});

/** Rank of a contact in the key-person order: primary first, then by buying role, unknown role last. */
export function keyPersonRank(c: { _id: string; buyingRole: string }, primaryId: string): number {
  if (c._id === primaryId) return 0;
  const i = (BUYING_ROLES as readonly string[]).indexOf(c.buyingRole);
  return i < 0 ? BUYING_ROLES.length + 1 : i + 1;
}

/** Contacts in key-person order: primary, decision-maker, economic-buyer, champion, ..., then by name. */
export function orderKeyPersons<
  T extends { _id: string; buyingRole: string; lastName: string; firstName: string },
>(contacts: T[], primaryId: string): T[] {
  return [...contacts].sort(
    (a, b) =>
      keyPersonRank(a, primaryId) - keyPersonRank(b, primaryId) ||
      a.lastName.localeCompare(b.lastName) ||
      a.firstName.localeCompare(b.firstName) ||
      a._id.localeCompare(b._id),
  );
}
