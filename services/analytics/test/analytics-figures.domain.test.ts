import {
  applyOpportunitySnapshot,
  applyQuoteSnapshot,
  BUILT_IN_DEFAULT_PIPELINE,
  quantityInMilli,
  type OpportunitySnapshot,
  type PipelineFact,
  type QuoteFact,
} from '../src/domain/facts';
import { normaliseQuery } from '../src/domain/figure-query';
import { forecast, median, products, salesCycle, winRate } from '../src/domain/sales-figures';
import { backlog, csat, resolutionTime, sla } from '../src/domain/service-figures';
import { applyTicketSnapshot, type TicketFact, type TicketSnapshot } from '../src/domain/ticket-facts';

const applied = (id: string, version = 1) => ({
  id,
  version,
  eventAt: new Date('2026-12-01T10:00:00Z'),
  appliedAt: new Date('2026-12-01T10:00:01Z'),
});
const pipelines = new Map<string, PipelineFact>([['default', BUILT_IN_DEFAULT_PIPELINE]]);
const all = normaliseQuery({});
const at = (iso: string) => new Date(`${iso}Z`);

const snapshot = (over: Partial<OpportunitySnapshot> = {}): OpportunitySnapshot => ({
  createdAt: at('2026-11-01T00:00:00'),
  ownerId: 'rep1',
  teamId: 'north',
  pipelineId: 'default',
  stageKey: 'qualification',
  stagesEntered: ['qualification'],
  amountMinor: 100_000,
  currency: 'EUR',
  expectedCloseDate: '2027-01-15',
  status: 'open',
  lossReason: '',
  competitor: '',
  moves: [{ toStage: 'qualification', at: at('2026-11-01T00:00:00') }],
  sourceLeadId: '',
  accountId: 'acc',
  ...over,
});

/** A deal won (or lost) from proposal on `closed`, created on 2026-11-01. */
const closedDeal = (
  id: string,
  status: 'won' | 'lost',
  closed: string,
  over: Partial<OpportunitySnapshot> = {},
) =>
  applyOpportunitySnapshot(
    applied(id),
    snapshot({
      status,
      stageKey: status === 'won' ? 'closed-won' : 'closed-lost',
      closedAt: at(`${closed}T12:00:00`),
      moves: [
        { toStage: 'qualification', at: at('2026-11-01T00:00:00') },
        { toStage: 'proposal', at: at('2026-11-04T12:00:00') },
        { toStage: status === 'won' ? 'closed-won' : 'closed-lost', at: at(`${closed}T12:00:00`) },
      ],
      ...over,
    }),
  );
const openDeal = (id: string, over: Partial<OpportunitySnapshot> = {}) =>
  applyOpportunitySnapshot(applied(id), snapshot(over));

describe('deal facts', () => {
  it('remember the close day and amount before each change of them, with the day it changed', () => {
    const first = openDeal('d1');
    const renamed = applyOpportunitySnapshot(applied('d1', 2), snapshot({ stageKey: 'proposal' }), first);
    expect(renamed.earlier).toEqual([]);
    const slipped = applyOpportunitySnapshot(
      { ...applied('d1', 3), eventAt: at('2026-12-05T09:00:00') },
      snapshot({ stageKey: 'proposal', expectedCloseDate: '2027-02-28', amountMinor: 80_000 }),
      renamed,
    );
    expect(slipped.earlier).toEqual([
      { untilDay: '2026-12-05', expectedCloseDate: '2027-01-15', amountMinor: 100_000, currency: 'EUR' },
    ]);
  });

  it('keep the close day, the days to close, why it was lost and every stay in a stage it left', () => {
    const d = closedDeal('d1', 'lost', '2026-12-01', { lossReason: 'price', competitor: 'Rival' });
    expect(d).toMatchObject({
      status: 'lost',
      closedDay: '2026-12-01',
      daysToClose: 30.5,
      lossReason: 'price',
    });
    expect(d.stays).toEqual([
      { stage: 'qualification', days: 3.5, leftDay: '2026-11-04' },
      { stage: 'proposal', days: 27, leftDay: '2026-12-01' },
    ]);
  });

  it('forget the loss reason once a lost deal is reopened', () => {
    const reopened = openDeal('d1', { lossReason: 'price', competitor: 'Rival', status: 'open' });
    expect(reopened).toMatchObject({
      status: 'open',
      closedDay: '',
      daysToClose: 0,
      lossReason: '',
      competitor: '',
    });
  });
});

describe('win rate', () => {
  const deals = [
    closedDeal('w1', 'won', '2026-12-01'),
    closedDeal('w2', 'won', '2027-01-10'),
    closedDeal('l1', 'lost', '2026-12-05', { lossReason: 'price', competitor: 'Rival' }),
    closedDeal('l2', 'lost', '2026-12-06', { lossReason: 'price', competitor: '' }),
    closedDeal('l3', 'lost', '2026-12-07', { lossReason: 'timing', competitor: 'Rival' }),
    openDeal('o1'),
  ];

  it('counts the deals closed in the range per period of the close, open deals left out', () => {
    expect(winRate(deals, normaliseQuery({ period: 'month' })).rows).toEqual([
      { period: '2026-12', closed: 4, won: 1, lost: 3, winRate: 0.25 },
      { period: '2027-01', closed: 1, won: 1, lost: 0, winRate: 1 },
    ]);
    expect(winRate(deals, normaliseQuery({ from: '2027-01-01' })).rows).toEqual([
      { period: '', closed: 1, won: 1, lost: 0, winRate: 1 },
    ]);
  });

  it('names the loss reasons and competitors, most frequent first', () => {
    const figure = winRate(deals, all);
    expect(figure.lossReasons).toEqual([
      { key: 'price', deals: 2 },
      { key: 'timing', deals: 1 },
    ]);
    expect(figure.competitors).toEqual([{ key: 'Rival', deals: 2 }]);
  });
});

describe('sales cycle', () => {
  it('gives the average and median days to close, won and lost apart, and the time in each stage', () => {
    const deals = [
      closedDeal('w1', 'won', '2026-11-11'), // 10.5 days
      closedDeal('w2', 'won', '2026-11-21'), // 20.5
      closedDeal('w3', 'won', '2026-12-31'), // 60.5
      closedDeal('l1', 'lost', '2026-11-06'), // 5.5
    ];
    const figure = salesCycle(deals, BUILT_IN_DEFAULT_PIPELINE, all);
    expect(figure.rows).toEqual([
      { period: '', outcome: 'won', deals: 3, averageDays: 30.5, medianDays: 20.5 },
      { period: '', outcome: 'lost', deals: 1, averageDays: 5.5, medianDays: 5.5 },
    ]);
    // In the pipeline's order; every deal stayed 3.5 days in qualification.
    expect(figure.stages.map((s) => [s.stage, s.stays, s.averageDays, s.medianDays])).toEqual([
      ['qualification', 4, 3.5, 3.5],
      ['proposal', 4, 20.75, 12],
    ]);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});

describe('forecast', () => {
  it('weights open deals by their stage, and counts deals won in the month at their full amount', () => {
    const deals = [
      openDeal('o1', { stageKey: 'proposal', expectedCloseDate: '2027-01-15' }), // 60 %
      openDeal('o2', { stageKey: 'negotiation', expectedCloseDate: '2027-01-20', ownerId: 'rep2' }), // 80 %
      openDeal('o3', { stageKey: 'negotiation', expectedCloseDate: '', currency: 'CNY' }),
      closedDeal('w1', 'won', '2027-01-03'),
      closedDeal('l1', 'lost', '2027-01-04'),
    ];
    expect(forecast(deals, pipelines, all)).toEqual([
      expect.objectContaining({
        closePeriod: '2027-01',
        forecastCategory: 'best-case',
        ownerId: 'rep1',
        amountMinor: 100_000,
        weightedAmountMinor: 60_000,
      }),
      expect.objectContaining({
        closePeriod: '2027-01',
        forecastCategory: 'commit',
        ownerId: 'rep2',
        weightedAmountMinor: 80_000,
      }),
      expect.objectContaining({
        closePeriod: '2027-01',
        forecastCategory: 'closed',
        ownerId: 'rep1',
        deals: 1,
        weightedAmountMinor: 100_000,
      }),
      expect.objectContaining({ closePeriod: 'none', forecastCategory: 'commit', currency: 'CNY' }),
    ]);
    // A range bounds the expected close day: a deal without one is left out.
    expect(forecast(deals, pipelines, normaliseQuery({ from: '2027-01-16' })).map((r) => r.ownerId)).toEqual([
      'rep2',
    ]);
  });
});

describe('products', () => {
  const quote = (
    id: string,
    opportunityId: string,
    revision: number,
    status: string,
    quantity: string,
    net: number,
  ) =>
    applyQuoteSnapshot(applied(id), {
      opportunityId,
      revision,
      status,
      currency: 'EUR',
      lines: [
        {
          productId: 'p1',
          productCode: 'ERP',
          productName: 'ERP seat',
          quantityMilli: quantityInMilli(quantity),
          netMinor: net,
        },
      ],
    });

  it('sums the newest sent quote of each won deal, by product and period of the win', () => {
    const deals = [
      closedDeal('w1', 'won', '2026-12-01'),
      closedDeal('w2', 'won', '2026-12-02'),
      closedDeal('l1', 'lost', '2026-12-03'),
      openDeal('o1'),
    ];
    const quotes: QuoteFact[] = [
      quote('q1', 'w1', 1, 'sent', '10', 1_000), // superseded by revision 2
      quote('q2', 'w1', 2, 'sent', '2.5', 500),
      quote('q3', 'w1', 3, 'draft', '99', 99_999), // never sent
      quote('q4', 'w2', 1, 'sent', '1.25', 250),
      quote('q5', 'l1', 1, 'sent', '7', 7_000), // lost
      quote('q6', 'o1', 1, 'sent', '7', 7_000), // still open
    ];
    expect(products(deals, quotes, normaliseQuery({ period: 'month' }))).toEqual([
      {
        period: '2026-12',
        productId: 'p1',
        productCode: 'ERP',
        productName: 'ERP seat',
        currency: 'EUR',
        deals: 2,
        quantity: 3.75,
        revenueMinor: 750,
      },
    ]);
  });

  it('reads quantities to the thousandth', () => {
    expect(quantityInMilli('2.5')).toBe(2500);
    expect(quantityInMilli('12')).toBe(12_000);
    expect(quantityInMilli('0.125')).toBe(125);
  });
});

const ticket = (id: string, over: Partial<TicketSnapshot> = {}): TicketFact =>
  applyTicketSnapshot(applied(id), {
    createdAt: at('2026-12-01T08:00:00'),
    queue: 'general',
    assigneeId: 'agent1',
    priority: 'normal',
    tier: 'A',
    status: 'open',
    slaPolicyId: 'default',
    firstResponseBreached: false,
    resolutionBreached: false,
    statusChanges: [{ from: '', to: 'new' }],
    csatScore: 0,
    ...over,
  });
const resolved = (id: string, over: Partial<TicketSnapshot> = {}) =>
  ticket(id, {
    status: 'resolved',
    firstRespondedAt: at('2026-12-01T08:30:00'),
    resolvedAt: at('2026-12-01T10:00:00'),
    ...over,
  });

describe('ticket facts', () => {
  it('count reopens and forget the resolution of a reopened ticket', () => {
    const t = ticket('t1', {
      status: 'open',
      resolvedAt: at('2026-12-01T10:00:00'),
      statusChanges: [
        { from: '', to: 'new' },
        { from: 'new', to: 'resolved' },
        { from: 'resolved', to: 'open' },
      ],
    });
    expect(t).toMatchObject({ reopens: 1, resolvedDay: '', resolutionMinutes: -1, firstResponseMinutes: -1 });
  });
});

describe('service figures', () => {
  it('backlog: open tickets by queue, priority and status, with the unassigned ones', () => {
    const tickets = [
      ticket('t1'),
      ticket('t2', { assigneeId: '' }),
      ticket('t3', { status: 'pending' }),
      resolved('t4'),
      ticket('t5', { status: 'closed' }),
    ];
    expect(backlog(tickets)).toEqual([
      { queue: 'general', priority: 'normal', status: 'open', tickets: 2, unassigned: 1 },
      { queue: 'general', priority: 'normal', status: 'pending', tickets: 1, unassigned: 0 },
    ]);
  });

  it('sla: compliance of the targets done or missed, running ones in neither', () => {
    const tickets = [
      resolved('t1'),
      resolved('t2', { firstResponseBreached: true, resolutionBreached: true }),
      ticket('t3'), // still running
      ticket('t4', { slaPolicyId: '' }), // no SLA
      ticket('t5', { firstRespondedAt: at('2026-12-01T09:00:00') }),
    ];
    expect(sla(tickets, all)).toEqual([
      {
        period: '',
        queue: 'general',
        tickets: 4,
        firstResponseMet: 2,
        firstResponseBreached: 1,
        firstResponseCompliance: 0.6667,
        resolutionMet: 1,
        resolutionBreached: 1,
        resolutionCompliance: 0.5,
      },
    ]);
  });

  it('resolution time: minutes to resolve and to respond, and the reopen rate, by day of resolution', () => {
    const tickets = [
      resolved('t1'), // 120 min, first response 30
      resolved('t2', {
        priority: 'normal',
        resolvedAt: at('2026-12-01T12:00:00'),
        statusChanges: [{ from: 'resolved', to: 'open' }],
      }), // 240
      resolved('t3', { resolvedAt: at('2026-12-03T08:00:00') }),
      ticket('t4'),
    ];
    expect(resolutionTime(tickets, normaliseQuery({ to: '2026-12-02' }))).toEqual([
      {
        period: '',
        priority: 'normal',
        resolved: 2,
        averageResolutionMinutes: 180,
        medianResolutionMinutes: 180,
        averageFirstResponseMinutes: 30,
        medianFirstResponseMinutes: 30,
        reopened: 1,
        reopenRate: 0.5,
      },
    ]);
  });

  it('csat: average and distribution overall, by agent, queue and tier', () => {
    const tickets = [
      resolved('t1', { csatScore: 5 }),
      resolved('t2', { csatScore: 3, assigneeId: 'agent2', tier: 'B' }),
      resolved('t3'), // not rated
    ];
    const rows = csat(tickets, all);
    expect(rows.map((r) => [r.dimension, r.key, r.rated, r.average, r.distribution])).toEqual([
      ['all', '', 2, 4, [0, 0, 1, 0, 1]],
      ['agent', 'agent1', 1, 5, [0, 0, 0, 0, 1]],
      ['agent', 'agent2', 1, 3, [0, 0, 1, 0, 0]],
      ['queue', 'general', 2, 4, [0, 0, 1, 0, 1]],
      ['tier', 'A', 1, 5, [0, 0, 0, 0, 1]],
      ['tier', 'B', 1, 3, [0, 0, 1, 0, 0]],
    ]);
  });
});
