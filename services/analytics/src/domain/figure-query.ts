import { ValidationError, type FieldViolation } from '@crm/kit/domain';

export const PERIODS = ['day', 'week', 'month', 'quarter'] as const;
export type Period = (typeof PERIODS)[number];

/** Which records a figure counts; days are "yyyy-mm-dd" (UTC) and inclusive, empty for open-ended. */
export interface FigureQuery {
  from: string;
  to: string;
  period: Period | '';
  ownerId: string;
  teamId: string;
  pipelineId: string;
  /** Service figures: only tickets of this queue. */
  queue: string;
  /** Sales figures: only leads of this source and the deals converted from them (lower case). */
  source: string;
  /** Sales figures: only leads of this region and the deals converted from them (lower case). */
  region: string;
  /** '' for amounts in the currency they were recorded in; 'reporting' for the admin's reporting currency. */
  currency: '' | 'reporting';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (s: string) => DAY.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && dayIsReal(s);
const dayIsReal = (s: string) => new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/** Checks a query as it came in; throws ValidationError naming every bad field. */
export function normaliseQuery(raw: Partial<Record<keyof FigureQuery, string>>): FigureQuery {
  const violations: FieldViolation[] = [];
  const from = (raw.from ?? '').trim();
  const to = (raw.to ?? '').trim();
  const period = (raw.period ?? '').trim();
  if (from && !isDay(from)) violations.push({ field: 'from', description: 'must be a day yyyy-mm-dd' });
  if (to && !isDay(to)) violations.push({ field: 'to', description: 'must be a day yyyy-mm-dd' });
  if (from && to && isDay(from) && isDay(to) && from > to)
    violations.push({ field: 'to', description: 'must not be before from' });
  const currency = (raw.currency ?? '').trim().toLowerCase();
  if (currency && currency !== 'reporting')
    violations.push({ field: 'currency', description: 'must be "reporting" or left out' });
  if (period && !(PERIODS as readonly string[]).includes(period))
    violations.push({ field: 'period', description: `must be one of ${PERIODS.join(', ')}` });
  if (violations.length) throw new ValidationError(violations);
  return {
    from,
    to,
    period: period as Period | '',
    ownerId: (raw.ownerId ?? '').trim(),
    teamId: (raw.teamId ?? '').trim(),
    pipelineId: (raw.pipelineId ?? '').trim(),
    queue: (raw.queue ?? '').trim(),
    source: (raw.source ?? '').trim().toLowerCase(),
    region: (raw.region ?? '').trim().toLowerCase(),
    currency: currency as '' | 'reporting',
  };
}

/** The period a day falls in: "2026-12-01", ISO week "2026-W49", "2026-12", "2026-Q4"; '' without a period. */
export function periodOf(day: string, period: Period | ''): string {
  switch (period) {
    case '':
      return '';
    case 'day':
      return day;
    case 'month':
      return day.slice(0, 7);
    case 'quarter':
      return `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
    case 'week': {
      // ISO 8601: the week belongs to the year of its Thursday.
      const d = new Date(`${day}T00:00:00Z`);
      const weekday = (d.getUTCDay() + 6) % 7;
      d.setUTCDate(d.getUTCDate() - weekday + 3);
      const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
      const week = Math.floor((d.getTime() - yearStart) / 86_400_000 / 7) + 1;
      return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
    }
  }
}
