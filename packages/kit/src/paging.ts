import { ValidationError } from './errors';

/**
 * Cursor paging, one implementation for every list. A cursor is the (sort value, _id) of the last
 * item, base64url JSON: opaque to clients, and checked on the way back in so that a made-up cursor is
 * a 400 and never reaches the database as a bad cast.
 */

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** The page size asked for, within 1..200 (50 when not given). */
export const pageLimit = (limit: number | undefined) =>
  Math.min(Math.max(limit || DEFAULT_PAGE, 1), MAX_PAGE);

export function encodeCursor(value: unknown, id: string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([v ?? null, id])).toString('base64url');
}

const badCursor = () =>
  new ValidationError([{ field: 'cursor', description: 'is not a cursor this API returned' }]);

/** What kind of value the list is sorted by, so the cursor's value is checked against it. */
export type CursorKind = 'date' | 'number' | 'string';

/** Reads a cursor back: the sort value (typed by kind) and the _id; a 400 for anything else. */
export function decodeCursor(
  cursor: string,
  kind: CursorKind,
): { value: Date | number | string | null; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw badCursor();
  const [value, id] = parsed as [unknown, unknown];
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw badCursor();
  if (value === null) return { value: null, id };
  switch (kind) {
    case 'date': {
      const d = typeof value === 'string' ? new Date(value) : undefined;
      if (!d || Number.isNaN(d.getTime())) throw badCursor();
      return { value: d, id };
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw badCursor();
      return { value, id };
    case 'string':
      if (typeof value !== 'string') throw badCursor();
      return { value, id };
  }
}

/** The filter that continues a (field, _id) ordered list after the cursor's position. */
export function afterCursor(
  cursor: string,
  field: string,
  desc: boolean,
  kind: CursorKind,
): Record<string, unknown> {
  const { value, id } = decodeCursor(cursor, kind);
  const op = desc ? '$lt' : '$gt';
  return { $or: [{ [field]: { [op]: value } }, { [field]: value, _id: { [op]: id } }] };
}

/** The cursor of the page after `items` when the query fetched one more than the page size. */
export function nextCursorOf<T extends { _id: string }>(
  items: T[],
  limit: number,
  sortValue: (item: T) => unknown,
): { page: T[]; nextCursor: string } {
  if (items.length <= limit) return { page: items, nextCursor: '' };
  const page = items.slice(0, limit);
  const last = page[page.length - 1] as T;
  return { page, nextCursor: encodeCursor(sortValue(last), last._id) };
}

/** An offset cursor, for lists that are ordered in memory (contacts in key-person order). */
export function decodeOffset(cursor: string): number {
  if (!cursor) return 0;
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o:/, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw badCursor();
  return n;
}
export const encodeOffset = (n: number) => Buffer.from(`o:${n}`).toString('base64url');
