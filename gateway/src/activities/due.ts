/**
 * Time windows of the task lists: "due today" is the caller's calendar day in an IANA time zone (UTC by
 * default), "overdue" is anything due before now.
 */
export function dueWindow(due: 'today' | 'overdue', now: Date, timeZone = 'UTC'): { from?: Date; to: Date } {
  if (due === 'overdue') return { to: now };
  const from = startOfDay(now, timeZone);
  // The next local midnight: 26 hours later always lands in tomorrow, even across a DST change.
  const to = startOfDay(new Date(from.getTime() + 26 * 3600_000), timeZone);
  return { from, to };
}

/** True when the zone is one Intl knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The offset of a zone at an instant, in ms (local - UTC). */
function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return local - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of the local midnight that starts the day containing `at` in the zone. */
function startOfDay(at: Date, timeZone: string): Date {
  const local = new Date(at.getTime() + offsetMs(at, timeZone));
  const midnightLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  // Convert back with the offset valid at that midnight (it may differ from now's across DST).
  let guess = midnightLocal - offsetMs(at, timeZone);
  guess = midnightLocal - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}
