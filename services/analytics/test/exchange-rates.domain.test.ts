import { ValidationError } from '@crm/kit/domain';
import {
  Converter,
  dealsInReporting,
  normaliseRates,
  paymentsInReporting,
} from '../src/domain/exchange-rates';

const rates = normaliseRates({
  reportingCurrency: 'eur',
  rates: [
    { currency: 'CNY', validFrom: '2026-01-01', rate: '0.125' },
    { currency: 'CNY', validFrom: '2026-07-01', rate: '0.13' },
    { currency: 'JPY', validFrom: '2026-01-01', rate: '0.0061' },
    { currency: 'USD', validFrom: '2026-12-01', rate: '0.95' },
  ],
});

describe('exchange rates', () => {
  it('name every bad entry: codes, days, rates, the reporting currency itself and a day given twice', () => {
    let err: unknown;
    try {
      normaliseRates({
        reportingCurrency: 'EURO',
        rates: [
          { currency: 'US', validFrom: '2026-02-30', rate: '-1' },
          { currency: 'CNY', validFrom: '2026-01-01', rate: '0' },
          { currency: 'CNY', validFrom: '2026-01-01', rate: '0.12' },
        ],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).violations.map((v) => v.field)).toEqual([
      'reportingCurrency',
      'rates[0].currency',
      'rates[0].validFrom',
      'rates[0].rate',
      'rates[1].rate',
      'rates[2].validFrom',
    ]);
  });

  it('convert at the rate valid on the day, exactly, across minor units', () => {
    const c = new Converter(rates);
    expect(c.convert(1_000_00, 'CNY', '2026-06-30')).toBe(125_00); // 1000 CNY at 0.125
    expect(c.convert(1_000_00, 'CNY', '2026-07-01')).toBe(130_00); // the next rate from its day
    expect(c.convert(1_000_000, 'JPY', '2026-03-01')).toBe(6_100_00); // 1,000,000 yen (no minor unit) is 6,100 EUR
    expect(c.convert(1, 'CNY', '2026-07-01')).toBe(0); // 0.0013 EUR rounds to 0 cents
    expect(c.convert(4, 'CNY', '2026-07-01')).toBe(1); // 0.0052 EUR rounds half up to 1 cent
    expect(c.convert(500, 'EUR', '2020-01-01')).toBe(500);
    expect(c.convert(100_00, 'USD', '2026-11-30')).toBeUndefined(); // before its first rate
    expect(c.convert(100_00, 'GBP', '2026-12-01')).toBeUndefined();
  });

  it('convert a deal at its close day, else its expected close day, else today; leave one without a rate apart', () => {
    const c = new Converter(rates);
    const deal = (over: Partial<Parameters<typeof dealsInReporting>[1][number]>) => ({
      amountMinor: 1_000_00,
      currency: 'CNY',
      closedDay: '',
      expectedCloseDate: '',
      ...over,
    });
    expect(
      dealsInReporting(
        c,
        [
          deal({ closedDay: '2026-03-01', expectedCloseDate: '2026-09-01' }),
          deal({ expectedCloseDate: '2026-09-01' }),
          deal({}),
          deal({ currency: 'GBP' }),
        ],
        '2026-05-01',
      ).map((d) => [d.currency, d.amountMinor]),
    ).toEqual([
      ['EUR', 125_00],
      ['EUR', 130_00],
      ['EUR', 125_00],
      ['GBP', 1_000_00],
    ]);
  });

  it('convert what was due at the due day and what arrived at its day', () => {
    const [p] = paymentsInReporting(new Converter(rates), [
      {
        day: '2026-06-30',
        amountMinor: 1_000_00,
        receivedDate: '2026-07-02',
        receivedAmountMinor: 1_000_00,
        currency: 'CNY',
      },
    ]);
    expect(p).toMatchObject({ currency: 'EUR', amountMinor: 125_00, receivedAmountMinor: 130_00 });
  });
});
