import { type CallerContext, expectedVersionOf } from '@crm/kit';
import { customFields as pb } from '@crm/proto';
import type { CustomFields } from './custom-fields';
import type { DefinitionDraft } from './definition';
import type { FieldDefinition, FieldType } from './types';

type Ctx = CallerContext;

const TYPES: [FieldType, pb.FieldType][] = [
  ['text', pb.FieldType.FIELD_TYPE_TEXT],
  ['number', pb.FieldType.FIELD_TYPE_NUMBER],
  ['date', pb.FieldType.FIELD_TYPE_DATE],
  ['boolean', pb.FieldType.FIELD_TYPE_BOOLEAN],
  ['enum', pb.FieldType.FIELD_TYPE_ENUM],
  ['multi-enum', pb.FieldType.FIELD_TYPE_MULTI_ENUM],
];

export const toProtoFieldType = (t: FieldType): pb.FieldType => TYPES.find(([d]) => d === t)?.[1] ?? 0;
export const fromProtoFieldType = (t: pb.FieldType): FieldType | undefined =>
  TYPES.find(([, p]) => p === t)?.[0];

export function toProtoDefinition(d: FieldDefinition): pb.FieldDefinition {
  const c = d.constraints;
  return pb.FieldDefinition.fromPartial({
    entity: d.entity,
    key: d.key,
    label: d.label,
    type: toProtoFieldType(d.type),
    required: d.required,
    constraints: {
      pattern: c.pattern ?? '',
      maxLength: c.maxLength,
      min: c.min,
      max: c.max,
      minDate: c.minDate ?? '',
      maxDate: c.maxDate ?? '',
      options: c.options ?? [],
    },
    version: String(d.version),
    created: { actorId: d.createdBy, at: d.createdAt },
    updated: { actorId: d.updatedBy, at: d.updatedAt },
    archived: d.archived,
  });
}

/** Unset proto fields (empty strings, empty lists) become absent constraints. */
export function fromProtoDefinition(p: pb.FieldDefinition | undefined): DefinitionDraft {
  const c = p?.constraints;
  return {
    entity: p?.entity ?? '',
    key: p?.key ?? '',
    label: p?.label ?? '',
    type: fromProtoFieldType(p?.type ?? 0) ?? '',
    required: p?.required ?? false,
    constraints: {
      pattern: c?.pattern || undefined,
      maxLength: c?.maxLength,
      min: c?.min,
      max: c?.max,
      minDate: c?.minDate || undefined,
      maxDate: c?.maxDate || undefined,
      options: c?.options.length ? c.options : undefined,
    },
  };
}

const version = (v: string) => expectedVersionOf(v, 'expected_version');

/**
 * The CustomFieldService implementation over a CustomFields instance: any authenticated caller lists,
 * only admins (crm-admin) change definitions (checked in CustomFields).
 */
export function customFieldGrpc(cf: CustomFields): pb.CustomFieldServiceImplementation<Ctx> {
  return {
    async listFieldDefinitions(req) {
      const defs = await cf.definitions(cf.store.requireOwned(req.entity), {
        includeArchived: req.includeArchived,
      });
      return { definitions: defs.map(toProtoDefinition) };
    },
    async putFieldDefinition(req, ctx) {
      const d = await cf.put(
        fromProtoDefinition(req.definition),
        { expectedVersion: version(req.expectedVersion), createOnly: req.createOnly },
        ctx.actor,
      );
      return toProtoDefinition(d);
    },
    async deleteFieldDefinition(req, ctx) {
      return toProtoDefinition(
        await cf.archive(req.entity, req.key, version(req.expectedVersion), ctx.actor),
      );
    },
  };
}
