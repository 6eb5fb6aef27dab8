/** The entities administrators may add fields to; each is owned (and its fields hosted) by one service. */
export const ENTITIES = ['lead', 'account', 'contact', 'opportunity', 'ticket'] as const;
export type Entity = (typeof ENTITIES)[number];

export const FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'enum', 'multi-enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Limits on values; each applies to the types named (a constraint on another type is refused). */
export interface FieldConstraints {
  /** text: a JavaScript regular expression, unanchored (JSON Schema semantics); checked to be safe. */
  pattern?: string;
  /** text: maximum characters (default DEFAULT_MAX_LENGTH). */
  maxLength?: number;
  /** number: inclusive bounds. */
  min?: number;
  max?: number;
  /** date: inclusive bounds, `yyyy-mm-dd` or an ISO 8601 date-time. */
  minDate?: string;
  maxDate?: string;
  /** enum, multi-enum: the allowed values. */
  options?: string[];
}

/** What an administrator sends to define or change a field. */
export interface FieldDefinitionInput {
  entity: Entity;
  /** Immutable: values are stored under it. Renaming a field changes the label only. */
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  constraints: FieldConstraints;
}

/** A stored definition. Deleting a field archives it: the definition and every stored value stay. */
export interface FieldDefinition extends FieldDefinitionInput {
  version: number;
  archived: boolean;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
}

/** Custom field values of one record, by key, as stored (plain JSON values). */
export type CustomValues = Record<string, unknown>;

export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
export const DEFAULT_MAX_LENGTH = 1000;
export const MAX_TEXT_LENGTH = 10_000;
export const MAX_OPTIONS = 200;
export const MAX_OPTION_LENGTH = 100;
export const MAX_LABEL_LENGTH = 100;
export const MAX_PATTERN_LENGTH = 200;
/** Active (not archived) fields per entity. */
export const MAX_FIELDS_PER_ENTITY = 100;

/** The field path of a value in violations and REST errors: `customFields.<key>`. */
export const fieldPath = (key: string) => `customFields.${key}`;

export const isEntity = (s: unknown): s is Entity => typeof s === 'string' && ENTITIES.includes(s as Entity);
export const isFieldType = (s: unknown): s is FieldType =>
  typeof s === 'string' && FIELD_TYPES.includes(s as FieldType);

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
