import { ValidationError } from '@crm/kit';
import {
  checkOverride,
  computeTier,
  effectiveTier,
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
