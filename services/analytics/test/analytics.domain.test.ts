import type { ActivityFact } from '../src/domain/activity-facts';
import type { PaymentFact } from '../src/domain/payment-facts';
import { ValidationError } from '@crm/kit/domain';
import {
  applyLeadChange,
  applyOpportunitySnapshot,
  BUILT_IN_DEFAULT_PIPELINE,
  type LeadFact,
  type OpportunityFact,
  type PipelineFact,
} from '../src/domain/facts';
import { normaliseQuery, periodOf } from '../src/domain/figure-query';
import { funnel, leaderboard, pipelineFigures } from '../src/domain/figures';

const at = (version: number) => ({
  id: 'lead-1',
  version,
  eventAt: new Date('2026-12-01T10:00:00Z'),
  appliedAt: new Date('2026-12-01T10:00:01Z'),
});
const created = {
  kind: 'snapshot' as const,
  createdAt: new Date('2026-12-01T09:00:00Z'),
  ownerId: 'rep1',
  teamId: 'north',
  source: 'web',
  region: 'emea',
  status: 'new' as const,
};
const pipelines = new Map<string, PipelineFact>([['default', BUILT_IN_DEFAULT_PIPELINE]]);
const query = normaliseQuery({});

const lead = (id: string, over: Partial<LeadFact> = {}): LeadFact => ({
  ...applyLeadChange(undefined, { ...at(1), id }, created)!,
  ...over,
});
const deal = (id: string, stage: string, over: Partial<OpportunityFact> = {}): OpportunityFact => ({
  ...applyOpportunitySnapshot(
    { ...at(1), id },
    {
      createdAt: new Date('2026-12-02T00:00:00Z'),
      ownerId: 'rep1',
      teamId: 'north',
      pipelineId: 'default',
      stageKey: stage,
      stagesEntered: ['qualification', stage],
      amountMinor: 10_000,
      currency: 'EUR',
      expectedCloseDate: '2027-01-15',
      status: 'open',
      lossReason: '',
      competitor: '',
      moves: [],
      sourceLeadId: '',
      accountId: 'acc',
    },
  ),
  ...over,
});

describe('lead facts', () => {
  it('remember that a lead reached qualified after it is disqualified', () => {
    let fact = applyLeadChange(undefined, at(1), created);
    fact = applyLeadChange(fact, at(2), { kind: 'status', to: 'qualified' });
    fact = applyLeadChange(fact, at(3), { kind: 'status', to: 'disqualified' });
    expect(fact).toMatchObject({ day: '2026-12-01', qualified: true, converted: false, version: 3 });
  });

  it('follow an assignment and a conversion', () => {
    let fact = applyLeadChange(undefined, at(1), created);
    fact = applyLeadChange(fact, at(2), { kind: 'assigned', ownerId: 'rep2', teamId: 'south' });
    fact = applyLeadChange(fact, at(3), { kind: 'converted' });
    expect(fact).toMatchObject({ ownerId: 'rep2', teamId: 'south', qualified: true, converted: true });
  });

  it('cannot place a change of a lead whose creation was never seen', () => {
    expect(applyLeadChange(undefined, at(4), { kind: 'converted' })).toBeUndefined();
  });
});

describe('funnel', () => {
  it('counts each step with its conversion rate and drop-off', () => {
    const leads = [
      lead('a', { qualified: true, converted: true }),
      lead('b', { qualified: true }),
      lead('c'),
      lead('d'),
    ];
    const deals = [
      deal('x', 'qualification'),
      deal('y', 'proposal', { stagesReached: ['qualification', 'proposal'] }),
    ];
    const steps = funnel(leads, deals, BUILT_IN_DEFAULT_PIPELINE, pipelines, query);
    const byStep = Object.fromEntries(steps.map((s) => [s.step, s]));
    expect(byStep.lead).toMatchObject({ count: 4, conversionRate: 1, dropOff: 0 });
    expect(byStep.qualified).toMatchObject({ count: 2, conversionRate: 0.5, dropOff: 2 });
    expect(byStep.converted).toMatchObject({ count: 1, conversionRate: 0.5, dropOff: 1 });
    expect(byStep.opportunity).toMatchObject({ count: 2 });
    // A deal in proposal passed needs-analysis and solution even if it skipped them.
    expect(byStep['stage:needs-analysis']).toMatchObject({ count: 1, dropOff: 1 });
    expect(byStep['stage:solution']).toMatchObject({ count: 1, dropOff: 0 });
    expect(byStep['stage:negotiation']).toMatchObject({ count: 0, dropOff: 1 });
    expect(byStep.won).toMatchObject({ count: 0, conversionRate: 0 });
    expect(steps.map((s) => s.step)).toEqual([
      'lead',
      'qualified',
      'converted',
      'opportunity',
      'stage:qualification',
      'stage:needs-analysis',
      'stage:solution',
      'stage:proposal',
      'stage:negotiation',
      'won',
    ]);
  });

  it('groups by period', () => {
    const steps = funnel(
      [lead('a'), lead('b', { day: '2027-01-03' })],
      [],
      BUILT_IN_DEFAULT_PIPELINE,
      pipelines,
      normaliseQuery({ period: 'month' }),
    );
    expect(steps.filter((s) => s.step === 'lead').map((s) => [s.period, s.count])).toEqual([
      ['2026-12', 1],
      ['2027-01', 1],
    ]);
  });
});

describe('pipeline', () => {
  it('sums open and weighted amounts by close month and forecast category, leaving closed deals out', () => {
    const rows = pipelineFigures(
      [
        deal('x', 'qualification'),
        deal('y', 'negotiation', { amountMinor: 50_000 }),
        deal('z', 'negotiation', { amountMinor: 25_001, expectedCloseDate: '2027-01-31' }),
        deal('w', 'closed-won'),
        deal('v', 'proposal', { expectedCloseDate: '' }),
      ],
      pipelines,
      query,
    );
    expect(rows).toEqual([
      {
        closePeriod: '2027-01',
        forecastCategory: 'pipeline',
        currency: 'EUR',
        deals: 1,
        amountMinor: 10_000,
        weightedAmountMinor: 1_000,
      },
      {
        closePeriod: '2027-01',
        forecastCategory: 'commit',
        currency: 'EUR',
        deals: 2,
        amountMinor: 75_001,
        weightedAmountMinor: 60_001,
      },
      {
        closePeriod: 'none',
        forecastCategory: 'best-case',
        currency: 'EUR',
        deals: 1,
        amountMinor: 10_000,
        weightedAmountMinor: 6_000,
      },
    ]);
  });
});

describe('leaderboard', () => {
  it('ranks reps by amount won, with their conversions', () => {
    const rows = leaderboard(
      [lead('a', { converted: true }), lead('b'), lead('c', { ownerId: 'rep2' })],
      [deal('x', 'closed-won', { ownerId: 'rep2', amountMinor: 7_000 }), deal('y', 'proposal')],
      pipelines,
      query,
    );
    expect(rows).toEqual([
      {
        ownerId: 'rep2',
        period: '',
        leads: 1,
        leadsConverted: 0,
        conversionRate: 0,
        deals: 1,
        dealsWon: 1,
        won: [{ currency: 'EUR', amountMinor: 7_000 }],
        paymentsCollected: [],
        activities: [],
      },
      {
        ownerId: 'rep1',
        period: '',
        leads: 2,
        leadsConverted: 1,
        conversionRate: 0.5,
        deals: 1,
        dealsWon: 0,
        won: [],
        paymentsCollected: [],
        activities: [],
      },
    ]);
  });

  it("counts a rep's activities by kind and the money collected on their deals in the range", () => {
    const stamp = { version: 1, eventAt: new Date(), appliedAt: new Date() };
    const activity = (
      id: string,
      kind: ActivityFact['kind'],
      day: string,
      ownerId = 'rep3',
    ): ActivityFact => ({
      _id: id,
      ...stamp,
      kind,
      day,
      ownerId,
      teamId: 'north',
    });
    const payment = (
      id: string,
      receivedDate: string,
      amountMinor: number,
      status = 'received',
    ): PaymentFact => ({
      _id: id,
      ...stamp,
      day: '2026-11-30',
      opportunityId: 'd',
      accountId: 'a',
      ownerId: 'rep3',
      teamId: 'north',
      currency: 'CNY',
      amountMinor,
      status,
      receivedDate,
      receivedAmountMinor: status === 'received' ? amountMinor : 0,
      removed: false,
    });
    const rows = leaderboard(
      [],
      [],
      pipelines,
      normaliseQuery({ from: '2026-12-01', to: '2026-12-31' }),
      [
        activity('v1', 'visit', '2026-12-02'),
        activity('c1', 'call', '2026-12-03'),
        activity('v2', 'visit', '2026-12-04'),
        activity('t-open', 'task', ''),
        activity('t-done', 'task', '2026-12-05'),
      ],
      [payment('p1', '2026-12-02', 300), payment('p2', '2026-11-28', 500), payment('p3', '', 700, 'planned')],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        ownerId: 'rep3',
        leads: 0,
        paymentsCollected: [{ currency: 'CNY', amountMinor: 300 }],
        activities: [
          { kind: 'call', count: 1 },
          { kind: 'visit', count: 2 },
          { kind: 'task', count: 1 },
        ],
      }),
    ]);
  });
});

describe('figure queries', () => {
  it('name every bad field', () => {
    expect(() => normaliseQuery({ from: '2026-02-30', to: 'soon', period: 'year' })).toThrow(ValidationError);
    try {
      normaliseQuery({ from: '2026-12-31', to: '2026-12-01' });
    } catch (err) {
      expect((err as ValidationError).violations).toEqual([
        { field: 'to', description: 'must not be before from' },
      ]);
    }
  });

  it.each([
    ['2026-12-01', 'week', '2026-W49'],
    ['2027-01-01', 'week', '2026-W53'],
    ['2026-01-01', 'week', '2026-W01'],
    ['2026-12-01', 'quarter', '2026-Q4'],
    ['2026-02-14', 'month', '2026-02'],
  ] as const)('puts %s in the %s %s', (day, period, expected) => {
    expect(periodOf(day, period)).toBe(expected);
  });
});
