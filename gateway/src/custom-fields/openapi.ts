import type { Logger } from 'pino';
import type { CustomFieldClient } from '../grpc';
import { ownCallOptions } from '../grpc';
import { type CustomFieldJson, customFieldToJson } from './mapping';
import type { CustomFieldEntity } from './schemas';

type Schema = Record<string, unknown>;
type Doc = { info?: { description?: string }; components?: { schemas?: Record<string, Schema> } };

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function constraintsText(d: CustomFieldJson): string {
  const c = d.constraints;
  const parts = [
    c.pattern && `pattern \`${c.pattern}\``,
    c.maxLength !== undefined && `maxLength ${c.maxLength}`,
    c.min !== undefined && `min ${c.min}`,
    c.max !== undefined && `max ${c.max}`,
    c.minDate && `from ${c.minDate}`,
    c.maxDate && `until ${c.maxDate}`,
    c.options && `options: ${c.options.join(', ')}`,
  ].filter(Boolean);
  return parts.length ? `; ${parts.join('; ')}` : '';
}

/** The JSON Schema of one field's value. */
function valueSchema(d: CustomFieldJson): Schema {
  const c = d.constraints;
  const base: Schema = { title: d.label };
  switch (d.type) {
    case 'text':
      return {
        ...base,
        type: 'string',
        maxLength: c.maxLength ?? 1000,
        ...(c.pattern ? { pattern: c.pattern } : {}),
      };
    case 'number':
      return {
        ...base,
        type: 'number',
        ...(c.min !== undefined ? { minimum: c.min } : {}),
        ...(c.max !== undefined ? { maximum: c.max } : {}),
      };
    case 'date':
      return { ...base, type: 'string', anyOf: [{ format: 'date' }, { format: 'date-time' }] };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'enum':
      return { ...base, type: 'string', enum: c.options ?? [] };
    case 'multi-enum':
      return { ...base, type: 'array', uniqueItems: true, items: { type: 'string', enum: c.options ?? [] } };
    default:
      return base;
  }
}

/**
 * The static document plus the current custom fields: the description of each entity schema (Lead,
 * Account, ...) lists its fields, and the customFields property of that schema and of its Create/Patch
 * bodies gets a typed property per field. Entities whose service did not answer get a note instead.
 */
export function describeCustomFields(
  base: object,
  fields: Partial<Record<CustomFieldEntity, CustomFieldJson[]>>,
  unavailable: CustomFieldEntity[],
): object {
  const doc = structuredClone(base) as Doc;
  const schemas = doc.components?.schemas ?? {};
  for (const [entity, defs] of Object.entries(fields) as [CustomFieldEntity, CustomFieldJson[]][]) {
    const name = capital(entity);
    const list = defs.length
      ? defs
          .map(
            (d) =>
              `- \`${d.key}\` (${d.type}${d.required ? ', required' : ''}): ${d.label}${constraintsText(d)}`,
          )
          .join('\n')
      : '(none defined)';
    const text = `Custom fields of ${entity} (in \`customFields\`, by key; see /api/v1/custom-fields):\n${list}`;
    const entitySchema = schemas[name];
    if (entitySchema) {
      const own = typeof entitySchema.description === 'string' ? `${entitySchema.description}\n\n` : '';
      entitySchema.description = `${own}${text}`;
    }
    // Opportunity's bodies are named OpportunityInput (which extends) OpportunityPatch.
    for (const schemaName of [name, `Create${name}`, `Patch${name}`, `${name}Patch`]) {
      const props = schemas[schemaName]?.properties as Record<string, Schema> | undefined;
      if (!props?.customFields) continue;
      const nullable = schemaName !== name && schemaName.includes('Patch');
      props.customFields = {
        ...props.customFields,
        description: text,
        properties: Object.fromEntries(
          defs.map((d) => [d.key, nullable ? { anyOf: [valueSchema(d), { type: 'null' }] } : valueSchema(d)]),
        ),
      };
    }
  }
  if (unavailable.length && doc.info) {
    doc.info.description =
      `${doc.info.description ?? ''}\n\nNote: the custom fields of ${unavailable.join(', ')} are not listed ` +
      'here right now (the owning service did not answer); the entity descriptions show the static schema.';
  }
  return doc;
}

export interface LiveOpenApiOptions {
  base: object;
  clients: Partial<Record<CustomFieldEntity, CustomFieldClient>>;
  logger: Logger;
  /** How long one built document is served (default 5 s). */
  ttlMs?: number;
  /** Deadline of each definitions call (default 1 s). */
  deadlineMs?: number;
}

/** The gateway's own identity for reading definitions (every authenticated caller may list them). */

/**
 * /api/v1/openapi.json, built on request from the static document and the definitions the services hold
 * now, cached for a few seconds; a service that is down leaves its entity undescribed, with a note.
 */
export function liveOpenApi(o: LiveOpenApiOptions): () => Promise<string> {
  const ttl = o.ttlMs ?? 5000;
  let cached: { at: number; json: string } | undefined;
  let building: Promise<string> | undefined;
  const build = async (): Promise<string> => {
    const fields: Partial<Record<CustomFieldEntity, CustomFieldJson[]>> = {};
    const unavailable: CustomFieldEntity[] = [];
    await Promise.all(
      (Object.entries(o.clients) as [CustomFieldEntity, CustomFieldClient][]).map(
        async ([entity, client]) => {
          try {
            const res = await client.listFieldDefinitions(
              { entity, includeArchived: false },
              await ownCallOptions('openapi', o.deadlineMs ?? 1000),
            );
            fields[entity] = res.definitions.map(customFieldToJson);
          } catch (err) {
            o.logger.warn(
              { entity, err: (err as Error).message },
              'custom fields not in the OpenAPI document',
            );
            unavailable.push(entity);
          }
        },
      ),
    );
    const json = JSON.stringify(describeCustomFields(o.base, fields, unavailable.sort()));
    cached = { at: Date.now(), json };
    return json;
  };
  return async () => {
    if (cached && Date.now() - cached.at < ttl) return cached.json;
    building ??= build().finally(() => (building = undefined));
    return building;
  };
}
