import {
  both,
  type CustomFields,
  CustomFieldSet,
  type CustomValues,
  isPlainObject,
} from '@crm/custom-fields';
import { normaliseAccountInput, type AccountInput, type RawAccountInput } from '../domain/account';
import { type ContactInput, normaliseContactInput } from '../domain/contact';

/** The entities whose custom fields this service owns. */
export type OwnedEntity = 'account' | 'contact';

/**
 * The custom fields of entities "account" and "contact" (@crm/custom-fields): the one instance of this
 * process, set by main.ts at start-up. The stores validate and filter with it; the mapper hides archived
 * fields with it (synchronously, so every Account and Contact the service returns or publishes looks the
 * same). Until it is set (unit tests of the stores) there are no custom fields: any value is refused as
 * unknown.
 */
let instance: CustomFields | undefined;
const NONE: Record<OwnedEntity, CustomFieldSet> = {
  account: new CustomFieldSet('account', []),
  contact: new CustomFieldSet('contact', []),
};

export function useAccountCustomFields(cf: CustomFields | undefined): void {
  instance = cf;
}

/** The current custom fields of an entity (cached a few seconds by CustomFields). */
export async function fieldSet(entity: OwnedEntity): Promise<CustomFieldSet> {
  return instance ? instance.fields(entity) : NONE[entity];
}

/** normaliseAccountInput plus the custom field values of a new account (violations of both at once). */
export function validateNewAccount(fields: CustomFieldSet, raw: RawAccountInput): AccountInput {
  const [account, customFields] = both(
    () => normaliseAccountInput(raw),
    () => fields.validateCreate(raw.customFields),
  );
  return { ...account, customFields };
}

/** normaliseContactInput plus the custom field values of a new contact (violations of both at once). */
export function validateNewContact(fields: CustomFieldSet, raw: ContactInput): ContactInput {
  const [contact, customFields] = both(
    () => normaliseContactInput(raw),
    () => fields.validateCreate(raw.customFields),
  );
  return { ...contact, customFields };
}

/** The mongo filter for List{Accounts,Contacts}Request.custom_filters; undefined when there is none. */
export async function customFilter(
  entity: OwnedEntity,
  filters: Record<string, string> | undefined,
): Promise<Record<string, unknown> | undefined> {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  return (await fieldSet(entity)).filter(filters);
}

/** Stored values as readers see them: archived fields are left out (the values stay stored). */
export function shownCustomFields(entity: OwnedEntity, values: unknown): CustomValues {
  if (instance) return instance.visibleNow(entity, values);
  return isPlainObject(values) ? { ...values } : {};
}
