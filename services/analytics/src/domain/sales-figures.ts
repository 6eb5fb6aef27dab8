import { periodOf, type FigureQuery } from './figure-query';
import type { OpportunityFact, PipelineFact, QuoteFact } from './facts';
import { groupBy, ratio } from './figures';

export interface WinRateRow {
  period: string;
  closed: number;
  won: number;
  lost: number;
  winRate: number;
}

export interface CountRow {
  key: string;
  deals: number;
}

export interface WinRate {
  rows: WinRateRow[];
  lossReasons: CountRow[];
  competitors: CountRow[];
}

export interface CycleRow {
  period: string;
  outcome: 'won' | 'lost';
  deals: number;
  averageDays: number;
  medianDays: number;
}

export interface StageVelocityRow {
  stage: string;
  stays: number;
  averageDays: number;
  medianDays: number;
}

export interface SalesCycle {
  rows: CycleRow[];
  stages: StageVelocityRow[];
}

export interface ForecastRow {
  closePeriod: string;
  forecastCategory: string;
  ownerId: string;
  teamId: string;
  currency: string;
  deals: number;
  amountMinor: number;
  weightedAmountMinor: number;
}

export interface ProductRow {
  period: string;
  productId: string;
  productCode: string;
  productName: string;
  currency: string;
  deals: number;
  /** Units sold, up to 3 decimals. */
  quantity: number;
  revenueMinor: number;
}

const inRange = (day: string, q: FigureQuery) =>
  !!day && (!q.from || day >= q.from) && (!q.to || day <= q.to);

/** Deals won or lost on a day of the query's range. */
export const closedIn = (deals: OpportunityFact[], q: FigureQuery) =>
  deals.filter((d) => (d.status === 'won' || d.status === 'lost') && inRange(d.closedDay, q));

const round2 = (n: number) => Math.round(n * 100) / 100;
const average = (ns: number[]) => (ns.length ? round2(ns.reduce((s, n) => s + n, 0) / ns.length) : 0);
export function median(ns: number[]): number {
  if (!ns.length) return 0;
  const sorted = [...ns].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round2(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
}

const counted = (keys: string[]): CountRow[] =>
  [...groupBy(keys, (k) => k)]
    .map(([key, ks]) => ({ key, deals: ks.length }))
    .sort((a, b) => b.deals - a.deals || a.key.localeCompare(b.key));

/** Of the deals closed in the range: won, lost and the win rate per period; why and to whom they were lost. */
export function winRate(deals: OpportunityFact[], q: FigureQuery): WinRate {
  const closed = closedIn(deals, q);
  const rows = [...groupBy(closed, (d) => periodOf(d.closedDay, q.period))]
    .map(([period, ds]) => {
      const won = ds.filter((d) => d.status === 'won').length;
      return { period, closed: ds.length, won, lost: ds.length - won, winRate: ratio(won, ds.length) };
    })
    .sort((a, b) => a.period.localeCompare(b.period));
  const lost = closed.filter((d) => d.status === 'lost');
  return {
    rows,
    lossReasons: counted(lost.map((d) => d.lossReason || 'none')),
    competitors: counted(lost.filter((d) => d.competitor).map((d) => d.competitor.trim())),
  };
}

/**
 * Days from creation to close of the deals closed in the range, won and lost apart; and how long deals
 * stayed in each stage, for the stays that ended in the range (stage velocity), in the pipeline's order.
 */
export function salesCycle(deals: OpportunityFact[], pipeline: PipelineFact, q: FigureQuery): SalesCycle {
  const closed = closedIn(deals, q);
  const rows = [...groupBy(closed, (d) => `${periodOf(d.closedDay, q.period)}|${d.status}`)]
    .map(([key, ds]): CycleRow => {
      const days = ds.map((d) => d.daysToClose);
      return {
        period: key.split('|')[0]!,
        outcome: ds[0]!.status as 'won' | 'lost',
        deals: ds.length,
        averageDays: average(days),
        medianDays: median(days),
      };
    })
    .sort((a, b) => a.period.localeCompare(b.period) || b.outcome.localeCompare(a.outcome));
  const stays = deals
    .filter((d) => d.status !== 'discarded' && d.pipelineId === pipeline._id)
    .flatMap((d) => d.stays.filter((s) => inRange(s.leftDay, q)));
  const order = (stage: string) => {
    const i = pipeline.stages.findIndex((s) => s.key === stage);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const stages = [...groupBy(stays, (s) => s.stage)]
    .map(([stage, ss]) => {
      const days = ss.map((s) => s.days);
      return { stage, stays: ss.length, averageDays: average(days), medianDays: median(days) };
    })
    .sort((a, b) => order(a.stage) - order(b.stage) || a.stage.localeCompare(b.stage));
  return { rows, stages };
}

/**
 * Open deals by expected close period and forecast category with their probability-weighted amount,
 * and the deals won in each period (category "closed", weighted at their full amount), per owner, team
 * and currency. `from`/`to` bound the expected close day of an open deal and the close day of a won one.
 */
export function forecast(
  deals: OpportunityFact[],
  pipelines: Map<string, PipelineFact>,
  q: FigureQuery,
): ForecastRow[] {
  const rows = new Map<string, ForecastRow>();
  const add = (d: OpportunityFact, day: string, category: string, probability: number) => {
    const closePeriod = day ? periodOf(day, q.period || 'month') : 'none';
    const key = [closePeriod, category, d.ownerId, d.teamId, d.currency].join('|');
    const row = rows.get(key) ?? {
      closePeriod,
      forecastCategory: category,
      ownerId: d.ownerId,
      teamId: d.teamId,
      currency: d.currency,
      deals: 0,
      amountMinor: 0,
      weightedAmountMinor: 0,
    };
    row.deals += 1;
    row.amountMinor += d.amountMinor;
    row.weightedAmountMinor += Math.round((d.amountMinor * probability) / 100);
    rows.set(key, row);
  };
  for (const d of deals) {
    if (d.status === 'won' && inRange(d.closedDay, q)) add(d, d.closedDay, 'closed', 100);
    if (d.status !== 'open') continue;
    const stage = pipelines.get(d.pipelineId)?.stages.find((s) => s.key === d.stageKey);
    if (!stage || stage.forecastCategory === 'closed') continue;
    const bounded = q.from || q.to;
    if (bounded && !inRange(d.expectedCloseDate, q)) continue;
    add(d, d.expectedCloseDate, stage.forecastCategory, stage.winProbability);
  }
  const order = ['pipeline', 'best-case', 'commit', 'closed'];
  return [...rows.values()].sort(
    (a, b) =>
      (a.closePeriod === 'none' ? 1 : 0) - (b.closePeriod === 'none' ? 1 : 0) ||
      a.closePeriod.localeCompare(b.closePeriod) ||
      order.indexOf(a.forecastCategory) - order.indexOf(b.forecastCategory) ||
      a.ownerId.localeCompare(b.ownerId) ||
      a.teamId.localeCompare(b.teamId) ||
      a.currency.localeCompare(b.currency),
  );
}

/** The quote a won deal was won on: its newest sent revision; none when no quote was sent. */
export function acceptedQuote(quotes: QuoteFact[]): QuoteFact | undefined {
  return quotes
    .filter((x) => x.status === 'sent')
    .sort((a, b) => b.revision - a.revision || a._id.localeCompare(b._id))[0];
}

/** Revenue (net of discounts, before tax) and quantity by product and period of the win, from accepted quotes. */
export function products(deals: OpportunityFact[], quotes: QuoteFact[], q: FigureQuery): ProductRow[] {
  const quotesOf = groupBy(quotes, (x) => x.opportunityId);
  const won = closedIn(deals, q)
    .filter((d) => d.status === 'won')
    .sort((a, b) => a.closedDay.localeCompare(b.closedDay) || a._id.localeCompare(b._id));
  const rows = new Map<string, ProductRow & { quantityMilli: number; dealIds: Set<string> }>();
  for (const d of won) {
    const quote = acceptedQuote(quotesOf.get(d._id) ?? []);
    for (const line of quote?.lines ?? []) {
      const period = periodOf(d.closedDay, q.period);
      const key = `${period}|${line.productId}|${quote!.currency}`;
      const row = rows.get(key) ?? {
        period,
        productId: line.productId,
        productCode: line.productCode,
        productName: line.productName,
        currency: quote!.currency,
        deals: 0,
        quantity: 0,
        revenueMinor: 0,
        quantityMilli: 0,
        dealIds: new Set<string>(),
      };
      // The newest name and code of the product, as the latest win wrote it.
      row.productCode = line.productCode;
      row.productName = line.productName;
      row.dealIds.add(d._id);
      row.quantityMilli += line.quantityMilli;
      row.revenueMinor += line.netMinor;
      rows.set(key, row);
    }
  }
  return [...rows.values()]
    .map(({ quantityMilli, dealIds, ...r }) => ({
      ...r,
      deals: dealIds.size,
      quantity: quantityMilli / 1000,
    }))
    .sort(
      (a, b) =>
        a.period.localeCompare(b.period) ||
        b.revenueMinor - a.revenueMinor ||
        a.productId.localeCompare(b.productId) ||
        a.currency.localeCompare(b.currency),
    );
}
