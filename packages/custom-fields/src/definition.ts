import { ConflictError, Violations } from '@crm/kit';
import { parseDate } from './dates';
import { checkPattern } from './pattern';
import {
  ENTITIES,
  FIELD_TYPES,
  type FieldConstraints,
  type FieldDefinition,
  type FieldDefinitionInput,
  type FieldType,
  isEntity,
  isFieldType,
  KEY_PATTERN,
  MAX_LABEL_LENGTH,
  MAX_OPTION_LENGTH,
  MAX_OPTIONS,
  MAX_TEXT_LENGTH,
} from './types';

/** A definition as it arrives (from gRPC or a test), before validation. */
export interface DefinitionDraft {
  entity: string;
  key: string;
  label: string;
  type: string;
  required?: boolean;
  constraints?: FieldConstraints;
}

/** Which constraint applies to which types; any other combination is refused rather than ignored. */
const APPLIES: Record<keyof FieldConstraints, FieldType[]> = {
  pattern: ['text'],
  maxLength: ['text'],
  min: ['number'],
  max: ['number'],
  minDate: ['date'],
  maxDate: ['date'],
  options: ['enum', 'multi-enum'],
};

const isSet = (v: unknown) =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/**
 * Validates and normalises a field definition (trimmed label and options, only the constraints that
 * apply); throws ValidationError with every problem at once (fields `key`, `label`, `constraints.pattern`, ...).
 */
export function validateDefinition(draft: DefinitionDraft): FieldDefinitionInput {
  const v = new Violations();
  if (!isEntity(draft.entity)) v.add('entity', `must be one of ${ENTITIES.join(', ')}`);
  if (typeof draft.key !== 'string' || !KEY_PATTERN.test(draft.key)) {
    v.add(
      'key',
      'must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 40 characters), e.g. po_number',
    );
  }
  const label = String(draft.label ?? '')
    .trim()
    .replace(/\s+/g, ' ');
  if (!label) v.add('label', 'is required');
  else if (label.length > MAX_LABEL_LENGTH) v.add('label', `must be at most ${MAX_LABEL_LENGTH} characters`);
  if (!isFieldType(draft.type)) v.add('type', `must be one of ${FIELD_TYPES.join(', ')}`);
  const type = draft.type as FieldType;
  const raw = draft.constraints ?? {};
  const out: FieldConstraints = {};

  for (const name of Object.keys(APPLIES) as (keyof FieldConstraints)[]) {
    if (isSet(raw[name]) && isFieldType(type) && !APPLIES[name].includes(type)) {
      v.add(`constraints.${name}`, `applies only to ${APPLIES[name].join(' and ')} fields`);
    }
  }
  if (type === 'text') {
    if (isSet(raw.pattern)) {
      const problem = typeof raw.pattern === 'string' ? checkPattern(raw.pattern) : 'must be a string';
      if (problem) v.add('constraints.pattern', problem);
      else out.pattern = raw.pattern;
    }
    if (raw.maxLength !== undefined && raw.maxLength !== null) {
      if (!Number.isInteger(raw.maxLength) || raw.maxLength < 1 || raw.maxLength > MAX_TEXT_LENGTH)
        v.add('constraints.maxLength', `must be a whole number from 1 to ${MAX_TEXT_LENGTH}`);
      else out.maxLength = raw.maxLength;
    }
  }
  if (type === 'number') {
    for (const b of ['min', 'max'] as const) {
      const n = raw[b];
      if (n === undefined || n === null) continue;
      if (typeof n !== 'number' || !Number.isFinite(n)) v.add(`constraints.${b}`, 'must be a finite number');
      else out[b] = n;
    }
    if (out.min !== undefined && out.max !== undefined && out.min > out.max)
      v.add('constraints.min', 'must not be greater than max');
  }
  if (type === 'date') {
    const times: Partial<Record<'minDate' | 'maxDate', number>> = {};
    for (const b of ['minDate', 'maxDate'] as const) {
      if (!isSet(raw[b])) continue;
      const d = typeof raw[b] === 'string' ? parseDate(raw[b]) : undefined;
      if (!d) v.add(`constraints.${b}`, 'must be a date (yyyy-mm-dd) or an ISO 8601 date-time with offset');
      else {
        out[b] = d.value;
        times[b] = d.time;
      }
    }
    if (times.minDate !== undefined && times.maxDate !== undefined && times.minDate > times.maxDate)
      v.add('constraints.minDate', 'must not be after maxDate');
  }
  if (type === 'enum' || type === 'multi-enum') {
    const options = Array.isArray(raw.options) ? raw.options : [];
    if (options.length === 0) v.add('constraints.options', `an ${type} field needs at least one option`);
    else if (options.length > MAX_OPTIONS) v.add('constraints.options', `at most ${MAX_OPTIONS} options`);
    else {
      const clean = options.map((o) => (typeof o === 'string' ? o.trim() : ''));
      if (clean.some((o) => !o || o.length > MAX_OPTION_LENGTH))
        v.add(
          'constraints.options',
          `each option is a non-empty string of at most ${MAX_OPTION_LENGTH} characters`,
        );
      else if (new Set(clean).size !== clean.length) v.add('constraints.options', 'options must be distinct');
      else out.options = clean;
    }
  }
  v.throwIfAny();
  return {
    entity: draft.entity as FieldDefinitionInput['entity'],
    key: draft.key,
    label,
    type,
    required: draft.required ?? false,
    constraints: out,
  };
}

/**
 * Whether a definition may replace the stored one (also when re-creating an archived key).
 *
 * Refused: changing the type. Stored values were validated as the old type (a number is not a date,
 * a string is not a list), so they would no longer fit; the administrator defines a new key instead.
 *
 * Allowed, because no stored value becomes unreadable:
 * - relabelling (renaming): the key stays, so records and integrations keep working;
 * - removing enum options or tightening a pattern/bounds: stored values are kept and still shown, and
 *   the next write that touches the field must use a value the current definition accepts;
 * - making a field required: it applies to new records and to updates that touch the field. Records
 *   stored before are not rejected as a whole on unrelated updates (a rep changing a phone number is not
 *   forced to fill in a field an admin added yesterday), and nothing is rewritten behind their back.
 */
export function checkChange(previous: FieldDefinition | undefined, next: FieldDefinitionInput): void {
  if (!previous || previous.type === next.type) return;
  const what = previous.archived ? 'was defined (and archived)' : 'is';
  throw new ConflictError(
    `custom field "${next.key}" of ${next.entity} ${what} of type ${previous.type} and cannot become ` +
      `${next.type}: values stored as ${previous.type} would no longer fit; define a field with a new key instead`,
  );
}
