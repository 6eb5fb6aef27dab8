import { collapseSpace, ConflictError, Violations } from '@crm/kit/domain';
import { isCalendarDate } from './opportunity';

/**
 * Quote arithmetic, all in integers (BigInt while computing), never floats:
 * - quantity is a decimal with up to 3 places, percentages have up to 2 (kept as basis points);
 * - per line: gross = unit price x quantity, discount = gross x discount%, each rounded half up to a
 *   minor unit; net = gross - discount;
 * - subtotal = sum of nets; tax = subtotal x tax rate, rounded half up once on the subtotal (not per
 *   line); total = subtotal + tax.
 * Everything is non-negative, so "half up" is also "half away from zero".
 */

export type QuoteStatus = 'draft' | 'pending-approval' | 'approved' | 'sent';

/** A line as the seller writes it (decimals as strings, exactly as typed). */
export interface QuoteLineInput {
  productId: string;
  quantity: string;
  /** Undefined: the product's list price in the quote's currency. */
  unitPriceMinor?: number;
  discountPercent: string;
}

export interface QuoteInput {
  lines: QuoteLineInput[];
  taxRatePercent: string;
  validUntil: string;
  note: string;
}

/** A product as a quote line needs it. */
export interface QuotedProduct {
  id: string;
  code: string;
  name: string;
  unit: string;
  active: boolean;
  listPriceMinor?: number;
}

export interface QuoteLine {
  productId: string;
  productCode: string;
  productName: string;
  unit: string;
  /** Normalised decimal string ("2.5", "12"). */
  quantity: string;
  unitPriceMinor: number;
  /** Normalised decimal string ("12.5", "0"). */
  discountPercent: string;
  grossMinor: number;
  discountMinor: number;
  netMinor: number;
}

export interface QuoteTotals {
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
  maxDiscountPercent: string;
}

/** The priced content of a quote: what the service stores after validating the seller's input. */
export interface QuoteContent extends QuoteTotals {
  lines: QuoteLine[];
  taxRatePercent: string;
  validUntil: string;
  note: string;
}

const MAX_LINES = 200;
const MAX_NOTE = 4000;
const QUANTITY_PLACES = 3;
const PERCENT_PLACES = 2;

/** A non-negative decimal string as an integer scaled by 10^places; undefined if it is not one. */
export function parseScaled(s: string, places: number): bigint | undefined {
  const m = /^(\d{1,12})(?:\.(\d+))?$/.exec(s.trim());
  if (!m) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > places) return undefined;
  return BigInt(m[1] ?? '0') * 10n ** BigInt(places) + BigInt(frac.padEnd(places, '0') || '0');
}

/** The shortest decimal string of an integer scaled by 10^places (1250n, 2 -> "12.5"). */
export function formatScaled(n: bigint, places: number): string {
  const unit = 10n ** BigInt(places);
  const frac = (n % unit).toString().padStart(places, '0').replace(/0+$/, '');
  return frac ? `${n / unit}.${frac}` : `${n / unit}`;
}

/** n / d rounded half up, for non-negative n and positive d. */
export const divideHalfUp = (n: bigint, d: bigint): bigint => (n * 2n + d) / (d * 2n);

function safe(n: bigint, field: string, v: Violations): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    v.add(field, 'is too large');
    return 0;
  }
  return Number(n);
}

/** A percent 0..100 with up to 2 places as basis points; records a violation otherwise. */
function percent(raw: string, field: string, v: Violations): bigint {
  const bp = parseScaled(raw.trim() || '0', PERCENT_PLACES);
  if (bp === undefined || bp > 10_000n) {
    v.add(field, 'must be a percentage from 0 to 100 with at most 2 decimals');
    return 0n;
  }
  return bp;
}

/**
 * A line's discount against the list price, in basis points: `1 - (price / list) x (1 - discount)`,
 * rounded up; the line's own discount when there is no list price in the quote's currency or the
 * price is not below it. A unit price typed below the list price is a discount too: the approval
 * policies must see it, or a seller could lower the price at 0% discount and skip the approval.
 */
function discountAgainstList(
  priceMinor: number,
  discountBp: bigint,
  listPriceMinor: number | undefined,
): bigint {
  if (listPriceMinor === undefined || listPriceMinor <= 0 || priceMinor >= listPriceMinor) return discountBp;
  const keptBp = (BigInt(priceMinor) * (10_000n - discountBp)) / BigInt(listPriceMinor);
  return 10_000n - keptBp;
}

/**
 * Validates and prices a quote. `products` holds the products the lines name (unknown ones are
 * missing); `currency` is the quote's. A line may keep a product that was retired after it was
 * quoted (`keptProductIds`), but no new line may name an inactive product.
 */
export function priceQuote(
  input: QuoteInput,
  currency: string,
  products: Map<string, QuotedProduct>,
  keptProductIds: ReadonlySet<string> = new Set(),
): QuoteContent {
  const v = new Violations();
  const note = (input.note ?? '').trim();
  const validUntil = collapseSpace(input.validUntil);
  if (!input.lines?.length) v.add('lines', 'a quote needs at least one line');
  if ((input.lines?.length ?? 0) > MAX_LINES) v.add('lines', `must have at most ${MAX_LINES} lines`);
  if (note.length > MAX_NOTE) v.add('note', `must be at most ${MAX_NOTE} characters`);
  if (validUntil && !isCalendarDate(validUntil)) v.add('validUntil', 'must be a date yyyy-mm-dd');
  const taxBp = percent(input.taxRatePercent ?? '', 'taxRatePercent', v);

  let subtotal = 0n;
  let discounts = 0n;
  let maxDiscountBp = 0n;
  const lines: QuoteLine[] = [];
  (input.lines ?? []).slice(0, MAX_LINES).forEach((l, i) => {
    const at = `lines[${i}]`;
    const product = products.get(collapseSpace(l.productId));
    if (!product) v.add(`${at}.productId`, 'is not a product of the catalogue');
    else if (!product.active && !keptProductIds.has(product.id))
      v.add(`${at}.productId`, `${product.code} is no longer sold`);
    const qty = parseScaled(l.quantity ?? '', QUANTITY_PLACES);
    if (qty === undefined || qty === 0n)
      v.add(`${at}.quantity`, 'must be a number greater than 0 with at most 3 decimals');
    const discountBp = percent(l.discountPercent ?? '', `${at}.discountPercent`, v);
    const price = l.unitPriceMinor ?? product?.listPriceMinor;
    if (price === undefined) {
      if (product)
        v.add(`${at}.unitPriceMinor`, `${product.code} has no list price in ${currency}; give one`);
    } else if (!Number.isSafeInteger(price) || price < 0)
      v.add(`${at}.unitPriceMinor`, 'must be a whole, non-negative number of minor units');
    if (!product || qty === undefined || price === undefined || !Number.isSafeInteger(price) || price < 0)
      return;
    const gross = divideHalfUp(BigInt(price) * qty, 10n ** BigInt(QUANTITY_PLACES));
    const discount = divideHalfUp(gross * discountBp, 10_000n);
    subtotal += gross - discount;
    discounts += discount;
    const lineBp = discountAgainstList(price, discountBp, product.listPriceMinor);
    if (lineBp > maxDiscountBp) maxDiscountBp = lineBp;
    lines.push({
      productId: product.id,
      productCode: product.code,
      productName: product.name,
      unit: product.unit,
      quantity: formatScaled(qty, QUANTITY_PLACES),
      unitPriceMinor: price,
      discountPercent: formatScaled(discountBp, PERCENT_PLACES),
      grossMinor: safe(gross, `${at}.quantity`, v),
      discountMinor: Number(discount),
      netMinor: Number(gross - discount),
    });
  });
  const tax = divideHalfUp(subtotal * taxBp, 10_000n);
  const total = safe(subtotal + tax, 'lines', v);
  v.throwIfAny();
  return {
    lines,
    taxRatePercent: formatScaled(taxBp, PERCENT_PLACES),
    validUntil,
    note,
    subtotalMinor: Number(subtotal),
    discountMinor: Number(discounts),
    taxMinor: Number(tax),
    totalMinor: total,
    maxDiscountPercent: formatScaled(maxDiscountBp, PERCENT_PLACES),
  };
}

/** The state of a quote the rules below look at. */
export interface QuoteState {
  status: QuoteStatus;
  supersededBy: string;
}

/** Only a draft changes; anything submitted or sent is revised into a new version instead. */
export function assertEditable(q: QuoteState): void {
  if (q.status !== 'draft')
    throw new ConflictError(`a ${q.status} quote is not edited; revise it to make a new version`);
  if (q.supersededBy) throw new ConflictError('an older version of a quote is not edited');
}

/** A draft is submitted for approval (the engine approves at once when no policy applies). */
export function assertSubmittable(q: QuoteState): void {
  assertEditable(q);
}

/** A quote goes to the customer only once approved. */
export function assertSendable(q: QuoteState): void {
  if (q.supersededBy) throw new ConflictError('an older version of a quote is not sent; send the newest');
  if (q.status === 'draft') throw new ConflictError('submit the quote for approval before sending it');
  if (q.status === 'pending-approval')
    throw new ConflictError('the quote waits for approval and cannot be sent yet');
  if (q.status === 'sent') throw new ConflictError('the quote was sent already');
}

/** The newest version of an approved or sent quote is revised; a draft is simply edited. */
export function assertRevisable(q: QuoteState): void {
  if (q.supersededBy) throw new ConflictError('only the newest version of a quote is revised');
  if (q.status === 'draft' || q.status === 'pending-approval')
    throw new ConflictError(`a ${q.status} quote is edited or withdrawn, not revised`);
}
