import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { customFields as pb } from '@crm/proto';
import { protoEnum } from '../api/proto-enum';

extendZodWithOpenApi(z);

/** Entities administrators may add fields to (the service that owns each hosts its definitions). */
export const CUSTOM_FIELD_ENTITIES = ['lead', 'account', 'contact', 'opportunity', 'ticket'] as const;
export type CustomFieldEntity = (typeof CUSTOM_FIELD_ENTITIES)[number];
/** Field types as REST names, from the proto enum the services map their definitions to. */
export const fieldType = protoEnum(pb.FieldType, 'FIELD_TYPE_');
export const FIELD_TYPES = fieldType.values;
export type FieldTypeName = (typeof FIELD_TYPES)[number];

export const KEY = /^[a-z][a-z0-9_]{0,39}$/;
const key = z
  .string()
  .regex(KEY, 'must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 40)')
  .openapi({ description: 'Immutable key; values are stored and sent under it', example: 'po_number' });
const label = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .openapi({ description: 'Shown to people; renaming a field changes this' });
const entity = z.enum(CUSTOM_FIELD_ENTITIES);
const type = z.enum(FIELD_TYPES);
const dateBound = z
  .string()
  .max(40)
  .openapi({ description: 'yyyy-mm-dd or an ISO 8601 date-time with offset' });

export const CustomFieldConstraints = z
  .object({
    pattern: z
      .string()
      .max(200)
      .optional()
      .openapi({
        description:
          'text: JavaScript regular expression, unanchored (use ^…$). Refused: back-references and repeated ' +
          'groups containing a quantifier or an alternation, e.g. (a+)+',
        example: '^PO-\\d{4}$',
      }),
    maxLength: z.number().int().min(1).max(10_000).optional().openapi({ description: 'text; default 1000' }),
    min: z.number().optional().openapi({ description: 'number: inclusive lower bound' }),
    max: z.number().optional().openapi({ description: 'number: inclusive upper bound' }),
    minDate: dateBound.optional().openapi({ description: 'date: earliest allowed' }),
    maxDate: dateBound.optional().openapi({ description: 'date: latest allowed' }),
    options: z
      .array(z.string().max(100))
      .max(200)
      .optional()
      .openapi({ description: 'enum, multi-enum: the allowed values (removing one keeps stored values)' }),
  })
  .strict()
  .openapi('CustomFieldConstraints', { description: 'Each constraint applies only to the types named' });

const definitionShape = {
  label,
  type: type.openapi({ description: 'Cannot change once defined (stored values would no longer fit)' }),
  required: z.boolean().optional().openapi({
    description: 'Enforced on create and on updates that touch the field; existing records stay valid',
  }),
  constraints: CustomFieldConstraints.optional(),
};

export const CreateCustomFieldBody = z
  .object({ entity, key, ...definitionShape })
  .strict()
  .openapi('CreateCustomField');

export const PutCustomFieldBody = z
  .object({
    ...definitionShape,
    version: z.number().int().optional().openapi({ description: 'Ignored; use If-Match' }),
  })
  .strict()
  .openapi('PutCustomField');

export const CustomFieldParams = z.object({ entity, key });

export const CustomFieldListQuery = z
  .object({
    entity: entity.optional().openapi({ description: 'Only this entity; all entities when absent' }),
    includeArchived: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const CustomField = z
  .object({
    entity,
    key: z.string(),
    label: z.string(),
    type,
    required: z.boolean(),
    constraints: CustomFieldConstraints,
    version: z.number().int(),
    archived: z
      .boolean()
      .openapi({ description: 'Deleted: values are kept but hidden and refused on write' }),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('CustomField');

export const CustomFieldList = z.object({ items: z.array(CustomField) }).openapi('CustomFieldList');

export const CUSTOM_FIELD_VALUES_DESCRIPTION =
  'Values of administrator-defined custom fields by key (GET /api/v1/custom-fields lists them): ' +
  'text and enum as strings, number as a JSON number, date as yyyy-mm-dd or an ISO 8601 date-time, ' +
  'boolean as true/false, multi-enum as a list of strings.';

/**
 * Custom field values in a request body, by key. Checked by the owning service against the current
 * definitions (unknown keys, types, constraints; errors name `customFields.<key>`).
 */
export const CustomFieldValues = z
  .record(z.string().max(100), z.unknown())
  .refine((o) => Object.keys(o).length <= 200, 'at most 200 custom fields')
  .openapi({ description: CUSTOM_FIELD_VALUES_DESCRIPTION });

/** `cf.<key>` query parameters filter lists by a custom field; `cf.<key>` CSV columns carry values. */
export const CUSTOM_FILTER_PARAM = /^cf\.([a-z][a-z0-9_]{0,39})$/;
export const CUSTOM_FIELD_COLUMN = CUSTOM_FILTER_PARAM;

/**
 * A strict list query plus `cf.<key>=value` custom field filters (single values of at most 1000
 * characters); any other unknown parameter is still refused. Read the filters with customFieldEntries.
 */
export function withCustomFilters<S extends z.ZodObject>(query: S) {
  return query.catchall(z.string().max(1000)).superRefine((q, ctx) => {
    for (const k of Object.keys(q)) {
      if (!(k in query.shape) && !CUSTOM_FILTER_PARAM.test(k))
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: 'unknown parameter (custom field filters: cf.<key>)',
        });
    }
  });
}

/** The `cf.<key>` entries of a query or CSV record, by key. */
export function customFieldEntries(rec: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec)) {
    const m = CUSTOM_FILTER_PARAM.exec(k);
    if (m && typeof v === 'string') out[m[1]!] = v;
  }
  return out;
}
