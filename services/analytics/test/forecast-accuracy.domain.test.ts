import { BUILT_IN_DEFAULT_PIPELINE, type OpportunityFact, type PipelineFact } from '../src/domain/facts';
import { normaliseQuery } from '../src/domain/figure-query';
import { forecastAccuracy, periodStart, stageAt } from '../src/domain/forecast-accuracy';

const pipelines = new Map<string, PipelineFact>([['default', BUILT_IN_DEFAULT_PIPELINE]]);
const deal = (id: string, over: Partial<OpportunityFact>): OpportunityFact => ({
  _id: id,
  version: 1,
  day: '2026-10-01',
  ownerId: 'rep1',
  teamId: 'north',
  pipelineId: 'default',
  stageKey: 'negotiation',
  stagesReached: [],
  amountMinor: 1_000_00,
  currency: 'EUR',
  expectedCloseDate: '2026-11-20',
  status: 'open',
  closedDay: '',
  daysToClose: 0,
  lossReason: '',
  competitor: '',
  stays: [],
  eventAt: new Date(),
  appliedAt: new Date(),
  ...over,
});

describe('forecast accuracy', () => {
  it('compares what stood in commit on the first day of the month with what was won in it', () => {
    const rows = forecastAccuracy(
      [
        // In negotiation (commit) since before November, won on 20 November.
        deal('kept', {
          status: 'won',
          stageKey: 'closed-won',
          closedDay: '2026-11-20',
          stays: [{ stage: 'negotiation', days: 50, leftDay: '2026-11-20' }],
        }),
        // Committed on 1 November, still open: the forecast missed it.
        deal('slipped', { amountMinor: 3_000_00 }),
        // Only reached negotiation on 10 November: not committed at the month's start, but won in it.
        deal('late', {
          status: 'won',
          stageKey: 'closed-won',
          closedDay: '2026-11-25',
          stays: [
            { stage: 'proposal', days: 40, leftDay: '2026-11-10' },
            { stage: 'negotiation', days: 15, leftDay: '2026-11-25' },
          ],
        }),
        // Created after the month began.
        deal('new', { day: '2026-11-05' }),
        // Closes in December, a month not begun by "today".
        deal('next', { expectedCloseDate: '2026-12-10' }),
      ],
      pipelines,
      normaliseQuery({}),
      '2026-11-30',
    );
    expect(rows).toEqual([
      {
        period: '2026-11',
        currency: 'EUR',
        committedDeals: 2,
        committedMinor: 4_000_00,
        wonFromCommitDeals: 1,
        wonFromCommitMinor: 1_000_00,
        wonDeals: 2,
        wonMinor: 2_000_00,
        accuracy: 0.25,
      },
    ]);
  });

  it("uses the close day and amount a deal stood at on the period's first day: a slip counts in each month", () => {
    const slipped = deal('slipped', {
      // Committed for November at 5,000 on 1 November; moved to December (and cut to 4,000) on
      // 15 November; won in December.
      status: 'won',
      stageKey: 'closed-won',
      closedDay: '2026-12-12',
      expectedCloseDate: '2026-12-10',
      amountMinor: 4_000_00,
      earlier: [
        { untilDay: '2026-11-15', expectedCloseDate: '2026-11-20', amountMinor: 5_000_00, currency: 'EUR' },
      ],
      stays: [{ stage: 'negotiation', days: 70, leftDay: '2026-12-12' }],
    });
    // Pulled in: expected in January until 3 December, when it moved to December (not committed for
    // December on its first day, nor for January any more).
    const pulledIn = deal('pulled-in', {
      expectedCloseDate: '2026-12-20',
      earlier: [
        { untilDay: '2026-12-03', expectedCloseDate: '2027-01-15', amountMinor: 1_000_00, currency: 'EUR' },
      ],
    });
    const rows = forecastAccuracy([slipped, pulledIn], pipelines, normaliseQuery({}), '2027-01-05');
    expect(
      rows.map((r) => [r.period, r.committedDeals, r.committedMinor, r.wonFromCommitMinor, r.wonDeals]),
    ).toEqual([
      ['2026-11', 1, 5_000_00, 0, 0],
      ['2026-12', 1, 4_000_00, 4_000_00, 1],
    ]);
  });

  it('finds the stage of a day from the stays, and the first day of every kind of period', () => {
    const d = { stageKey: 'negotiation', stays: [{ stage: 'proposal', days: 3, leftDay: '2026-11-10' }] };
    expect(stageAt(d, '2026-11-09')).toBe('proposal');
    expect(stageAt(d, '2026-11-10')).toBe('proposal'); // at the start of the day it moved
    expect(stageAt(d, '2026-11-11')).toBe('negotiation');
    expect(periodStart('2026-Q4', 'quarter')).toBe('2026-10-01');
    expect(periodStart('2026-W49', 'week')).toBe('2026-11-30');
    expect(periodStart('2026-W01', 'week')).toBe('2025-12-29');
    expect(periodStart('2026-12', 'month')).toBe('2026-12-01');
  });
});
