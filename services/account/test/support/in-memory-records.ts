import {
  type Actor,
  type CursorKind,
  decodeCursor,
  nextCursorOf,
  type OutboxEntry,
  pageLimit,
  VersionMismatchError,
} from '@crm/kit';

/** What every record of this service carries, as the in-memory stores need it. */
export interface Stored {
  _id: string;
  version: number;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

/**
 * One collection in memory with the write semantics of kit's saveAtVersion: a compare-and-set on the
 * version that applies `set` over the stored record together with its events. Records are copied on
 * the way in and out, as a database would.
 */
export class InMemoryCollection<T extends Stored> {
  readonly docs = new Map<string, T>();
  /** Every event written, in order (subjects like crm.account.v1.AccountCreated). */
  readonly events: OutboxEntry[] = [];

  get(id: string): T | undefined {
    const doc = this.docs.get(id);
    return doc ? withoutOutbox(doc) : undefined;
  }

  all(): T[] {
    return [...this.docs.values()].map(withoutOutbox);
  }

  insert(doc: T): boolean {
    if (this.docs.has(doc._id)) return false;
    this.docs.set(doc._id, structuredClone(doc));
    this.events.push(...doc.outbox);
    return true;
  }

  /** Replaces the record when it is at `version` and matches `also`. */
  replaceAt(doc: T, version: number, also: (stored: T) => boolean = () => true): boolean {
    const stored = this.docs.get(doc._id);
    if (!stored || stored.version !== version || !also(stored)) return false;
    this.docs.set(doc._id, { ...structuredClone(doc), outbox: [...stored.outbox, ...doc.outbox] });
    this.events.push(...doc.outbox);
    return true;
  }

  save(
    current: T,
    set: Partial<T>,
    actor: Pick<Actor, 'userId'>,
    events: (next: T) => OutboxEntry[],
    also: (stored: T) => boolean = () => true,
  ): T {
    const stored = this.docs.get(current._id);
    if (!stored || stored.version !== current.version || !also(stored))
      throw new VersionMismatchError(current.version, stored?.version ?? current.version);
    const stamp = { version: current.version + 1, updatedAt: new Date(), updatedBy: actor.userId };
    const next = { ...current, ...set, ...stamp } as T;
    const outbox = events(next);
    this.docs.set(current._id, {
      ...stored,
      ...structuredClone(set),
      ...stamp,
      outbox: [...stored.outbox, ...outbox],
    });
    this.events.push(...outbox);
    return next;
  }

  /** Changes one record without a version check (lastActivityAt, moves); false when absent. */
  patch(id: string, change: (doc: T) => Partial<T>): boolean {
    const stored = this.docs.get(id);
    if (!stored) return false;
    this.docs.set(id, { ...stored, ...change(stored) });
    return true;
  }

  subjects(): string[] {
    return this.events.map((e) => e.subject.replace('crm.account.v1.', ''));
  }
}

function withoutOutbox<T extends Stored>(doc: T): T {
  return { ...structuredClone(doc), outbox: [] };
}

/**
 * Sorts by (field, _id), continues after a kit cursor and pages with kit's nextCursorOf, so cursors
 * behave as with the database (an invalid cursor is the same 400).
 */
export function pageOf<T extends { _id: string }>(
  items: T[],
  field: (item: T) => Date | number | string,
  kind: CursorKind,
  q: { descending: boolean; limit: number; cursor: string },
): { page: T[]; nextCursor: string } {
  const dir = q.descending ? -1 : 1;
  // Dates compare by time (not instanceof: structuredClone makes them in another realm under jest).
  const key = (v: Date | number | string | null) => (v !== null && typeof v === 'object' ? v.getTime() : v);
  const cmp = (a: Date | number | string | null, b: Date | number | string | null) => {
    const [x, y] = [key(a), key(b)];
    return x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
  };
  const sorted = [...items].sort((a, b) => dir * (cmp(field(a), field(b)) || cmp(a._id, b._id)));
  let rest = sorted;
  if (q.cursor) {
    const after = decodeCursor(q.cursor, kind);
    rest = sorted.filter((d) => dir * (cmp(field(d), after.value) || cmp(d._id, after.id)) > 0);
  }
  const limit = pageLimit(q.limit);
  return nextCursorOf(rest.slice(0, limit + 1), limit, field);
}

/** The custom fields' list filter ({ 'customFields.<key>': value }) evaluated in memory. */
export function matchesCustomFilter(
  doc: { customFields?: Record<string, unknown> },
  filter?: Record<string, unknown>,
) {
  if (!filter) return true;
  return Object.entries(filter).every(([path, want]) => {
    const value = doc.customFields?.[path.replace(/^customFields\./, '')];
    if (want !== null && typeof want === 'object' && !(want instanceof Date))
      throw new Error(`the in-memory filter knows plain values only, not ${JSON.stringify(want)}`);
    return Array.isArray(value) ? value.includes(want) : value === want;
  });
}
