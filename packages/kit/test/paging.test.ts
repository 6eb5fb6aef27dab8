import { ValidationError } from '../src/errors';
import {
  afterCursor,
  decodeCursor,
  decodeOffset,
  encodeCursor,
  encodeOffset,
  nextCursorOf,
  pageLimit,
} from '../src/paging';

const raw = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('cursor paging', () => {
  it('continues after the last item of a date-sorted page', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const filter = afterCursor(encodeCursor(at, 'lead-1'), 'createdAt', true, 'date');
    expect(filter).toEqual({ $or: [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: 'lead-1' } }] });
  });

  it.each([
    ['not base64 JSON', 'abc'],
    ['not a pair', raw({ a: 1 })],
    ['an invalid date', raw(['not-a-date', 'x'])],
    ['an object as value', raw([{ $gt: '' }, 'x'])],
    ['a missing id', raw(['2026-01-01T00:00:00Z', 7])],
  ])('refuses %s with a 400 naming the cursor', (_what, cursor) => {
    expect(() => afterCursor(cursor, 'createdAt', true, 'date')).toThrow(ValidationError);
  });

  it('refuses a number that is not finite (1e400 parses to Infinity)', () => {
    const cursor = Buffer.from('[1e400,"x"]').toString('base64url');
    expect(() => decodeCursor(cursor, 'number')).toThrow(ValidationError);
    expect(decodeCursor(encodeCursor(42, 'x'), 'number')).toEqual({ value: 42, id: 'x' });
  });

  it('keeps a null sort value (records without the field sort first)', () => {
    expect(decodeCursor(encodeCursor(undefined, 'x'), 'string')).toEqual({ value: null, id: 'x' });
  });

  it('bounds the page size to 1..200 with 50 by default', () => {
    expect([pageLimit(undefined), pageLimit(0), pageLimit(7), pageLimit(5000), pageLimit(-3)]).toEqual([
      50, 50, 7, 200, 1,
    ]);
  });

  it('gives a next cursor only when there is more', () => {
    const items = [
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
      { _id: 'c', n: 3 },
    ];
    expect(nextCursorOf(items, 3, (i) => i.n).nextCursor).toBe('');
    const { page, nextCursor } = nextCursorOf(items, 2, (i) => i.n);
    expect(page.map((i) => i._id)).toEqual(['a', 'b']);
    expect(decodeCursor(nextCursor, 'number')).toEqual({ value: 2, id: 'b' });
  });

  it('round-trips offsets and refuses negative ones', () => {
    expect(decodeOffset(encodeOffset(40))).toBe(40);
    expect(decodeOffset('')).toBe(0);
    expect(() => decodeOffset(Buffer.from('o:-1').toString('base64url'))).toThrow(ValidationError);
  });
});
