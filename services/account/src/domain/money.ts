/** Money as in crm.common.v1.Money: a decimal string and an ISO 4217 code, never a float. */
export interface Money {
  currencyCode: string;
  amount: string;
}

const DECIMAL = /^-?\d{1,18}(\.\d{1,6})?$/;

export const isDecimal = (s: string): boolean => DECIMAL.test(s);

/** Scales a decimal string to an integer of millionths, so comparisons are exact. */
function scaled(s: string): bigint {
  const neg = s.startsWith('-');
  const [int = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(int) * 1_000_000n + BigInt((frac + '000000').slice(0, 6));
  return neg ? -v : v;
}

/** -1, 0 or 1 like a sort comparator; both must be valid decimals. */
export function compareDecimal(a: string, b: string): number {
  const d = scaled(a) - scaled(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** True when `m` is set, in the same currency as `min`, and at least `min`. */
export function atLeast(m: Money | undefined, min: Money): boolean {
  if (!m || !isDecimal(m.amount) || m.currencyCode !== min.currencyCode) return false;
  return compareDecimal(m.amount, min.amount) >= 0;
}
