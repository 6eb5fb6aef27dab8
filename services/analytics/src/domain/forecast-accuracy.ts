import { type OpportunityFact, type PipelineFact, termsAt } from './facts';
import { type FigureQuery, periodOf, type Period } from './figure-query';

/**
 * Forecast accuracy: what was committed at the start of a period against what closed in it. A deal
 * counts as committed for a period when, on the period's first day, it existed, was open, stood in a
 * stage of forecast category "commit", and its expected close day as it stood that day falls in the
 * period, for the amount it stood at that day. Stage, close day and amount come from the deal's
 * history, so a deal that slipped counts as committed in each period it was committed for.
 */
export interface AccuracyRow {
  period: string;
  currency: string;
  committedDeals: number;
  committedMinor: number;
  /** Of the committed deals, those won within the period. */
  wonFromCommitDeals: number;
  wonFromCommitMinor: number;
  /** Every deal won in the period, committed or not. */
  wonDeals: number;
  wonMinor: number;
  /** wonFromCommitMinor / committedMinor (0..1); 0 with nothing committed. */
  accuracy: number;
}

/** The first day of a period as periodOf names it ("2026-12", "2026-Q4", "2026-W49", a day). */
export function periodStart(period: string, kind: Period): string {
  switch (kind) {
    case 'day':
      return period;
    case 'month':
      return `${period}-01`;
    case 'quarter': {
      const [year, q] = period.split('-Q');
      return `${year}-${String((Number(q) - 1) * 3 + 1).padStart(2, '0')}-01`;
    }
    case 'week': {
      // ISO week 1 holds 4 January; its Monday, plus the weeks before this one.
      const [year, w] = period.split('-W');
      const jan4 = new Date(Date.UTC(Number(year), 0, 4));
      const monday = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000;
      return new Date(monday + (Number(w) - 1) * 7 * 86_400_000).toISOString().slice(0, 10);
    }
  }
}

/** The stage a deal stood in at the start of a day, from the stays it has left. */
export function stageAt(d: Pick<OpportunityFact, 'stays' | 'stageKey'>, day: string): string {
  return d.stays.find((s) => s.leftDay >= day)?.stage ?? d.stageKey;
}

export function forecastAccuracy(
  deals: OpportunityFact[],
  pipelines: Map<string, PipelineFact>,
  q: FigureQuery,
  today: string,
): AccuracyRow[] {
  const kind: Period = q.period || 'month';
  const rows = new Map<string, AccuracyRow>();
  const rowOf = (period: string, currency: string) => {
    const key = `${period}|${currency}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        period,
        currency,
        committedDeals: 0,
        committedMinor: 0,
        wonFromCommitDeals: 0,
        wonFromCommitMinor: 0,
        wonDeals: 0,
        wonMinor: 0,
        accuracy: 0,
      };
      rows.set(key, r);
    }
    return r;
  };
  // A period counts once it has begun, and when its first day is in the query's range.
  const counts = (start: string) =>
    start <= today && (!q.from || start >= q.from) && (!q.to || start <= q.to);
  for (const d of deals) {
    const wonPeriod = d.status === 'won' && d.closedDay ? periodOf(d.closedDay, kind) : '';
    if (wonPeriod && counts(periodStart(wonPeriod, kind))) {
      const r = rowOf(wonPeriod, d.currency);
      r.wonDeals += 1;
      r.wonMinor += d.amountMinor;
    }
    // Every period the deal was ever expected to close in is a candidate; its terms on the period's
    // first day decide whether it was committed for it.
    const expected = [d.expectedCloseDate, ...(d.earlier ?? []).map((t) => t.expectedCloseDate)];
    for (const period of new Set(expected.filter(Boolean).map((day) => periodOf(day, kind)))) {
      const start = periodStart(period, kind);
      if (!counts(start)) continue;
      const then = termsAt(d, start);
      if (!then.expectedCloseDate || periodOf(then.expectedCloseDate, kind) !== period) continue;
      const openThen = d.day <= start && (!d.closedDay || d.closedDay >= start);
      const stage = pipelines.get(d.pipelineId)?.stages.find((s) => s.key === stageAt(d, start));
      if (!openThen || stage?.forecastCategory !== 'commit') continue;
      const r = rowOf(period, then.currency);
      r.committedDeals += 1;
      r.committedMinor += then.amountMinor;
      if (wonPeriod === period) {
        r.wonFromCommitDeals += 1;
        // What it was won for, in the currency it was committed in.
        if (d.currency === then.currency) r.wonFromCommitMinor += d.amountMinor;
      }
    }
  }
  return [...rows.values()]
    .map((r) => ({
      ...r,
      accuracy: r.committedMinor
        ? Math.round((r.wonFromCommitMinor / r.committedMinor) * 10_000) / 10_000
        : 0,
    }))
    .sort((a, b) => a.period.localeCompare(b.period) || a.currency.localeCompare(b.currency));
}
