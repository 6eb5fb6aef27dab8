import { accountRfm, segmentOf } from '../src/domain/account-rfm';

const won = (accountId: string, closedDay: string, amountMinor: number, currency = 'EUR') => ({
  accountId,
  closedDay,
  amountMinor,
  currency,
});

describe('account RFM', () => {
  it('scores recency, frequency and monetary against the other accounts and names the segment', () => {
    const rfm = accountRfm(
      [
        // big: bought often, lately, for much
        won('big', '2026-11-20', 50_000_00),
        won('big', '2026-10-01', 40_000_00),
        won('big', '2026-08-01', 30_000_00),
        // lapsed: bought often and much, but long ago
        won('lapsed', '2025-12-01', 60_000_00),
        won('lapsed', '2025-11-01', 60_000_00),
        won('lapsed', '2025-10-01', 60_000_00),
        // fresh: one small deal last week
        won('fresh', '2026-11-25', 1_000_00),
        // gone: one small deal long ago
        won('gone', '2025-09-01', 500_00),
        // out of the range
        won('older', '2024-01-01', 1_000_000_00),
      ],
      [{ accountId: 'gone', receivedDate: '2025-09-15' }],
      'EUR',
      { from: '2025-01-01', to: '' },
      '2026-12-02',
    );
    const by = new Map(rfm.rows.map((r) => [r.accountId, r]));
    expect([...by.keys()].sort()).toEqual(['big', 'fresh', 'gone', 'lapsed']);
    expect(by.get('big')).toMatchObject({
      frequency: 3,
      monetaryMinor: 120_000_00,
      recencyDays: 12,
      segment: 'champions',
    });
    expect(by.get('lapsed')).toMatchObject({ recencyScore: 2, segment: 'cannot-lose' });
    expect(by.get('fresh')).toMatchObject({ recencyScore: 5, frequency: 1, segment: 'new-customers' });
    // The payment after the win counts as its last purchase.
    expect(by.get('gone')).toMatchObject({ lastPurchaseDay: '2025-09-15', segment: 'hibernating' });
    expect(rfm.segments.reduce((n, s) => n + s.accounts, 0)).toBe(4);
    expect(rfm).toMatchObject({ asOf: '2026-12-02', currency: 'EUR', skipped: 0 });
  });

  it('scores a lone account in the middle, and leaves out a deal in another currency', () => {
    const rfm = accountRfm(
      [won('only', '2026-11-01', 100), won('only', '2026-11-02', 100, 'CNY')],
      [],
      'EUR',
      { from: '', to: '' },
      '2026-12-02',
    );
    expect(rfm.rows).toEqual([
      expect.objectContaining({
        accountId: 'only',
        frequency: 1,
        recencyScore: 3,
        frequencyScore: 3,
        monetaryScore: 3,
      }),
    ]);
    expect(rfm.skipped).toBe(1);
  });

  it('puts scores in segments by the first rule that holds', () => {
    expect(segmentOf(5, 5, 5, 9)).toBe('champions');
    expect(segmentOf(3, 4, 4, 5)).toBe('loyal');
    expect(segmentOf(5, 2, 1, 1)).toBe('new-customers');
    expect(segmentOf(3, 2, 2, 2)).toBe('potential-loyalists');
    expect(segmentOf(1, 5, 5, 8)).toBe('cannot-lose');
    expect(segmentOf(2, 3, 3, 3)).toBe('at-risk');
    expect(segmentOf(1, 1, 1, 1)).toBe('hibernating');
    expect(segmentOf(3, 1, 1, 2)).toBe('needs-attention');
  });
});
