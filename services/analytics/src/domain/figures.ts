import { periodOf, type FigureQuery } from './figure-query';
import type { LeadFact, OpportunityFact, PipelineFact, StageFact } from './facts';
import { ACTIVITY_KINDS, type ActivityFact, type ActivityKind } from './activity-facts';
import type { PaymentFact } from './payment-facts';

export interface FunnelStep {
  period: string;
  step: string;
  count: number;
  conversionRate: number;
  dropOff: number;
}

export interface PipelineRow {
  closePeriod: string;
  forecastCategory: string;
  currency: string;
  deals: number;
  amountMinor: number;
  weightedAmountMinor: number;
}

export interface Amount {
  currency: string;
  amountMinor: number;
}

export interface LeaderboardRow {
  ownerId: string;
  period: string;
  leads: number;
  leadsConverted: number;
  conversionRate: number;
  deals: number;
  dealsWon: number;
  won: Amount[];
  /** Money that arrived in the range on the rep's deals, per currency. */
  paymentsCollected: Amount[];
  /** Calls, visits and meetings that happened and tasks completed in the range, by kind. */
  activities: ActivityCount[];
}

export interface ActivityCount {
  kind: ActivityKind;
  count: number;
}

const stageIn = (pipeline: PipelineFact | undefined, key: string): StageFact | undefined =>
  pipeline?.stages.find((s) => s.key === key);

/** Won: its stage is the won stage of its pipeline. */
export const isWon = (o: OpportunityFact, pipelines: Map<string, PipelineFact>) =>
  stageIn(pipelines.get(o.pipelineId), o.stageKey)?.outcome === 'won';

export const ratio = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 10_000) / 10_000);

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

const sortedKeys = (...maps: Map<string, unknown>[]) =>
  [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();

/**
 * lead -> qualified -> converted -> opportunity -> each open stage of the pipeline -> won. Leads and
 * deals count in the period they were created in; a deal counts at a stage when it reached that stage or
 * a later one (a deal that skipped a stage still passed it).
 */
export function funnel(
  leads: LeadFact[],
  deals: OpportunityFact[],
  pipeline: PipelineFact,
  pipelines: Map<string, PipelineFact>,
  q: FigureQuery,
): FunnelStep[] {
  const inPipeline = deals.filter((d) => d.pipelineId === pipeline._id);
  const open = pipeline.stages.filter((s) => s.forecastCategory !== 'closed');
  const rank = new Map(pipeline.stages.map((s, i) => [s.key, s.outcome === 'lost' ? -1 : i]));
  const furthest = (d: OpportunityFact) => Math.max(-1, ...d.stagesReached.map((k) => rank.get(k) ?? -1));
  const leadsBy = groupBy(leads, (l) => periodOf(l.day, q.period));
  const dealsBy = groupBy(inPipeline, (d) => periodOf(d.day, q.period));
  const steps: FunnelStep[] = [];
  for (const period of sortedKeys(leadsBy, dealsBy)) {
    const ls = leadsBy.get(period) ?? [];
    const ds = dealsBy.get(period) ?? [];
    const counts: [string, number][] = [
      ['lead', ls.length],
      ['qualified', ls.filter((l) => l.qualified).length],
      ['converted', ls.filter((l) => l.converted).length],
      ['opportunity', ds.length],
      ...open.map((s, i): [string, number] => [`stage:${s.key}`, ds.filter((d) => furthest(d) >= i).length]),
      ['won', ds.filter((d) => isWon(d, pipelines)).length],
    ];
    counts.forEach(([step, count], i) => {
      const previous = i === 0 ? count : (counts[i - 1]?.[1] ?? 0);
      steps.push({
        period,
        step,
        count,
        conversionRate: i === 0 ? 1 : ratio(count, previous),
        dropOff: i === 0 ? 0 : previous - count,
      });
    });
  }
  return steps;
}

/** Open deals by expected close period (month unless the query names a period) and forecast category. */
export function pipelineFigures(
  deals: OpportunityFact[],
  pipelines: Map<string, PipelineFact>,
  q: FigureQuery,
): PipelineRow[] {
  const rows = new Map<string, PipelineRow>();
  for (const d of deals) {
    const stage = stageIn(pipelines.get(d.pipelineId), d.stageKey);
    if (!stage || stage.forecastCategory === 'closed') continue;
    const closePeriod = d.expectedCloseDate ? periodOf(d.expectedCloseDate, q.period || 'month') : 'none';
    const key = `${closePeriod}|${stage.forecastCategory}|${d.currency}`;
    const row = rows.get(key) ?? {
      closePeriod,
      forecastCategory: stage.forecastCategory,
      currency: d.currency,
      deals: 0,
      amountMinor: 0,
      weightedAmountMinor: 0,
    };
    row.deals += 1;
    row.amountMinor += d.amountMinor;
    row.weightedAmountMinor += Math.round((d.amountMinor * stage.winProbability) / 100);
    rows.set(key, row);
  }
  const order = ['pipeline', 'best-case', 'commit'];
  return [...rows.values()].sort(
    (a, b) =>
      (a.closePeriod === 'none' ? 1 : 0) - (b.closePeriod === 'none' ? 1 : 0) ||
      a.closePeriod.localeCompare(b.closePeriod) ||
      order.indexOf(a.forecastCategory) - order.indexOf(b.forecastCategory) ||
      a.currency.localeCompare(b.currency),
  );
}

/** Per rep (and period): leads, conversions, deals, deals won and the amount won per currency. */
function addAmount(amounts: Amount[], currency: string, amountMinor: number) {
  const amount = amounts.find((a) => a.currency === currency);
  if (amount) amount.amountMinor += amountMinor;
  else amounts.push({ currency, amountMinor });
}

export function leaderboard(
  leads: LeadFact[],
  deals: OpportunityFact[],
  pipelines: Map<string, PipelineFact>,
  q: FigureQuery,
  activities: ActivityFact[] = [],
  payments: PaymentFact[] = [],
): LeaderboardRow[] {
  const rows = new Map<string, LeaderboardRow>();
  const rowOf = (ownerId: string, day: string) => {
    const period = periodOf(day, q.period);
    const key = `${ownerId}|${period}`;
    const row = rows.get(key) ?? {
      ownerId,
      period,
      leads: 0,
      leadsConverted: 0,
      conversionRate: 0,
      deals: 0,
      dealsWon: 0,
      won: [],
      paymentsCollected: [],
      activities: [],
    };
    rows.set(key, row);
    return row;
  };
  for (const l of leads) {
    const row = rowOf(l.ownerId, l.day);
    row.leads += 1;
    if (l.converted) row.leadsConverted += 1;
  }
  for (const d of deals) {
    const row = rowOf(d.ownerId, d.day);
    row.deals += 1;
    if (!isWon(d, pipelines)) continue;
    row.dealsWon += 1;
    addAmount(row.won, d.currency, d.amountMinor);
  }
  for (const a of activities) {
    if (!a.day) continue; // a task not done yet
    const row = rowOf(a.ownerId, a.day);
    const count = row.activities.find((c) => c.kind === a.kind);
    if (count) count.count += 1;
    else row.activities.push({ kind: a.kind, count: 1 });
  }
  for (const p of payments) {
    const arrived = p.status === 'received' && !p.removed ? p.receivedDate : '';
    if (!arrived || (q.from && arrived < q.from) || (q.to && arrived > q.to)) continue;
    addAmount(rowOf(p.ownerId, arrived).paymentsCollected, p.currency, p.receivedAmountMinor);
  }
  const wonTotal = (r: LeaderboardRow) => r.won.reduce((s, a) => s + a.amountMinor, 0);
  return [...rows.values()]
    .map((r) => ({
      ...r,
      conversionRate: ratio(r.leadsConverted, r.leads),
      won: r.won.sort((a, b) => a.currency.localeCompare(b.currency)),
      paymentsCollected: r.paymentsCollected.sort((a, b) => a.currency.localeCompare(b.currency)),
      activities: r.activities.sort(
        (a, b) => ACTIVITY_KINDS.indexOf(a.kind) - ACTIVITY_KINDS.indexOf(b.kind),
      ),
    }))
    .sort(
      (a, b) =>
        a.period.localeCompare(b.period) ||
        wonTotal(b) - wonTotal(a) ||
        b.dealsWon - a.dealsWon ||
        b.leadsConverted - a.leadsConverted ||
        a.ownerId.localeCompare(b.ownerId),
    );
}
