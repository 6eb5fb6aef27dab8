import type { components } from '../api/schema.gen';

type BacklogRow = components['schemas']['BacklogRow'];
type SlaRow = components['schemas']['SlaRow'];
type CsatRow = components['schemas']['CsatRow'];

export const PERIODS = ['day', 'week', 'month', 'quarter'] as const;
export type Period = (typeof PERIODS)[number];
export const BACKLOG_STATUSES = ['new', 'open', 'pending'] as const;
export type BacklogStatus = (typeof BACKLOG_STATUSES)[number];

/** The support dashboard's filters, as its URL carries them (so a view can be bookmarked and shared). */
export interface SupportFilters {
  from?: string;
  to?: string;
  period: Period;
  queue?: string;
  /** Only the caller's own tickets (`owner=me`). */
  mine: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
// The API's id rule: a hand-edited link with anything else would only earn a 400 for every panel.
const KEY = /^[\w.:-]{1,64}$/;

/** The filters of a dashboard URL; what the API would refuse is left out rather than shown as an error. */
export function supportFiltersFrom(params: URLSearchParams): SupportFilters {
  const period = params.get('period');
  const valid = (value: string | null, rule: RegExp) => (value && rule.test(value) ? value : undefined);
  return {
    from: valid(params.get('from'), DAY),
    to: valid(params.get('to'), DAY),
    period: PERIODS.includes(period as Period) ? (period as Period) : 'month',
    queue: valid(params.get('queue'), KEY),
    mine: params.get('owner') === 'me',
  };
}

/** The URL query of the filters (the default period left out), the inverse of supportFiltersFrom. */
export function supportFiltersQuery(filters: SupportFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (filters.period !== 'month') params.set('period', filters.period);
  if (filters.queue) params.set('queue', filters.queue);
  if (filters.mine) params.set('owner', 'me');
  return params;
}

/** The API query of the filters (without `period`: each panel says whether it groups by it). */
export function figureQuery(filters: SupportFilters): {
  from?: string;
  to?: string;
  queue?: string;
  owner?: string;
} {
  return {
    from: filters.from,
    to: filters.to,
    queue: filters.queue,
    owner: filters.mine ? 'me' : undefined,
  };
}

/** Where a backlog bar leads: the queue page showing that queue's tickets (of that status). */
export function ticketsBehind(behind: { queue?: string; status?: string; priority?: string }): string {
  const params = new URLSearchParams({ view: 'queues' });
  if (behind.queue) params.set('queue', behind.queue);
  if (behind.status) params.set('status', behind.status);
  if (behind.priority) params.set('priority', behind.priority);
  return `/queue?${params.toString()}`;
}

export interface BacklogBar {
  queue: string;
  new: number;
  open: number;
  pending: number;
  total: number;
  unassigned: number;
}

/** One bar per queue, stacked by status; the fullest queue first. */
export function backlogByQueue(rows: BacklogRow[]): BacklogBar[] {
  const bars = new Map<string, BacklogBar>();
  for (const r of rows) {
    const bar = bars.get(r.queue) ?? { queue: r.queue, new: 0, open: 0, pending: 0, total: 0, unassigned: 0 };
    bar[r.status] += r.tickets;
    bar.total += r.tickets;
    bar.unassigned += r.unassigned;
    bars.set(r.queue, bar);
  }
  return [...bars.values()].sort((a, b) => b.total - a.total || a.queue.localeCompare(b.queue));
}

/** Open tickets per priority, for the backlog's summary line. */
export function backlogByPriority(rows: BacklogRow[]): { priority: string; tickets: number }[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.priority, (counts.get(r.priority) ?? 0) + r.tickets);
  return [...counts].map(([priority, tickets]) => ({ priority, tickets }));
}

export interface SlaTotals {
  tickets: number;
  firstResponseMet: number;
  firstResponseBreached: number;
  /** met / (met + breached); null when no first-response target has ended yet. */
  firstResponseCompliance: number | null;
  resolutionMet: number;
  resolutionBreached: number;
  resolutionCompliance: number | null;
}

/** Met and breached add up across periods and queues; compliance is computed again from the sums. */
function slaTotals(rows: SlaRow[]): SlaTotals {
  const sum = (pick: (r: SlaRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
  const firstResponseMet = sum((r) => r.firstResponseMet);
  const firstResponseBreached = sum((r) => r.firstResponseBreached);
  const resolutionMet = sum((r) => r.resolutionMet);
  const resolutionBreached = sum((r) => r.resolutionBreached);
  return {
    tickets: sum((r) => r.tickets),
    firstResponseMet,
    firstResponseBreached,
    firstResponseCompliance: rate(firstResponseMet, firstResponseMet + firstResponseBreached),
    resolutionMet,
    resolutionBreached,
    resolutionCompliance: rate(resolutionMet, resolutionMet + resolutionBreached),
  };
}

export const slaOverall = (rows: SlaRow[]): SlaTotals => slaTotals(rows);

/** SLA compliance per queue over the whole range. */
export function slaByQueue(rows: SlaRow[]): ({ queue: string } & SlaTotals)[] {
  return [...groupBy(rows, (r) => r.queue)]
    .map(([queue, of]) => ({ queue, ...slaTotals(of) }))
    .sort((a, b) => a.queue.localeCompare(b.queue));
}

/** Compliance per period (all queues together), oldest first, as percentages for the chart. */
export function slaTrend(
  rows: SlaRow[],
): { period: string; firstResponse: number | null; resolution: number | null }[] {
  return [...groupBy(rows, (r) => r.period ?? '')]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, of]) => {
      const t = slaTotals(of);
      return {
        period,
        firstResponse: asPercent(t.firstResponseCompliance),
        resolution: asPercent(t.resolutionCompliance),
      };
    });
}

/** The average satisfaction per period (every answer, dimension "all"), oldest first. */
export function csatTrend(rows: CsatRow[]): { period: string; average: number; rated: number }[] {
  return rows
    .filter((r) => r.dimension === 'all' && r.rated > 0)
    .map((r) => ({ period: r.period ?? '', average: round(r.average, 2), rated: r.rated }))
    .sort((a, b) => a.period.localeCompare(b.period));
}

/** How many answers gave each score 1..5 over the whole range. */
export function csatDistribution(rows: CsatRow[]): { score: number; answers: number }[] {
  const answers = [0, 0, 0, 0, 0];
  for (const r of rows.filter((x) => x.dimension === 'all'))
    r.distribution.forEach((n, i) => {
      if (i < answers.length) answers[i]! += n;
    });
  return answers.map((n, i) => ({ score: i + 1, answers: n }));
}

/**
 * The satisfaction per queue, account tier or agent over the whole range; the average is computed from
 * the summed distribution (an average of period averages would weigh a quiet period like a busy one).
 */
export function csatBy(
  rows: CsatRow[],
  dimension: 'agent' | 'queue' | 'tier',
): { key: string; rated: number; average: number | null }[] {
  return [
    ...groupBy(
      rows.filter((r) => r.dimension === dimension),
      (r) => r.key,
    ),
  ]
    .map(([key, of]) => {
      const scores = csatDistribution(of.map((r) => ({ ...r, dimension: 'all' })));
      const rated = scores.reduce((n, s) => n + s.answers, 0);
      const total = scores.reduce((n, s) => n + s.score * s.answers, 0);
      return { key, rated, average: rated === 0 ? null : round(total / rated, 2) };
    })
    .sort((a, b) => b.rated - a.rated || a.key.localeCompare(b.key));
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const asPercent = (r: number | null): number | null => (r === null ? null : round(r * 100, 1));
const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** A duration in the unit a reader takes in at a glance: minutes below an hour, days from two days on. */
export function readableDuration(minutes: number): { unit: 'minutes' | 'hours' | 'days'; value: number } {
  if (minutes < 60) return { unit: 'minutes', value: Math.round(minutes) };
  if (minutes < 48 * 60) return { unit: 'hours', value: round(minutes / 60, 1) };
  return { unit: 'days', value: round(minutes / (24 * 60), 1) };
}
