import { ConflictError, ValidationError } from '@crm/kit';
import {
  assertEditable,
  assertRevisable,
  assertSendable,
  divideHalfUp,
  formatScaled,
  parseScaled,
  priceQuote,
  type QuotedProduct,
  type QuoteInput,
} from '../src/domain/quote';
import { normaliseProductFields } from '../src/domain/product';

const seat: QuotedProduct = {
  id: 'p-seat',
  code: 'CRM-SEAT',
  name: '客户管理系统 席位',
  unit: 'seat/year',
  active: true,
  listPriceMinor: 99_900,
};
const day: QuotedProduct = {
  id: 'p-day',
  code: 'SVC-DAY',
  name: 'Consulting day',
  unit: 'day',
  active: true,
  listPriceMinor: 333,
};
const retired: QuotedProduct = {
  id: 'p-old',
  code: 'OLD',
  name: 'Old',
  unit: 'piece',
  active: false,
  listPriceMinor: 100,
};
const catalogue = new Map([seat, day, retired].map((p) => [p.id, p]));

const input = (over: Partial<QuoteInput> = {}): QuoteInput => ({
  lines: [{ productId: 'p-seat', quantity: '10', discountPercent: '' }],
  taxRatePercent: '',
  validUntil: '2027-01-31',
  note: '',
  ...over,
});

const violationsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.violations.map((v) => v.field);
    throw err;
  }
  throw new Error('no ValidationError');
};

describe('decimal helpers', () => {
  it('read and write scaled decimals exactly', () => {
    expect(parseScaled('12.5', 2)).toBe(1250n);
    expect(parseScaled('2.500', 3)).toBe(2500n);
    expect(parseScaled('0.001', 2)).toBeUndefined();
    expect(parseScaled('-1', 2)).toBeUndefined();
    expect(parseScaled('1e3', 2)).toBeUndefined();
    expect(formatScaled(1250n, 2)).toBe('12.5');
    expect(formatScaled(1200n, 2)).toBe('12');
    expect(formatScaled(5n, 3)).toBe('0.005');
  });

  it('rounds half up', () => {
    expect(divideHalfUp(5n, 10n)).toBe(1n);
    expect(divideHalfUp(4n, 10n)).toBe(0n);
    expect(divideHalfUp(15n, 10n)).toBe(2n);
  });
});

describe('pricing a quote', () => {
  it('takes the list price in the quote currency and totals in minor units', () => {
    const q = priceQuote(input(), 'CNY', catalogue);
    expect(q.lines[0]).toMatchObject({
      productCode: 'CRM-SEAT',
      productName: '客户管理系统 席位',
      unitPriceMinor: 99_900,
      grossMinor: 999_000,
      netMinor: 999_000,
    });
    expect(q).toMatchObject({
      subtotalMinor: 999_000,
      taxMinor: 0,
      totalMinor: 999_000,
      maxDiscountPercent: '0',
    });
  });

  it('rounds each line discount half up, then the tax once on the subtotal', () => {
    // 3.33 x 1.5 days = 4.995 -> 5.00 (500 minor); 12.5% of 500 = 62.5 -> 63; net 437.
    // A second line: 999.00 x 10 = 9990.00, 7.25% = 724.275 -> 724.28 (72428); net 926572.
    // Subtotal 927009; 13% tax = 120511.17 -> 120511; total 1047520.
    const q = priceQuote(
      input({
        lines: [
          { productId: 'p-day', quantity: '1.5', unitPriceMinor: 333, discountPercent: '12.5' },
          { productId: 'p-seat', quantity: '10', discountPercent: '7.25' },
        ],
        taxRatePercent: '13',
      }),
      'CNY',
      catalogue,
    );
    expect(q.lines.map((l) => [l.grossMinor, l.discountMinor, l.netMinor])).toEqual([
      [500, 63, 437],
      [999_000, 72_428, 926_572],
    ]);
    expect(q).toMatchObject({
      subtotalMinor: 927_009,
      discountMinor: 72_491,
      taxMinor: 120_511,
      totalMinor: 1_047_520,
    });
    expect(q.maxDiscountPercent).toBe('12.5');
    expect(q.taxRatePercent).toBe('13');
  });

  it('names every bad field at once', () => {
    expect(
      violationsOf(() =>
        priceQuote(
          input({
            lines: [
              { productId: 'nope', quantity: '1', discountPercent: '' },
              { productId: 'p-seat', quantity: '0', discountPercent: '101' },
              { productId: 'p-old', quantity: '1', discountPercent: '' },
            ],
            taxRatePercent: '0.125',
            validUntil: '2027-02-30',
          }),
          'CNY',
          catalogue,
        ),
      ),
    ).toEqual([
      'validUntil',
      'taxRatePercent',
      'lines[0].productId',
      'lines[1].quantity',
      'lines[1].discountPercent',
      'lines[2].productId',
    ]);
    expect(violationsOf(() => priceQuote(input({ lines: [] }), 'CNY', catalogue))).toEqual(['lines']);
  });

  it('asks for a price when the product has none in the quote currency', () => {
    const noEur = new Map([[seat.id, { ...seat, listPriceMinor: undefined }]]);
    expect(violationsOf(() => priceQuote(input(), 'EUR', noEur))).toEqual(['lines[0].unitPriceMinor']);
    expect(
      priceQuote(
        input({
          lines: [{ productId: 'p-seat', quantity: '2', unitPriceMinor: 50_00, discountPercent: '' }],
        }),
        'EUR',
        noEur,
      ).totalMinor,
    ).toBe(100_00);
  });

  it('counts a unit price below the list price as a discount, so the approval policies see it', () => {
    const priced = (unitPriceMinor: number, discountPercent = '') =>
      priceQuote(
        input({ lines: [{ productId: 'p-seat', quantity: '10', unitPriceMinor, discountPercent }] }),
        'CNY',
        catalogue,
      ).maxDiscountPercent;
    expect(priced(9_990)).toBe('90'); // 90% off the list price of 999.00, at "0%" discount
    expect(priced(89_910, '10')).toBe('19'); // 10% below list, then 10% off: 19% in all
    expect(priced(120_000)).toBe('0'); // above the list price is no discount
    expect(priced(99_900, '7.25')).toBe('7.25');
  });

  it('keeps a retired product already on the quote', () => {
    const lines = [{ productId: 'p-old', quantity: '1', discountPercent: '' }];
    expect(priceQuote(input({ lines }), 'CNY', catalogue, new Set(['p-old'])).totalMinor).toBe(100);
  });

  it('refuses totals beyond a safe integer instead of losing precision', () => {
    const lines = [
      {
        productId: 'p-seat',
        quantity: '999999999999',
        unitPriceMinor: 9_000_000_000_000,
        discountPercent: '',
      },
    ];
    expect(violationsOf(() => priceQuote(input({ lines }), 'CNY', catalogue))).toContain('lines[0].quantity');
  });
});

describe('quote states', () => {
  it('edits only the newest draft, sends only what is not waiting, revises only what went out', () => {
    expect(() => assertEditable({ status: 'draft', supersededBy: '' })).not.toThrow();
    expect(() => assertEditable({ status: 'sent', supersededBy: '' })).toThrow(ConflictError);
    expect(() => assertSendable({ status: 'pending-approval', supersededBy: '' })).toThrow(ConflictError);
    expect(() => assertSendable({ status: 'sent', supersededBy: '' })).toThrow(ConflictError);
    expect(() => assertSendable({ status: 'approved', supersededBy: '' })).not.toThrow();
    expect(() => assertRevisable({ status: 'sent', supersededBy: 'q-r2' })).toThrow(ConflictError);
    expect(() => assertRevisable({ status: 'draft', supersededBy: '' })).toThrow(ConflictError);
    expect(() => assertRevisable({ status: 'sent', supersededBy: '' })).not.toThrow();
  });
});

describe('products', () => {
  it('upper-cases the code and checks prices per currency', () => {
    const p = normaliseProductFields({
      code: ' crm-seat ',
      name: '席位',
      unit: 'seat',
      listPrices: [{ currency: 'cny', amountMinor: 100 }],
      active: true,
      description: '',
    });
    expect(p.code).toBe('CRM-SEAT');
    expect(p.listPrices).toEqual([{ currency: 'CNY', amountMinor: 100 }]);
    expect(
      violationsOf(() =>
        normaliseProductFields({
          code: 'a b',
          name: '',
          unit: 'seat',
          listPrices: [
            { currency: 'CNY', amountMinor: 1 },
            { currency: 'CNY', amountMinor: 2.5 },
          ],
          active: true,
          description: '',
        }),
      ),
    ).toEqual(['code', 'name', 'listPrices[1].currency', 'listPrices[1].amountMinor']);
  });
});
