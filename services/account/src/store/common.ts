import {
  type Actor,
  type OutboxEntry,
  type OutboxModel,
  updateAtVersion,
  ValidationError,
  VersionMismatchError,
} from '@crm/kit';

export interface Caller {
  actor: Actor;
  requestId: string;
}

/** A document with the fields every aggregate of this service carries. */
export interface Versioned {
  _id: string;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * Compare-and-set on the version: the change, its audit stamp and its events land together or not at
 * all (one single-document write). Throws VersionMismatchError when someone else wrote in between.
 */
export async function casSave<T extends Versioned>(
  model: OutboxModel,
  current: T,
  set: Partial<T>,
  c: Caller,
  events: (next: T) => OutboxEntry[],
  extraFilter: Record<string, unknown> = {},
): Promise<T> {
  const next: T = {
    ...current,
    ...set,
    version: current.version + 1,
    updatedAt: new Date(),
    updatedBy: c.actor.userId,
  };
  const outbox = events(next);
  const saved = await updateAtVersion(
    model,
    current._id,
    current.version,
    {
      $set: { ...set, version: next.version, updatedAt: next.updatedAt, updatedBy: next.updatedBy },
      ...(outbox.length ? { $push: { outbox: { $each: outbox } } } : {}),
    },
    extraFilter,
  );
  if (!saved) {
    const now = await model.findById(current._id, { version: 1 }).lean<{ version: number }>();
    throw new VersionMismatchError(current.version, now?.version ?? current.version);
  }
  return next;
}

/** Runs an internal read-modify-write again when a concurrent writer moved the version. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof VersionMismatchError) || i >= attempts) throw err;
    }
  }
}

export const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;

export function checkVersion(expected: number, actual: number): void {
  if (expected && expected !== actual) throw new VersionMismatchError(expected, actual);
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const pageLimit = (limit: number) => Math.min(Math.max(limit || 50, 1), 200);

export function encodeCursor(value: unknown, id: string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([v ?? null, id])).toString('base64url');
}

const badCursor = () =>
  new ValidationError([{ field: 'cursor', description: 'is not a cursor this API returned' }]);

/** The filter that continues a (field, _id) ordered list after the cursor's position. */
export function afterCursor(
  cursor: string,
  field: string,
  desc: boolean,
  isDate: boolean,
): Record<string, unknown> {
  let value: unknown, id: unknown;
  try {
    [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
  } catch {
    throw badCursor();
  }
  if (typeof id !== 'string' || (value !== null && typeof value === 'object')) throw badCursor();
  const v = isDate && typeof value === 'string' ? new Date(value) : value;
  if (v instanceof Date && Number.isNaN(v.getTime())) throw badCursor();
  const op = desc ? '$lt' : '$gt';
  return { $or: [{ [field]: { [op]: v } }, { [field]: v, _id: { [op]: id } }] };
}

/** An offset cursor, for lists that are ordered in memory (contacts in key-person order). */
export function decodeOffset(cursor: string): number {
  if (!cursor) return 0;
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o:/, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw badCursor();
  return n;
}
export const encodeOffset = (n: number) => Buffer.from(`o:${n}`).toString('base64url');

/** Which top-level fields differ (compared as JSON), for changed_fields of update events. */
export function changedFields<T extends object>(before: T, after: T, keys: (keyof T)[]): string[] {
  const snake = (f: string) => f.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
  return keys
    .filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))
    .map((k) => snake(String(k)));
}
