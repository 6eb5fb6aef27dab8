import { customFields as pb } from '@crm/proto';
import type { z } from 'zod';
import type { CustomFieldEntity, FieldTypeName, PutCustomFieldBody } from './schemas';

const TYPES: Record<FieldTypeName, pb.FieldType> = {
  text: pb.FieldType.FIELD_TYPE_TEXT,
  number: pb.FieldType.FIELD_TYPE_NUMBER,
  date: pb.FieldType.FIELD_TYPE_DATE,
  boolean: pb.FieldType.FIELD_TYPE_BOOLEAN,
  enum: pb.FieldType.FIELD_TYPE_ENUM,
  'multi-enum': pb.FieldType.FIELD_TYPE_MULTI_ENUM,
};

export function fieldTypeName(t: pb.FieldType): FieldTypeName {
  return (Object.entries(TYPES) as [FieldTypeName, pb.FieldType][]).find(([, v]) => v === t)?.[0] ?? 'text';
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

export type CustomFieldJson = ReturnType<typeof customFieldToJson>;

export function customFieldToJson(d: pb.FieldDefinition) {
  const c = d.constraints;
  return {
    entity: d.entity as CustomFieldEntity,
    key: d.key,
    label: d.label,
    type: fieldTypeName(d.type),
    required: d.required,
    constraints: {
      ...(c?.pattern ? { pattern: c.pattern } : {}),
      ...(c?.maxLength !== undefined ? { maxLength: c.maxLength } : {}),
      ...(c?.min !== undefined ? { min: c.min } : {}),
      ...(c?.max !== undefined ? { max: c.max } : {}),
      ...(c?.minDate ? { minDate: c.minDate } : {}),
      ...(c?.maxDate ? { maxDate: c.maxDate } : {}),
      ...(c?.options.length ? { options: c.options } : {}),
    },
    version: Number(d.version),
    archived: d.archived,
    createdAt: iso(d.created?.at),
    createdBy: d.created?.actorId ?? '',
    updatedAt: iso(d.updated?.at),
    updatedBy: d.updated?.actorId ?? '',
  };
}

export function customFieldToProto(
  entity: CustomFieldEntity,
  key: string,
  b: Omit<z.infer<typeof PutCustomFieldBody>, 'version'>,
): pb.FieldDefinition {
  const c = b.constraints ?? {};
  return pb.FieldDefinition.fromPartial({
    entity,
    key,
    label: b.label,
    type: TYPES[b.type],
    required: b.required ?? false,
    constraints: {
      pattern: c.pattern ?? '',
      maxLength: c.maxLength,
      min: c.min,
      max: c.max,
      minDate: c.minDate ?? '',
      maxDate: c.maxDate ?? '',
      options: c.options ?? [],
    },
  });
}
