import {
  both,
  type CustomFields,
  CustomFieldSet,
  type CustomValues,
  isPlainObject,
  type ValueOptions,
} from '@crm/custom-fields';
import { type LeadInput, normaliseLeadInput } from '../domain/lead';

/**
 * The custom fields of entity "lead" (@crm/custom-fields): the one instance of this process, set by
 * main.ts at start-up. The store validates and filters with it; the mapper hides archived fields with it
 * (synchronously, so every Lead the service returns or publishes looks the same). Until it is set (unit
 * tests of the store) leads have no custom fields: any value is refused as unknown.
 */
let instance: CustomFields | undefined;
const NONE = new CustomFieldSet('lead', []);

export function useLeadCustomFields(cf: CustomFields): void {
  instance = cf;
}

/** The current custom fields of leads (cached a few seconds by CustomFields). */
export async function leadFieldSet(): Promise<CustomFieldSet> {
  return instance ? instance.fields('lead') : NONE;
}

/** normaliseLeadInput plus the custom field values of a new lead (import rows: { fromText: true }). */
export function validateNewLead(fields: CustomFieldSet, raw: LeadInput, opts?: ValueOptions): LeadInput {
  const [lead, customFields] = both(
    () => normaliseLeadInput(raw),
    () => fields.validateCreate(raw.customFields, opts),
  );
  return { ...lead, customFields };
}

/** The mongo filter for ListLeadsRequest.custom_filters; undefined when there is none. */
export async function customFilter(
  filters: Record<string, string> | undefined,
): Promise<Record<string, unknown> | undefined> {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  return (await leadFieldSet()).filter(filters);
}

/** Stored values as readers see them: archived fields are left out (the values stay stored). */
export function shownCustomFields(values: unknown): CustomValues {
  if (instance) return instance.visibleNow('lead', values);
  return isPlainObject(values) ? { ...values } : {};
}
