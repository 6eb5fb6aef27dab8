import { customFields as pb } from '@crm/proto';
import type { z } from 'zod';
import { fieldType, type CustomFieldEntity, type FieldTypeName, type PutCustomFieldBody } from './schemas';

export const fieldTypeName = (t: pb.FieldType): FieldTypeName => fieldType.fromProto(t, 'text');

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
    type: fieldType.toProto(b.type),
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
