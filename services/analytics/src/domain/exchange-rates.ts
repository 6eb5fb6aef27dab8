import { type FieldViolation, ValidationError } from '@crm/kit/domain';

/**
 * Exchange rates into the reporting currency, set by an admin: configuration, not facts from the
 * streams, so a rebuild leaves them alone and reproduces the converted figures exactly. A rate is
 * valid from its day until the next rate of the same currency.
 */
export interface ExchangeRate {
  currency: string;
  /** "yyyy-mm-dd": the first day it applies. */
  validFrom: string;
  /** Units of the reporting currency for one unit of `currency`, as a decimal string ("7.8125"). */
  rate: string;
}

export interface ExchangeRates {
  reportingCurrency: string;
  rates: ExchangeRate[];
}

export const MAX_RATES = 2000;
const CURRENCY = /^[A-Z]{3}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Up to 9 digits before the point and 10 after: enough for any real rate, exact in BigInt. */
const DECIMAL = /^\d{1,9}(\.\d{1,10})?$/;

const isDay = (s: string) => DAY.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/** Checks rates as an admin sent them; throws ValidationError naming every bad entry. */
export function normaliseRates(raw: ExchangeRates): ExchangeRates {
  const v: FieldViolation[] = [];
  const reportingCurrency = raw.reportingCurrency.trim().toUpperCase();
  if (!CURRENCY.test(reportingCurrency))
    v.push({ field: 'reportingCurrency', description: 'must be an ISO 4217 code such as EUR' });
  if (raw.rates.length > MAX_RATES)
    v.push({ field: 'rates', description: `must have at most ${MAX_RATES} entries` });
  const seen = new Set<string>();
  const rates = raw.rates.slice(0, MAX_RATES).map((r, i) => {
    const currency = r.currency.trim().toUpperCase();
    const validFrom = r.validFrom.trim();
    const rate = r.rate.trim();
    const at = (f: string) => `rates[${i}].${f}`;
    if (!CURRENCY.test(currency)) v.push({ field: at('currency'), description: 'must be an ISO 4217 code' });
    else if (currency === reportingCurrency)
      v.push({ field: at('currency'), description: 'is the reporting currency itself' });
    if (!isDay(validFrom)) v.push({ field: at('validFrom'), description: 'must be a day yyyy-mm-dd' });
    if (!DECIMAL.test(rate) || !/[1-9]/.test(rate))
      v.push({ field: at('rate'), description: 'must be a positive decimal such as 7.8125' });
    const key = `${currency}|${validFrom}`;
    if (seen.has(key))
      v.push({ field: at('validFrom'), description: `${currency} has a rate from that day already` });
    seen.add(key);
    return { currency, validFrom, rate };
  });
  if (v.length) throw new ValidationError(v);
  rates.sort((a, b) => a.currency.localeCompare(b.currency) || a.validFrom.localeCompare(b.validFrom));
  return { reportingCurrency, rates };
}

/** Digits after the point of a currency's minor unit (EUR 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/** "7.8125" -> 78125n / 10000n */
function fraction(rate: string): { num: bigint; den: bigint } {
  const [whole = '0', decimals = ''] = rate.split('.');
  return { num: BigInt(whole + decimals), den: 10n ** BigInt(decimals.length) };
}

/** Converts amounts into the reporting currency at the rate valid on a day, exactly (half away from zero). */
export class Converter {
  private readonly byCurrency = new Map<string, ExchangeRate[]>();

  constructor(readonly rates: ExchangeRates) {
    for (const r of rates.rates)
      this.byCurrency.set(r.currency, [...(this.byCurrency.get(r.currency) ?? []), r]);
  }

  /** The amount in the reporting currency's minor units; undefined when no rate applies on that day. */
  convert(amountMinor: number, currency: string, day: string): number | undefined {
    if (currency === this.rates.reportingCurrency) return amountMinor;
    const valid = (this.byCurrency.get(currency) ?? []).filter((r) => r.validFrom <= day).at(-1);
    if (!valid) return undefined;
    const { num, den } = fraction(valid.rate);
    const scaleUp = 10n ** BigInt(minorDigits(this.rates.reportingCurrency));
    const scaleDown = 10n ** BigInt(minorDigits(currency));
    const top = BigInt(Math.trunc(amountMinor)) * num * scaleUp;
    const bottom = den * scaleDown;
    const negative = top < 0n;
    const abs = negative ? -top : top;
    const rounded = (abs * 2n + bottom) / (bottom * 2n);
    return Number(negative ? -rounded : rounded);
  }
}

/**
 * The deals with their amount in the reporting currency, at the rate of the day that matters for
 * each: the close day of a closed deal, else its expected close day, else today. A deal no rate
 * applies to keeps its own currency, so it shows apart instead of vanishing from the sums.
 */
export function dealsInReporting<D extends DealAmount>(c: Converter, deals: D[], today: string): D[] {
  return deals.map((d) => {
    const converted = c.convert(d.amountMinor, d.currency, d.closedDay || d.expectedCloseDate || today);
    return converted === undefined
      ? d
      : { ...d, amountMinor: converted, currency: c.rates.reportingCurrency };
  });
}

interface DealAmount {
  amountMinor: number;
  currency: string;
  closedDay: string;
  expectedCloseDate: string;
}

/** Payment milestones in the reporting currency: the amount due at the due day's rate, what arrived at its day's. */
export function paymentsInReporting<P extends PaymentAmount>(c: Converter, payments: P[]): P[] {
  return payments.map((p) => {
    const due = c.convert(p.amountMinor, p.currency, p.day);
    const received = p.receivedDate ? c.convert(p.receivedAmountMinor, p.currency, p.receivedDate) : 0;
    if (due === undefined || received === undefined) return p;
    return { ...p, amountMinor: due, receivedAmountMinor: received, currency: c.rates.reportingCurrency };
  });
}

interface PaymentAmount {
  day: string;
  amountMinor: number;
  receivedDate: string;
  receivedAmountMinor: number;
  currency: string;
}

/** Quote lines in the reporting currency at the rate of the day their deal was won. */
export function quotesInReporting<Q extends QuoteAmount>(
  c: Converter,
  quotes: Q[],
  wonDayOf: (opportunityId: string) => string,
): Q[] {
  return quotes.map((q) => {
    const day = wonDayOf(q.opportunityId);
    const lines = q.lines.map((l) => ({ ...l, netMinor: c.convert(l.netMinor, q.currency, day) }));
    if (!day || lines.some((l) => l.netMinor === undefined)) return q;
    return { ...q, currency: c.rates.reportingCurrency, lines: lines as Q['lines'] };
  });
}

interface QuoteAmount {
  opportunityId: string;
  currency: string;
  lines: { netMinor: number }[];
}
