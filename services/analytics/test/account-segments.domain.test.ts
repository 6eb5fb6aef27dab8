import type { RfmRow } from '../src/domain/account-rfm';
import { segmentChanges } from '../src/domain/account-segments';

const row = (accountId: string, segment: RfmRow['segment'], scores = [3, 3, 3]): RfmRow => ({
  accountId,
  lastPurchaseDay: '2026-11-20',
  recencyDays: 12,
  frequency: 1,
  monetaryMinor: 100_00,
  currency: 'EUR',
  recencyScore: scores[0]!,
  frequencyScore: scores[1]!,
  monetaryScore: scores[2]!,
  segment,
});

describe('which account segments a scoring publishes', () => {
  it('publishes new and moved segments only, with the scores and the version each replaces', () => {
    const changes = segmentChanges(
      [
        { accountId: 'stays', segment: 'loyal', version: 3 },
        { accountId: 'moves', segment: 'champions', version: 1 },
      ],
      [row('stays', 'loyal'), row('moves', 'at-risk', [1, 5, 5]), row('new', 'new-customers')],
    );
    expect(changes).toEqual([
      {
        accountId: 'moves',
        previousSegment: 'champions',
        segment: 'at-risk',
        recencyScore: 1,
        frequencyScore: 5,
        monetaryScore: 5,
        version: 1,
      },
      expect.objectContaining({
        accountId: 'new',
        previousSegment: '',
        segment: 'new-customers',
        version: 0,
      }),
    ]);
  });

  it('takes the segment away from an account no longer scored, once', () => {
    const gone = segmentChanges([{ accountId: 'reopened', segment: 'loyal', version: 2 }], []);
    expect(gone).toEqual([
      {
        accountId: 'reopened',
        previousSegment: 'loyal',
        segment: '',
        recencyScore: 0,
        frequencyScore: 0,
        monetaryScore: 0,
        version: 2,
      },
    ]);
    expect(segmentChanges([{ accountId: 'reopened', segment: '', version: 3 }], [])).toEqual([]);
  });
});
