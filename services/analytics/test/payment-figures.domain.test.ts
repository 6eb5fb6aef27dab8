import { normaliseQuery } from '../src/domain/figure-query';
import { type PaymentFact, paymentFigures } from '../src/domain/payment-facts';

let n = 0;
const milestone = (over: Partial<PaymentFact>): PaymentFact => ({
  _id: `p${++n}`,
  version: 1,
  day: '2026-11-15',
  opportunityId: 'd1',
  accountId: 'a1',
  ownerId: 'rep1',
  teamId: 'north',
  currency: 'EUR',
  amountMinor: 1_000_00,
  status: 'planned',
  receivedDate: '',
  receivedAmountMinor: 0,
  removed: false,
  eventAt: new Date(),
  appliedAt: new Date(),
  ...over,
});

describe('payment figures', () => {
  it('count a milestone as due in the month of its due day and as collected in the month its money arrived', () => {
    const figures = paymentFigures(
      [
        milestone({ day: '2026-11-15' }),
        milestone({
          day: '2026-11-20',
          status: 'received',
          receivedDate: '2026-12-02',
          receivedAmountMinor: 90_000,
        }),
        milestone({ day: '2026-12-10', currency: 'CNY', amountMinor: 5_000_00 }),
        milestone({ day: '2026-11-01', removed: true }),
      ],
      normaliseQuery({}),
      '2026-12-05',
    );
    expect(figures.rows).toEqual([
      { period: '2026-11', currency: 'EUR', due: 2, dueMinor: 2_000_00, collected: 0, collectedMinor: 0 },
      { period: '2026-12', currency: 'CNY', due: 1, dueMinor: 5_000_00, collected: 0, collectedMinor: 0 },
      { period: '2026-12', currency: 'EUR', due: 0, dueMinor: 0, collected: 1, collectedMinor: 90_000 },
    ]);
  });

  it('ages what is still unpaid after its due day, and counts it at the end of an earlier range', () => {
    const facts = [
      milestone({ day: '2026-12-04' }),
      milestone({ day: '2026-10-01', amountMinor: 300 }),
      milestone({ day: '2026-08-01', amountMinor: 700 }),
      milestone({
        day: '2026-11-30',
        status: 'received',
        receivedDate: '2026-12-01',
        receivedAmountMinor: 1,
      }),
      milestone({ day: '2026-12-05' }), // due today: not late yet
    ];
    expect(paymentFigures(facts, normaliseQuery({}), '2026-12-05').overdue).toEqual([
      { currency: 'EUR', bucket: '1-30', milestones: 1, amountMinor: 1_000_00 },
      { currency: 'EUR', bucket: '61-90', milestones: 1, amountMinor: 300 },
      { currency: 'EUR', bucket: '90+', milestones: 1, amountMinor: 700 },
    ]);
    // As of the end of November, the milestone paid on 1 December was still outstanding.
    const november = paymentFigures(facts, normaliseQuery({ to: '2026-11-30' }), '2026-12-05');
    expect(november.asOf).toBe('2026-11-30');
    expect(november.overdue.find((o) => o.bucket === '1-30')).toBeUndefined();
    expect(november.overdue.map((o) => o.bucket)).toEqual(['31-60', '90+']);
  });

  it('groups by the period the query names', () => {
    const figures = paymentFigures(
      [milestone({ day: '2026-11-15' }), milestone({ day: '2026-12-01' })],
      normaliseQuery({ period: 'quarter' }),
      '2026-12-05',
    );
    expect(figures.rows.map((r) => [r.period, r.due])).toEqual([['2026-Q4', 2]]);
  });
});
