import type { Applied } from './facts';
import { periodOf, type FigureQuery } from './figure-query';

/**
 * One payment milestone of a deal, as its last event carried it. `day` is the due day, so the facts
 * filter like every other (owner, team, visibility) and a figure reads them whole.
 */
export interface PaymentFact {
  _id: string;
  version: number;
  day: string;
  opportunityId: string;
  accountId: string;
  ownerId: string;
  teamId: string;
  currency: string;
  amountMinor: number;
  /** "planned", "pending-approval" or "received". */
  status: string;
  /** "yyyy-mm-dd" the money arrived; empty until a receipt stands. */
  receivedDate: string;
  receivedAmountMinor: number;
  /** A removed milestone is neither due nor overdue. */
  removed: boolean;
  eventAt: Date;
  appliedAt: Date;
}

export type PaymentSnapshot = Omit<PaymentFact, '_id' | 'version' | 'eventAt' | 'appliedAt'>;

export function applyPaymentSnapshot(e: Applied, p: PaymentSnapshot): PaymentFact {
  return { _id: e.id, version: e.version, eventAt: e.eventAt, appliedAt: e.appliedAt, ...p };
}

export interface PaymentRow {
  period: string;
  currency: string;
  /** Milestones due in the period, and their amount. */
  due: number;
  dueMinor: number;
  /** Receipts that arrived in the period, and what arrived. */
  collected: number;
  collectedMinor: number;
}

/** Days past due, in the buckets collections teams chase by. */
export const AGEING_BUCKETS = ['1-30', '31-60', '61-90', '90+'] as const;
export type AgeingBucket = (typeof AGEING_BUCKETS)[number];

export interface OverdueRow {
  currency: string;
  bucket: AgeingBucket;
  milestones: number;
  amountMinor: number;
}

export interface PaymentFigures {
  /** The day overdue is counted at ("yyyy-mm-dd"). */
  asOf: string;
  rows: PaymentRow[];
  overdue: OverdueRow[];
}

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

const bucketOf = (daysLate: number): AgeingBucket =>
  daysLate <= 30 ? '1-30' : daysLate <= 60 ? '31-60' : daysLate <= 90 ? '61-90' : '90+';

const inRange = (day: string, q: Pick<FigureQuery, 'from' | 'to'>) =>
  !!day && (!q.from || day >= q.from) && (!q.to || day <= q.to);

/**
 * Collected vs due by period (month unless the query names one): a milestone counts as due in the
 * period of its due day and as collected in the period its money arrived, each within from/to. Overdue
 * and its ageing are as of `asOf` (the query's `to` when it is earlier than today): every milestone
 * due before that day whose money had not arrived by then, whatever the range.
 */
export function paymentFigures(facts: PaymentFact[], q: FigureQuery, today: string): PaymentFigures {
  const period = q.period || 'month';
  const asOf = q.to && q.to < today ? q.to : today;
  const rows = new Map<string, PaymentRow>();
  const row = (day: string, currency: string) => {
    const p = periodOf(day, period);
    const key = `${p}|${currency}`;
    let r = rows.get(key);
    if (!r) {
      r = { period: p, currency, due: 0, dueMinor: 0, collected: 0, collectedMinor: 0 };
      rows.set(key, r);
    }
    return r;
  };
  const overdue = new Map<string, OverdueRow>();
  for (const f of facts) {
    if (f.removed) continue;
    if (inRange(f.day, q)) {
      const r = row(f.day, f.currency);
      r.due += 1;
      r.dueMinor += f.amountMinor;
    }
    const arrived = f.status === 'received' && !!f.receivedDate;
    if (arrived && inRange(f.receivedDate, q)) {
      const r = row(f.receivedDate, f.currency);
      r.collected += 1;
      r.collectedMinor += f.receivedAmountMinor;
    }
    const outstandingAtAsOf = !arrived || f.receivedDate > asOf;
    if (f.day && f.day < asOf && outstandingAtAsOf) {
      const bucket = bucketOf(daysBetween(f.day, asOf));
      const key = `${f.currency}|${bucket}`;
      const o = overdue.get(key) ?? { currency: f.currency, bucket, milestones: 0, amountMinor: 0 };
      o.milestones += 1;
      o.amountMinor += f.amountMinor;
      overdue.set(key, o);
    }
  }
  const order = (b: AgeingBucket) => AGEING_BUCKETS.indexOf(b);
  return {
    asOf,
    rows: [...rows.values()].sort(
      (a, b) => a.period.localeCompare(b.period) || a.currency.localeCompare(b.currency),
    ),
    overdue: [...overdue.values()].sort(
      (a, b) => a.currency.localeCompare(b.currency) || order(a.bucket) - order(b.bucket),
    ),
  };
}
