import { both, type CustomFieldSet } from '@crm/custom-fields';
import { normaliseAccountInput, type AccountInput, type RawAccountInput } from '../domain/account';
import { type ContactInput, normaliseContactInput } from '../domain/contact';
import type { CustomFieldRules } from './ports';

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

/** The filter for List{Accounts,Contacts}Request.custom_filters; undefined when there is none. */
export async function customFilter(
  rules: CustomFieldRules,
  entity: 'account' | 'contact',
  filters: Record<string, string> | undefined,
): Promise<Record<string, unknown> | undefined> {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  return (await rules.fields(entity)).filter(filters);
}
