import { conditionHolds, parseCondition } from '../src/domain/condition';
import { choosePolicy, normalisePolicyInput, type PolicyInput } from '../src/domain/policy';
import { ValidationError } from '@crm/kit/domain';

const violationsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.violations;
    throw err;
  }
  throw new Error('expected a ValidationError');
};

describe('policy conditions', () => {
  it('reads the snapshot fields the condition names, with and/or in words', () => {
    const c = 'discountPercent > 15 or totalMinor >= 100000000';
    expect(parseCondition(c)).toEqual({ fields: ['discountPercent', 'totalMinor'] });
    expect(conditionHolds(c, { discountPercent: 25, totalMinor: 100 })).toBe(true);
    expect(conditionHolds(c, { discountPercent: 5, totalMinor: 200000000 })).toBe(true);
    expect(conditionHolds(c, { discountPercent: 15, totalMinor: 99999999 })).toBe(false);
  });

  it('binds and tighter than or', () => {
    const c = 'a > 0 or b > 0 and c > 0';
    expect(conditionHolds(c, { a: 1, b: 0, c: 0 })).toBe(true);
    expect(conditionHolds(c, { a: 0, b: 1, c: 0 })).toBe(false);
  });

  it('treats a missing field as not matching instead of failing', () => {
    expect(conditionHolds('discountPercent > 20', {})).toBe(false);
    expect(conditionHolds('currency in ["CNY", "EUR"]', { currency: 'EUR' })).toBe(true);
  });

  it('cannot reach anything but the snapshot', () => {
    // Jexl refuses names of Object.prototype outright, so such a condition is never saved.
    expect(parseCondition('constructor == 1')).toEqual({ error: expect.stringContaining('does not parse') });
    expect(conditionHolds('a == 1', Object.assign(Object.create({ a: 1 }), {}))).toBe(false);
    expect(parseCondition('a.b > 1')).toEqual({ error: expect.stringContaining('nested') });
    expect(parseCondition('a|upper')).toEqual({ error: expect.stringContaining('FunctionCall') });
    expect(parseCondition('max(a, 1) > 0')).toEqual({ error: expect.stringContaining('FunctionCall') });
    expect(parseCondition('discountPercent >')).toEqual({ error: expect.stringContaining('does not parse') });
  });
});

const quotePolicy = (over: Partial<PolicyInput> = {}): Partial<PolicyInput> => ({
  name: 'Big discounts',
  subjectType: 'quote',
  condition: 'discountPercent > 20',
  steps: [
    {
      name: 'Manager',
      userIds: [],
      roles: [],
      requesterManager: true,
      mode: 'any',
      timeLimitMinutes: 0,
      escalateTo: '',
      escalateToUserId: '',
    },
  ],
  ...over,
});

describe('policy validation when saved', () => {
  it('names a field the subject type does not have', () => {
    const v = violationsOf(() => normalisePolicyInput(quotePolicy({ condition: 'discount > 20' })));
    expect(v).toEqual([
      { field: 'condition', description: expect.stringContaining('reads discount, not a field of quote') },
    ]);
  });

  it('accepts fields a registered type declares', () => {
    const p = normalisePolicyInput(
      quotePolicy({ subjectType: 'contract', condition: 'termMonths >= 36', snapshotFields: ['termMonths'] }),
    );
    expect(p.snapshotFields).toEqual(['termMonths']);
  });

  it('reports every problem of the steps at once', () => {
    const v = violationsOf(() =>
      normalisePolicyInput(
        quotePolicy({
          steps: [
            {
              name: '',
              userIds: [],
              roles: ['pope'],
              requesterManager: false,
              mode: 'any',
              timeLimitMinutes: 0,
              escalateTo: '',
              escalateToUserId: '',
            },
            {
              name: '',
              userIds: ['u1'],
              roles: [],
              requesterManager: false,
              mode: 'any',
              timeLimitMinutes: 60,
              escalateTo: 'user',
              escalateToUserId: '',
            },
          ],
        }),
      ),
    ).map((x) => x.field);
    expect(v).toEqual(['steps[0].roles[0]', 'steps[1].escalateToUserId']);
  });

  it('defaults an escalation with a time limit to the next level', () => {
    const p = normalisePolicyInput(
      quotePolicy({ steps: [{ userIds: ['u1'], timeLimitMinutes: 1 } as never] }),
    );
    expect(p.steps[0]).toMatchObject({ mode: 'any', escalateTo: 'next-level', timeLimitMinutes: 1 });
  });

  it('picks the matching active policy with the lowest priority', () => {
    const a = {
      id: 'a',
      version: 1,
      policy: normalisePolicyInput(quotePolicy({ priority: 10, condition: 'discountPercent > 30' })),
    };
    const b = { id: 'b', version: 1, policy: normalisePolicyInput(quotePolicy({ priority: 20 })) };
    const off = {
      id: 'c',
      version: 1,
      policy: normalisePolicyInput(quotePolicy({ priority: 1, active: false })),
    };
    expect(choosePolicy([b, a, off], 'quote', { discountPercent: 35 })?.id).toBe('a');
    expect(choosePolicy([b, a, off], 'quote', { discountPercent: 25 })?.id).toBe('b');
    expect(choosePolicy([b, a, off], 'quote', { discountPercent: 5 })).toBeUndefined();
    expect(choosePolicy([b, a, off], 'payment', { discountPercent: 35 })).toBeUndefined();
  });
});
