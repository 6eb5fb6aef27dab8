const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/i;

export interface ParsedDate {
  /** What is stored: `yyyy-mm-dd` as given, or a date-time normalised to UTC (`toISOString()`). */
  value: string;
  /** Milliseconds since the epoch (a date is its UTC midnight), for min/max. */
  time: number;
  dateOnly: boolean;
}

const validDay = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/** An ISO 8601 calendar date (`yyyy-mm-dd`) or a date-time with an offset (`2024-05-01T09:30:00+02:00`). */
export function parseDate(s: string): ParsedDate | undefined {
  const d = DATE.exec(s);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    if (!validDay(y, m, day)) return undefined;
    return { value: s, time: Date.UTC(y, m - 1, day), dateOnly: true };
  }
  const t = DATE_TIME.exec(s);
  if (!t) return undefined;
  const [y, m, day, h, min, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(t[i] ?? 0)) as number[];
  if (!validDay(y!, m!, day!) || h! > 23 || min! > 59 || sec! > 59) return undefined;
  if (t[8] !== undefined && (Number(t[8]) > 23 || Number(t[9]) > 59)) return undefined;
  const time = Date.parse(s);
  if (Number.isNaN(time)) return undefined;
  return { value: new Date(time).toISOString(), time, dateOnly: false };
}

/** The day after a `yyyy-mm-dd` date, as `yyyy-mm-dd`. */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
