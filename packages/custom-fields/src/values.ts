import { Violations } from '@crm/kit';
import { nextDay, parseDate } from './dates';
import {
  type CustomValues,
  DEFAULT_MAX_LENGTH,
  type Entity,
  type FieldDefinition,
  fieldPath,
  isPlainObject,
} from './types';

export interface ValueOptions {
  /**
   * Values come as text (a CSV import): a string is also accepted for number ("12.5"), boolean
   * ("true"/"false"), date and multi-enum ("a;b") fields, and an empty string means no value.
   * Without it only JSON types are accepted: a number must be a JSON number, a boolean true or false.
   */
  fromText?: boolean;
}

/** At most this many keys in one write or one filter (the rest is noise or abuse). */
const MAX_KEYS = 200;
const MAX_FILTERS = 20;
const MAX_FILTER_LENGTH = 1000;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

type Parsed = { value: unknown } | { problem: string };

/** Shortened for messages, so a hostile key cannot blow up a response. */
const shown = (key: string) => (key.length > 64 ? `${key.slice(0, 64)}…` : key);
const listOf = (options: string[]) =>
  options.length > 20 ? `${options.slice(0, 20).join(', ')}, …` : options.join(', ');

/**
 * The custom fields of one entity as they are now (a snapshot of its definitions): validates values on
 * create and update, builds list filters, and hides archived fields on read. Pure and synchronous;
 * CustomFields hands out a fresh one whenever its cache reloads.
 */
export class CustomFieldSet {
  private readonly active = new Map<string, FieldDefinition>();
  private readonly archived = new Map<string, FieldDefinition>();
  private readonly patterns = new Map<string, RegExp>();

  constructor(
    readonly entity: Entity,
    definitions: readonly FieldDefinition[],
  ) {
    for (const d of definitions) {
      if (d.entity !== entity) continue;
      (d.archived ? this.archived : this.active).set(d.key, d);
      if (!d.archived && d.type === 'text' && d.constraints.pattern)
        this.patterns.set(d.key, new RegExp(d.constraints.pattern));
    }
  }

  /** The active definitions, ordered by key. */
  get definitions(): FieldDefinition[] {
    return [...this.active.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  /**
   * Values of a new record: every key must be an active field, values must fit their type and
   * constraints, required fields must have a value. Returns the values to store (dates normalised,
   * empty values dropped). Throws ValidationError with `customFields.<key>` paths.
   */
  validateCreate(values: unknown, opts: ValueOptions = {}): CustomValues {
    const v = new Violations();
    const out: CustomValues = {};
    for (const [key, raw] of this.entries(values, v)) {
      const r = this.check(key, raw, opts, v);
      if (r?.value !== undefined) out[key] = r.value;
    }
    for (const d of this.active.values()) {
      if (d.required && out[d.key] === undefined && !v.items.some((x) => x.field === fieldPath(d.key)))
        v.add(fieldPath(d.key), 'is required');
    }
    v.throwIfAny();
    return out;
  }

  /**
   * An update: only the keys present change; null (or an empty value) removes a value, which a required
   * field refuses. Everything else stored, archived fields' values included, is kept untouched. Returns
   * the complete values to store.
   *
   * A required field the record lacks is not demanded on an update that does not touch it: see
   * checkChange in definition.ts (making a field required applies to new writes and to updates of it).
   */
  validatePatch(current: unknown, patch: unknown, opts: ValueOptions = {}): CustomValues {
    const out: CustomValues = isPlainObject(current) ? { ...current } : {};
    if (patch === undefined || patch === null) return out;
    const v = new Violations();
    for (const [key, raw] of this.entries(patch, v)) {
      const r = this.check(key, raw, opts, v);
      if (!r) continue;
      if (r.value !== undefined) out[key] = r.value;
      else if (this.active.get(key)!.required) v.add(fieldPath(key), 'is required and cannot be removed');
      else delete out[key];
    }
    v.throwIfAny();
    return out;
  }

  /** Stored values as readers see them: only active fields (archived values stay stored, unseen). */
  visible(values: unknown): CustomValues {
    if (!isPlainObject(values)) return {};
    return Object.fromEntries(Object.entries(values).filter(([k]) => this.active.has(k)));
  }

  /**
   * A mongo filter for list queries: `{ 'customFields.<key>': value }` per filter, the value parsed by
   * the field's type (a date `yyyy-mm-dd` matches that day; a multi-enum matches records whose list
   * contains the value). Filter values are single strings, never objects, so no query operator can be
   * smuggled in. Unknown or archived keys and values that cannot be of the field's type are refused.
   */
  filter(filters: unknown): Record<string, unknown> {
    if (filters === undefined || filters === null) return {};
    const v = new Violations();
    if (!isPlainObject(filters)) {
      v.add('customFilters', 'must map custom field keys to values').throwIfAny();
    }
    const entries = Object.entries(filters as Record<string, unknown>);
    if (entries.length > MAX_FILTERS) v.add('customFilters', `at most ${MAX_FILTERS} custom field filters`);
    const out: Record<string, unknown> = {};
    for (const [key, raw] of entries.slice(0, MAX_FILTERS)) {
      const path = fieldPath(shown(key));
      const d = this.known(key, v);
      if (!d) continue;
      if (typeof raw !== 'string') {
        v.add(path, 'must be a single value');
        continue;
      }
      if (raw === '' || raw.length > MAX_FILTER_LENGTH) {
        v.add(path, `must be a value of 1 to ${MAX_FILTER_LENGTH} characters`);
        continue;
      }
      const target = `customFields.${key}`;
      switch (d.type) {
        case 'text': {
          // A value the current pattern refuses cannot have been written under it.
          const re = this.patterns.get(key);
          if (re && !re.test(raw)) v.add(path, `does not match the pattern ${d.constraints.pattern}`);
          else out[target] = raw;
          break;
        }
        case 'number':
          if (!NUMBER_TEXT.test(raw.trim()) || !Number.isFinite(Number(raw))) v.add(path, 'must be a number');
          else out[target] = Number(raw);
          break;
        case 'boolean':
          if (!/^(true|false)$/i.test(raw)) v.add(path, 'must be true or false');
          else out[target] = raw.toLowerCase() === 'true';
          break;
        case 'date': {
          const p = parseDate(raw.trim());
          if (!p) v.add(path, 'must be a date (yyyy-mm-dd) or an ISO 8601 date-time with offset');
          // A day matches that date and any date-time on it (stored date-times are UTC ISO strings).
          else out[target] = p.dateOnly ? { $gte: p.value, $lt: nextDay(p.value) } : p.value;
          break;
        }
        // Options removed since may still be stored: filtering for them finds the records to clean up.
        case 'enum':
        case 'multi-enum':
          out[target] = raw;
          break;
      }
    }
    v.throwIfAny();
    return out;
  }

  private entries(values: unknown, v: Violations): [string, unknown][] {
    if (values === undefined || values === null) return [];
    if (!isPlainObject(values)) {
      v.add('customFields', 'must be an object of custom field values by key');
      return [];
    }
    const entries = Object.entries(values);
    if (entries.length > MAX_KEYS) {
      v.add('customFields', `at most ${MAX_KEYS} custom fields`);
      return [];
    }
    return entries.filter(([key]) => this.known(key, v) !== undefined);
  }

  private known(key: string, v: Violations): FieldDefinition | undefined {
    const d = this.active.get(key);
    if (d) return d;
    if (this.archived.has(key))
      v.add(fieldPath(shown(key)), 'is an archived custom field and takes no values');
    else v.add(fieldPath(shown(key)), `is not a custom field of ${this.entity}`);
    return undefined;
  }

  /** The parsed value ({ value: undefined } = no value), or undefined after recording a violation. */
  private check(
    key: string,
    raw: unknown,
    opts: ValueOptions,
    v: Violations,
  ): { value: unknown } | undefined {
    const r = this.parse(this.active.get(key)!, raw, opts.fromText ?? false);
    if ('problem' in r) {
      v.add(fieldPath(key), r.problem);
      return undefined;
    }
    return r;
  }

  /** { value: undefined } means "no value" (null, or an empty text). */
  private parse(d: FieldDefinition, raw: unknown, fromText: boolean): Parsed {
    if (raw === null || raw === undefined) return { value: undefined };
    const c = d.constraints;
    const text = fromText && typeof raw === 'string' ? raw.trim() : undefined;
    if (text === '') return { value: undefined };
    switch (d.type) {
      case 'text': {
        if (typeof raw !== 'string') return { problem: 'must be a string' };
        if (raw === '') return { value: undefined };
        const max = c.maxLength ?? DEFAULT_MAX_LENGTH;
        if (raw.length > max) return { problem: `must be at most ${max} characters` };
        const re = this.patterns.get(d.key);
        if (re && !re.test(raw)) return { problem: `does not match the pattern ${c.pattern}` };
        return { value: raw };
      }
      case 'number': {
        let n = raw;
        if (text !== undefined) n = NUMBER_TEXT.test(text) ? Number(text) : NaN;
        if (typeof n !== 'number' || !Number.isFinite(n)) return { problem: 'must be a finite number' };
        if (c.min !== undefined && n < c.min) return { problem: `must be at least ${c.min}` };
        if (c.max !== undefined && n > c.max) return { problem: `must be at most ${c.max}` };
        return { value: n };
      }
      case 'boolean': {
        if (text !== undefined && /^(true|false)$/i.test(text))
          return { value: text.toLowerCase() === 'true' };
        if (typeof raw !== 'boolean') return { problem: 'must be true or false' };
        return { value: raw };
      }
      case 'date': {
        const p = typeof raw === 'string' ? parseDate(raw.trim()) : undefined;
        if (!p) return { problem: 'must be a date (yyyy-mm-dd) or an ISO 8601 date-time with offset' };
        const min = c.minDate ? parseDate(c.minDate) : undefined;
        const max = c.maxDate ? parseDate(c.maxDate) : undefined;
        if (min && p.time < min.time) return { problem: `must not be before ${c.minDate}` };
        if (max && p.time > max.time) return { problem: `must not be after ${c.maxDate}` };
        return { value: p.value };
      }
      case 'enum': {
        const options = c.options ?? [];
        if (typeof raw !== 'string' || !options.includes(text ?? raw))
          return { problem: `must be one of: ${listOf(options)}` };
        return { value: text ?? raw };
      }
      case 'multi-enum': {
        const options = c.options ?? [];
        const list =
          text !== undefined
            ? text
                .split(';')
                .map((s) => s.trim())
                .filter(Boolean)
            : raw;
        if (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))
          return { problem: 'must be a list of strings' };
        const bad = list.filter((x) => !options.includes(x as string));
        if (bad.length) return { problem: `holds values that are not options (allowed: ${listOf(options)})` };
        if (new Set(list).size !== list.length) return { problem: 'must not repeat a value' };
        if (list.length === 0) return { value: undefined };
        return { value: [...(list as string[])] };
      }
    }
  }
}
