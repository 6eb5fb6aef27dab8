import type { components } from '../src/api/schema.gen';
import {
  backlogByPriority,
  backlogByQueue,
  csatBy,
  csatDistribution,
  csatTrend,
  readableDuration,
  slaByQueue,
  slaOverall,
  slaTrend,
  supportFiltersFrom,
  supportFiltersQuery,
  ticketsBehind,
} from '../src/analytics/support-figures';

type SlaRow = components['schemas']['SlaRow'];
type CsatRow = components['schemas']['CsatRow'];

const sla = (over: Partial<SlaRow>): SlaRow => ({
  period: null,
  queue: 'support',
  tickets: 0,
  firstResponseMet: 0,
  firstResponseBreached: 0,
  firstResponseCompliance: 0,
  resolutionMet: 0,
  resolutionBreached: 0,
  resolutionCompliance: 0,
  ...over,
});

const csat = (over: Partial<CsatRow>): CsatRow => ({
  period: null,
  dimension: 'all',
  key: '',
  rated: 0,
  average: 0,
  distribution: [0, 0, 0, 0, 0],
  ...over,
});

describe('the backlog chart', () => {
  const rows = [
    { queue: 'support', priority: 'high', status: 'new' as const, tickets: 2, unassigned: 1 },
    { queue: 'support', priority: 'low', status: 'pending' as const, tickets: 1, unassigned: 0 },
    { queue: 'tier-2', priority: 'high', status: 'open' as const, tickets: 4, unassigned: 2 },
  ];

  it('stacks each queue by status, the fullest queue first', () => {
    expect(backlogByQueue(rows)).toEqual([
      { queue: 'tier-2', new: 0, open: 4, pending: 0, total: 4, unassigned: 2 },
      { queue: 'support', new: 2, open: 0, pending: 1, total: 3, unassigned: 1 },
    ]);
  });

  it('counts the open tickets per priority across queues', () => {
    expect(backlogByPriority(rows)).toEqual([
      { priority: 'high', tickets: 6 },
      { priority: 'low', tickets: 1 },
    ]);
  });

  it('leads from a bar to the queue page filtered to its queue and status', () => {
    expect(ticketsBehind({ queue: 'tier-2', status: 'open' })).toBe(
      '/queue?view=queues&queue=tier-2&status=open',
    );
    expect(ticketsBehind({ queue: 'a b&c' })).toBe('/queue?view=queues&queue=a+b%26c');
  });
});

describe('SLA compliance', () => {
  const rows = [
    sla({ period: '2026-11', queue: 'support', tickets: 5, firstResponseMet: 3, firstResponseBreached: 1 }),
    sla({ period: '2026-12', queue: 'support', tickets: 2, resolutionMet: 1, resolutionBreached: 1 }),
    sla({ period: '2026-11', queue: 'tier-2', tickets: 1, firstResponseMet: 1 }),
  ];

  it('is computed again from the summed met and breached counts, not averaged', () => {
    expect(slaOverall(rows)).toEqual({
      tickets: 8,
      firstResponseMet: 4,
      firstResponseBreached: 1,
      firstResponseCompliance: 0.8,
      resolutionMet: 1,
      resolutionBreached: 1,
      resolutionCompliance: 0.5,
    });
  });

  it('is unknown, not 0 %, where no target has ended yet', () => {
    expect(slaByQueue(rows).find((q) => q.queue === 'tier-2')).toMatchObject({
      firstResponseCompliance: 1,
      resolutionCompliance: null,
    });
  });

  it('trends per period, oldest first, in percent', () => {
    expect(slaTrend([...rows].reverse())).toEqual([
      { period: '2026-11', firstResponse: 80, resolution: null },
      { period: '2026-12', firstResponse: null, resolution: 50 },
    ]);
  });
});

describe('customer satisfaction', () => {
  const rows = [
    csat({ period: '2026-12', rated: 1, average: 5, distribution: [0, 0, 0, 0, 1] }),
    csat({ period: '2026-11', rated: 3, average: 3, distribution: [1, 0, 1, 0, 1] }),
    csat({
      period: '2026-11',
      dimension: 'queue',
      key: 'support',
      rated: 3,
      average: 3,
      distribution: [1, 0, 1, 0, 1],
    }),
    csat({
      period: '2026-12',
      dimension: 'queue',
      key: 'support',
      rated: 1,
      average: 5,
      distribution: [0, 0, 0, 0, 1],
    }),
    csat({
      period: '2026-12',
      dimension: 'tier',
      key: 'A',
      rated: 1,
      average: 5,
      distribution: [0, 0, 0, 0, 1],
    }),
  ];

  it('trends the overall average per period, oldest first', () => {
    expect(csatTrend(rows)).toEqual([
      { period: '2026-11', average: 3, rated: 3 },
      { period: '2026-12', average: 5, rated: 1 },
    ]);
  });

  it('counts the answers per score over every period, once (not again per queue or tier)', () => {
    expect(csatDistribution(rows)).toEqual([
      { score: 1, answers: 1 },
      { score: 2, answers: 0 },
      { score: 3, answers: 1 },
      { score: 4, answers: 0 },
      { score: 5, answers: 2 },
    ]);
  });

  it('weighs each answer once in a queue average across periods', () => {
    // (1 + 3 + 5 + 5) / 4, where the mean of the two period averages would say 4.
    expect(csatBy(rows, 'queue')).toEqual([{ key: 'support', rated: 4, average: 3.5 }]);
    expect(csatBy(rows, 'agent')).toEqual([]);
  });
});

describe('the dashboard URL', () => {
  it('carries the filters both ways, so a view can be bookmarked', () => {
    const filters = {
      from: '2026-11-01',
      to: '2026-11-30',
      period: 'week' as const,
      queue: 'tier-2',
      mine: true,
    };
    const query = supportFiltersQuery(filters);
    expect(query.toString()).toBe('from=2026-11-01&to=2026-11-30&period=week&queue=tier-2&owner=me');
    expect(supportFiltersFrom(query)).toEqual(filters);
  });

  it('drops what the API would refuse and falls back to months', () => {
    expect(
      supportFiltersFrom(new URLSearchParams('from=yesterday&period=year&queue=a%20b&owner=bob')),
    ).toEqual({
      from: undefined,
      to: undefined,
      period: 'month',
      queue: undefined,
      mine: false,
    });
  });
});

describe('a duration', () => {
  it('reads in minutes, hours or days as its size asks', () => {
    expect(readableDuration(42.4)).toEqual({ unit: 'minutes', value: 42 });
    expect(readableDuration(90)).toEqual({ unit: 'hours', value: 1.5 });
    expect(readableDuration(3 * 24 * 60 + 6 * 60)).toEqual({ unit: 'days', value: 3.3 });
  });
});
