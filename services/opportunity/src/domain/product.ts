import { collapseSpace, Violations } from '@crm/kit/domain';

/** A list price in one currency, in integer minor units. */
export interface Price {
  currency: string;
  amountMinor: number;
}

/** The fields of a catalogue product an admin writes. */
export interface ProductFields {
  code: string;
  name: string;
  unit: string;
  listPrices: Price[];
  active: boolean;
  description: string;
}

const CODE = /^[A-Z0-9][A-Z0-9._-]{0,39}$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_NAME = 200;
const MAX_UNIT = 40;
const MAX_TEXT = 2000;
const MAX_PRICES = 20;

/** Trims and validates a product; codes are compared upper case, so "crm-seat" and "CRM-SEAT" are one. */
export function normaliseProductFields(raw: ProductFields): ProductFields {
  const v = new Violations();
  const f: ProductFields = {
    code: collapseSpace(raw.code).toUpperCase(),
    name: collapseSpace(raw.name),
    unit: collapseSpace(raw.unit),
    listPrices: (raw.listPrices ?? []).map((p) => ({
      currency: collapseSpace(p.currency).toUpperCase(),
      amountMinor: p.amountMinor,
    })),
    active: raw.active ?? true,
    description: (raw.description ?? '').trim(),
  };
  if (!CODE.test(f.code))
    v.add('code', 'must be 1-40 letters, digits, ".", "-" or "_", starting with a letter or digit');
  if (!f.name) v.add('name', 'is required');
  else if (f.name.length > MAX_NAME) v.add('name', `must be at most ${MAX_NAME} characters`);
  if (!f.unit) v.add('unit', 'is required');
  else if (f.unit.length > MAX_UNIT) v.add('unit', `must be at most ${MAX_UNIT} characters`);
  if (f.description.length > MAX_TEXT) v.add('description', `must be at most ${MAX_TEXT} characters`);
  if (f.listPrices.length > MAX_PRICES) v.add('listPrices', `must have at most ${MAX_PRICES} prices`);
  const seen = new Set<string>();
  f.listPrices.forEach((p, i) => {
    if (!CURRENCY.test(p.currency))
      v.add(`listPrices[${i}].currency`, 'must be an ISO 4217 code such as CNY');
    else if (seen.has(p.currency)) v.add(`listPrices[${i}].currency`, 'has a price already');
    seen.add(p.currency);
    if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor < 0)
      v.add(`listPrices[${i}].amountMinor`, 'must be a whole, non-negative number of minor units');
  });
  v.throwIfAny();
  return f;
}

/** The list price of a product in a currency, undefined when it has none there. */
export const listPriceIn = (p: Pick<ProductFields, 'listPrices'>, currency: string) =>
  p.listPrices.find((x) => x.currency === currency)?.amountMinor;
