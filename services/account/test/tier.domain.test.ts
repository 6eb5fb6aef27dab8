import { ValidationError } from '@crm/kit';
import {
  checkOverride,
  computeTier,
  effectiveTier,
  RETIER_SETTLE_MS,
  retierPending,
  retierSettled,
  tierIsStale,
  type TierRule,
  validateTierRules,
} from '../src/domain/tier';

const rule = (over: Partial<TierRule>): TierRule => ({
  id: 'r',
  name: '',
  tier: 'A',
  industries: [],
  ...over,
});
const usd = (amount: string) => ({ currencyCode: 'USD', amount });

const rules: TierRule[] = [
  rule({ id: 'strategic', tier: 'strategic', annualRevenueMin: usd('1000000') }),
  rule({ id: 'pipeline', tier: 'A', openPipelineMin: usd('500000') }),
  rule({ id: 'energy-big', tier: 'B', industries: ['Energy'], sizeMin: 1000 }),
];
const set = { rules, defaultTier: 'C' as const };
const account = (over: object = {}) => ({ industry: '', ...over });

describe('tier rules', () => {
  it('the first matching rule wins', () => {
    expect(computeTier(account({ annualRevenue: usd('2000000'), openPipeline: usd('900000') }), set)).toEqual(
      {
        tier: 'strategic',
        ruleId: 'strategic',
      },
    );
    expect(computeTier(account({ annualRevenue: usd('10'), openPipeline: usd('500000.00') }), set)).toEqual({
      tier: 'A',
      ruleId: 'pipeline',
    });
  });

  it('matches industry case-insensitively and needs a known size for a size condition', () => {
    expect(computeTier(account({ industry: 'energy', size: 5000 }), set).tier).toBe('B');
    expect(computeTier(account({ industry: 'energy' }), set).tier).toBe('C');
  });

  it('falls back to the default tier, and money in another currency does not match', () => {
    expect(computeTier(account(), set)).toEqual({ tier: 'C', ruleId: '' });
    expect(
      computeTier(account({ annualRevenue: { currencyCode: 'EUR', amount: '5000000' } }), set).tier,
    ).toBe('C');
  });

  it('a manual override wins over the computed tier', () => {
    expect(
      effectiveTier('C', { tier: 'strategic', reason: 'board decision', setBy: 'u', setAt: new Date() }),
    ).toBe('strategic');
    expect(effectiveTier('B', null)).toBe('B');
  });

  it('validates the rule set and reports every problem', () => {
    try {
      validateTierRules({
        defaultTier: 'Z' as never,
        rules: [
          rule({ id: 'x', tier: 'D' as never }),
          rule({
            id: 'x',
            sizeMin: 10,
            sizeMax: 5,
            annualRevenueMin: { currencyCode: 'usd', amount: 'lots' },
          }),
        ],
      });
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).violations.map((v) => v.field)).toEqual([
        'defaultTier',
        'rules[0].tier',
        'rules[1].id',
        'rules[1].annualRevenueMin.currencyCode',
        'rules[1].annualRevenueMin.amount',
        'rules[1].sizeMin',
      ]);
    }
    expect(() => validateTierRules(set)).not.toThrow();
  });

  it('an override needs a known tier and a reason', () => {
    expect(() => checkOverride('A', 'key account')).not.toThrow();
    expect(() => checkOverride('platinum', '')).toThrow(ValidationError);
  });
});

describe('tier rules on the RFM segment', () => {
  const bySegment = {
    defaultTier: 'C' as const,
    rules: [
      rule({ id: 'best', tier: 'strategic', rfmSegments: ['champions', 'loyal'] }),
      rule({ id: 'slipping', tier: 'B', rfmSegments: ['at-risk', 'cannot-lose'] }),
    ],
  };

  it('matches only accounts analytics scored into a listed segment; an unscored account matches none', () => {
    expect(computeTier(account({ rfmSegment: 'loyal' }), bySegment)).toEqual({
      tier: 'strategic',
      ruleId: 'best',
    });
    expect(computeTier(account({ rfmSegment: 'at-risk' }), bySegment).tier).toBe('B');
    expect(computeTier(account({ rfmSegment: 'hibernating' }), bySegment).tier).toBe('C');
    expect(computeTier(account({ rfmSegment: '' }), bySegment).tier).toBe('C');
    expect(computeTier(account(), bySegment).tier).toBe('C');
  });

  it('a rule stored before segments existed (no list) still matches on its other conditions', () => {
    const old = {
      defaultTier: 'C' as const,
      rules: [rule({ id: 'any', tier: 'A', rfmSegments: undefined })],
    };
    expect(computeTier(account({ rfmSegment: 'champions' }), old).tier).toBe('A');
  });

  it('refuses a segment analytics does not know, naming it', () => {
    let violations: { field: string; description: string }[] = [];
    try {
      validateTierRules({ defaultTier: 'C', rules: [rule({ rfmSegments: ['loyal', 'vip'] })] });
    } catch (err) {
      violations = (err as ValidationError).violations;
    }
    expect(violations).toEqual([
      {
        field: 'rules[0].rfmSegments',
        description: expect.stringMatching(/^unknown vip: must be of champions, /),
      },
    ]);
  });
});

describe('re-tiering after a rule change', () => {
  const at = new Date('2026-12-01T12:00:00Z');
  const plus = (ms: number) => new Date(at.getTime() + ms);

  it('an account is stale when its tier came from older rules (or from before any rules)', () => {
    expect(tierIsStale({ tierRulesVersion: 2 }, 3)).toBe(true);
    expect(tierIsStale({}, 1)).toBe(true);
    expect(tierIsStale({ tierRulesVersion: 3 }, 3)).toBe(false);
    // computed under newer rules than a pass read (an edit raced the pass): not re-tiered backwards
    expect(tierIsStale({ tierRulesVersion: 4 }, 3)).toBe(false);
    expect(tierIsStale({}, 0)).toBe(false);
  });

  it('a rule change stays pending until a pass closes it, which waits for late writes', () => {
    expect(retierPending({ version: 3, retieredVersion: 2 })).toBe(true);
    expect(retierPending({ version: 3, retieredVersion: 3 })).toBe(false);
    expect(retierPending({ version: 0 })).toBe(false);
    expect(retierSettled({ version: 3, updatedAt: at }, plus(RETIER_SETTLE_MS - 1))).toBe(false);
    expect(retierSettled({ version: 3, updatedAt: at }, plus(RETIER_SETTLE_MS))).toBe(true);
  });
});
