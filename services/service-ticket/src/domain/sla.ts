import { Violations } from '@crm/kit/domain';
import { DateTime, IANAZone } from 'luxon';
import { PRIORITIES } from './ticket';

/**
 * When support works: the days and hours in a time zone, minus holidays. Time-zone and daylight-saving
 * arithmetic is luxon's: a working day is "opensAt to closesAt, local time, that day".
 */
export interface BusinessCalendar {
  name: string;
  /** IANA zone, e.g. Asia/Shanghai. */
  timeZone: string;
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
  workingDays: number[];
  /** Local "HH:mm"; closesAt may be "24:00" (round the clock). */
  opensAt: string;
  closesAt: string;
  /** Local dates yyyy-mm-dd on which nobody works. */
  holidays: string[];
}

/** First-response and resolution targets, in business minutes, for a priority and an account tier. */
export interface SlaTarget {
  priority: string;
  /** Account tier (strategic, A, B, C); '' for any tier. */
  tier: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

export interface SlaPolicyInput {
  name: string;
  calendarId: string;
  /** A warning fires when this share of a target has passed. */
  warnAtPercent: number;
  targets: SlaTarget[];
}

export const TIERS = ['strategic', 'A', 'B', 'C'] as const;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_TARGET_MINUTES = 60 * 24 * 365;

export function normaliseCalendar(raw: BusinessCalendar): BusinessCalendar {
  const v = new Violations();
  const c: BusinessCalendar = {
    name: (raw.name ?? '').trim(),
    timeZone: (raw.timeZone ?? '').trim(),
    workingDays: [...new Set(raw.workingDays ?? [])].sort((a, b) => a - b),
    opensAt: (raw.opensAt ?? '').trim(),
    closesAt: (raw.closesAt ?? '').trim(),
    holidays: [...new Set((raw.holidays ?? []).map((d) => d.trim()))].sort(),
  };
  if (!c.name || c.name.length > 200) v.add('name', 'is required, at most 200 characters');
  if (!IANAZone.isValidZone(c.timeZone)) v.add('timeZone', 'must be an IANA time zone such as Asia/Shanghai');
  if (!c.workingDays.length || c.workingDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    v.add('workingDays', 'must name at least one ISO weekday, 1 (Monday) to 7 (Sunday)');
  if (!TIME.test(c.opensAt) || c.opensAt === '24:00') v.add('opensAt', 'must be a time HH:mm');
  if (!TIME.test(c.closesAt)) v.add('closesAt', 'must be a time HH:mm (24:00 for midnight)');
  else if (TIME.test(c.opensAt) && c.closesAt <= c.opensAt) v.add('closesAt', 'must be after opensAt');
  c.holidays.forEach((d, i) => {
    if (!DATE.test(d) || !DateTime.fromISO(d).isValid) v.add(`holidays[${i}]`, 'must be a date yyyy-mm-dd');
  });
  if (c.holidays.length > 1000) v.add('holidays', 'at most 1000');
  v.throwIfAny();
  return c;
}

export function normalisePolicy(raw: SlaPolicyInput): SlaPolicyInput {
  const v = new Violations();
  const p: SlaPolicyInput = {
    name: (raw.name ?? '').trim(),
    calendarId: (raw.calendarId ?? '').trim(),
    warnAtPercent: raw.warnAtPercent,
    targets: (raw.targets ?? []).map((t) => ({ ...t, priority: t.priority.trim(), tier: t.tier.trim() })),
  };
  if (!p.name || p.name.length > 200) v.add('name', 'is required, at most 200 characters');
  if (!p.calendarId) v.add('calendarId', 'is required');
  // 0: the service settings' default percentage.
  if (!Number.isInteger(p.warnAtPercent) || p.warnAtPercent < 0 || p.warnAtPercent > 99)
    v.add('warnAtPercent', 'must be a whole percentage from 1 to 99, or 0 for the service default');
  if (!p.targets.length) v.add('targets', 'at least one');
  const seen = new Set<string>();
  p.targets.forEach((t, i) => {
    if (!(PRIORITIES as readonly string[]).includes(t.priority))
      v.add(`targets[${i}].priority`, `must be one of ${PRIORITIES.join(', ')}`);
    if (t.tier && !(TIERS as readonly string[]).includes(t.tier))
      v.add(`targets[${i}].tier`, `must be one of ${TIERS.join(', ')}, or empty for any tier`);
    for (const f of ['firstResponseMinutes', 'resolutionMinutes'] as const)
      if (!Number.isInteger(t[f]) || t[f] < 1 || t[f] > MAX_TARGET_MINUTES)
        v.add(`targets[${i}].${f}`, 'must be a whole number of business minutes, at least 1');
    if (t.firstResponseMinutes > t.resolutionMinutes)
      v.add(`targets[${i}].resolutionMinutes`, 'must not be shorter than firstResponseMinutes');
    const key = `${t.priority}/${t.tier}`;
    if (seen.has(key)) v.add(`targets[${i}]`, `a second target for ${key}`);
    seen.add(key);
  });
  v.throwIfAny();
  return p;
}

/** The target for a priority and tier: the one naming the tier, else the one for any tier. */
export function targetFor(policy: SlaPolicyInput, priority: string, tier: string): SlaTarget | undefined {
  const ofPriority = policy.targets.filter((t) => t.priority === priority);
  return ofPriority.find((t) => t.tier === tier) ?? ofPriority.find((t) => t.tier === '');
}

const MINUTE_MS = 60_000;
/** Far enough for any target; a calendar always has a working day, so a window comes within a week + holidays. */
const MAX_DAYS = 3 * 366;

/** The working window of the local day that `day` falls in, or undefined on a day off. */
function windowOf(day: DateTime, cal: BusinessCalendar): [DateTime, DateTime] | undefined {
  if (!cal.workingDays.includes(day.weekday) || cal.holidays.includes(day.toISODate() ?? ''))
    return undefined;
  const at = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return h === 24
      ? day.startOf('day').plus({ days: 1 })
      : day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  };
  return [at(cal.opensAt), at(cal.closesAt)];
}

/** The moment `minutes` business minutes after `from` (minutes may be fractional). */
export function addBusinessMinutes(from: Date, minutes: number, cal: BusinessCalendar): Date {
  let left = Math.round(minutes * MINUTE_MS);
  let day = DateTime.fromJSDate(from, { zone: cal.timeZone });
  for (let i = 0; i < MAX_DAYS; i++) {
    const w = windowOf(day, cal);
    if (w) {
      const start = day > w[0] ? day : w[0];
      const free = w[1].toMillis() - start.toMillis();
      if (free > 0 && left <= free) return new Date(start.toMillis() + left);
      if (free > 0) left -= free;
    }
    day = day.startOf('day').plus({ days: 1 });
  }
  throw new Error(`no business time within ${MAX_DAYS} days in calendar ${cal.name}`);
}

/** Business minutes from `from` to `to`; negative when `to` is earlier. */
export function businessMinutesBetween(from: Date, to: Date, cal: BusinessCalendar): number {
  if (to < from) return -businessMinutesBetween(to, from, cal);
  const end = DateTime.fromJSDate(to, { zone: cal.timeZone });
  let day = DateTime.fromJSDate(from, { zone: cal.timeZone });
  let ms = 0;
  for (let i = 0; i < MAX_DAYS && day < end; i++) {
    const w = windowOf(day, cal);
    if (w) {
      const a = Math.max(day.toMillis(), w[0].toMillis());
      const b = Math.min(end.toMillis(), w[1].toMillis());
      if (b > a) ms += b - a;
    }
    day = day.startOf('day').plus({ days: 1 });
  }
  return ms / MINUTE_MS;
}
