import { RFM_SEGMENTS, type RfmSegment } from '@crm/kit/domain';
import type { FigureQuery } from './figure-query';

/**
 * RFM: how recently, how often and for how much each account bought, scored 1-5 against the other
 * accounts in the answer (quintiles by rank: 5 is the most recent, the most frequent, the largest),
 * and the segment the three scores put it in. Recency is from the last won deal or the last payment
 * that arrived, whichever is later; frequency and monetary count the deals won in the range.
 */
export interface RfmDeal {
  accountId: string;
  closedDay: string;
  amountMinor: number;
  currency: string;
}

export interface RfmPayment {
  accountId: string;
  receivedDate: string;
}

/** The segments, best first (one list with the account service's tier rules, in kit). */
export const SEGMENTS = RFM_SEGMENTS;
export type Segment = RfmSegment;

export interface RfmRow {
  accountId: string;
  /** The later of the last win and the last payment, "yyyy-mm-dd". */
  lastPurchaseDay: string;
  recencyDays: number;
  frequency: number;
  monetaryMinor: number;
  currency: string;
  recencyScore: number;
  frequencyScore: number;
  monetaryScore: number;
  segment: Segment;
}

export interface AccountRfm {
  asOf: string;
  /** The currency monetary is in (the reporting currency, or the one currency the deals were won in). */
  currency: string;
  rows: RfmRow[];
  segments: { segment: Segment; accounts: number }[];
}

/**
 * The segment of a score triple; the order of the rules matters (the first that holds). A new customer
 * is one whose only won deal is recent: scores are relative, so that is told by the count itself.
 */
export function segmentOf(r: number, f: number, m: number, dealsWon: number): Segment {
  const fm = (f + m) / 2;
  if (r >= 4 && fm >= 4) return 'champions';
  if (r >= 3 && fm >= 3.5) return 'loyal';
  if (r >= 3 && dealsWon === 1) return 'new-customers';
  if (r >= 3 && fm >= 2) return 'potential-loyalists';
  if (r <= 2 && fm >= 4) return 'cannot-lose';
  if (r <= 2 && fm >= 2.5) return 'at-risk';
  if (r <= 2) return 'hibernating';
  return 'needs-attention';
}

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * Scores 1-5 by the middle of a value's ranks among `values` (higher is better): equal values share a
 * score, so two accounts alike are never scored apart, and a lone account scores 3, not 1 or 5.
 */
function quintiles(values: number[]): (v: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  /** How many values are below v (or, with `orEqual`, at most v): a binary search. */
  const count = (v: number, orEqual: boolean) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v || (orEqual && sorted[mid] === v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (v) => {
    const worse = count(v, false);
    const equal = count(v, true) - worse;
    return Math.min(5, Math.floor(((worse + equal / 2) / n) * 5) + 1);
  };
}

/**
 * RFM of the accounts with a deal won in the range (from/to on the close day, `today` when no `to`).
 * Deals must be in one currency already (the caller converts them into the reporting currency); a
 * deal in another currency is left out of monetary and frequency, and counted in `skipped`.
 */
export function accountRfm(
  deals: RfmDeal[],
  payments: RfmPayment[],
  currency: string,
  q: Pick<FigureQuery, 'from' | 'to'>,
  today: string,
): AccountRfm & { skipped: number } {
  const asOf = q.to && q.to < today ? q.to : today;
  const inRange = (day: string) => !!day && (!q.from || day >= q.from) && day <= asOf;
  const byAccount = new Map<string, { last: string; frequency: number; monetary: number }>();
  let skipped = 0;
  for (const d of deals) {
    if (!d.accountId || !inRange(d.closedDay)) continue;
    if (d.currency !== currency) {
      skipped += 1;
      continue;
    }
    const a = byAccount.get(d.accountId) ?? { last: '', frequency: 0, monetary: 0 };
    a.frequency += 1;
    a.monetary += d.amountMinor;
    if (d.closedDay > a.last) a.last = d.closedDay;
    byAccount.set(d.accountId, a);
  }
  for (const p of payments) {
    const a = byAccount.get(p.accountId);
    if (a && inRange(p.receivedDate) && p.receivedDate > a.last) a.last = p.receivedDate;
  }
  const accounts = [...byAccount.entries()];
  const recency = quintiles(accounts.map(([, a]) => -daysBetween(a.last, asOf)));
  const frequency = quintiles(accounts.map(([, a]) => a.frequency));
  const monetary = quintiles(accounts.map(([, a]) => a.monetary));
  const rows: RfmRow[] = accounts.map(([accountId, a]) => {
    const recencyDays = daysBetween(a.last, asOf);
    const r = recency(-recencyDays);
    const f = frequency(a.frequency);
    const m = monetary(a.monetary);
    return {
      accountId,
      lastPurchaseDay: a.last,
      recencyDays,
      frequency: a.frequency,
      monetaryMinor: a.monetary,
      currency,
      recencyScore: r,
      frequencyScore: f,
      monetaryScore: m,
      segment: segmentOf(r, f, m, a.frequency),
    };
  });
  rows.sort(
    (x, y) =>
      SEGMENTS.indexOf(x.segment) - SEGMENTS.indexOf(y.segment) ||
      y.monetaryMinor - x.monetaryMinor ||
      x.accountId.localeCompare(y.accountId),
  );
  const segments = SEGMENTS.map((segment) => ({
    segment,
    accounts: rows.filter((r) => r.segment === segment).length,
  })).filter((s) => s.accounts > 0);
  return { asOf, currency, rows, segments, skipped };
}
