import { ValidationError } from '@crm/kit';
import { type AssignmentRule, findRule, pickMember, validateAssignmentRules } from '../src/domain/assignment';
import type { LeadInput } from '../src/domain/lead';
import { scoreLead, validateScoringRules } from '../src/domain/scoring';

const lead = (over: Partial<LeadInput> = {}): LeadInput => ({
  firstName: '',
  lastName: 'Li',
  email: '',
  phone: '',
  company: '',
  title: '',
  contactLevel: '',
  region: 'east',
  industry: 'energy',
  source: 'web',
  attributes: {},
  ...over,
});

const rule = (over: Partial<AssignmentRule> = {}): AssignmentRule => ({
  id: 'r1',
  name: 'East energy',
  teamId: 'sales-east',
  members: ['rep1', 'rep2'],
  match: { regions: ['East'], industries: [], sources: [], contactLevels: [] },
  ...over,
});

describe('assignment rules', () => {
  it('first matching rule wins, case-insensitively, and company size bounds apply', () => {
    const big = rule({
      id: 'big',
      match: { regions: [], industries: [], sources: [], contactLevels: [], companySizeMin: 1000 },
    });
    expect(findRule(lead({ companySize: 5000 }), [big, rule()])?.id).toBe('big');
    expect(findRule(lead({ companySize: 10 }), [big, rule()])?.id).toBe('r1');
    expect(findRule(lead({ region: 'west' }), [rule()])).toBeUndefined();
  });

  it('round-robins and skips members at their cap of open leads', () => {
    const r = rule({ maxOpenLeadsPerRep: 2 });
    expect(pickMember(r, 0, () => 0)?.member).toBe('rep1');
    expect(pickMember(r, 1, () => 0)?.member).toBe('rep2');
    expect(pickMember(r, 2, () => 0)?.member).toBe('rep1');
    expect(pickMember(r, 0, (m) => (m === 'rep1' ? 2 : 0))?.member).toBe('rep2');
    expect(pickMember(r, 0, () => 2)).toBeUndefined();
  });

  it('rejects a rule without members or with an impossible size range', () => {
    expect(() => validateAssignmentRules([rule({ members: [] })], 'inbox')).toThrow(ValidationError);
    const bad = rule({
      match: {
        regions: [],
        industries: [],
        sources: [],
        contactLevels: [],
        companySizeMin: 10,
        companySizeMax: 5,
      },
    });
    expect(() => validateAssignmentRules([bad], 'inbox')).toThrow(ValidationError);
    expect(() => validateAssignmentRules([rule()], '')).toThrow(ValidationError);
  });
});

describe('scoring', () => {
  it('adds the points of every matching rule', () => {
    const rules = [
      { id: 'a', field: 'industry' as const, values: ['Energy'], present: false, points: 20 },
      { id: 'b', field: 'companySize' as const, values: [], min: 1000, present: false, points: 30 },
      { id: 'c', field: 'phone' as const, values: [], present: true, points: 5 },
    ];
    validateScoringRules(rules);
    expect(scoreLead(lead({ companySize: 2000, phone: '+4930123456' }), rules)).toBe(55);
    expect(scoreLead(lead({ industry: 'retail' }), rules)).toBe(0);
  });

  it('refuses a rule with two conditions or an unknown field', () => {
    expect(() =>
      validateScoringRules([{ id: 'a', field: 'industry', values: ['x'], present: true, points: 1 }]),
    ).toThrow(ValidationError);
    expect(() =>
      validateScoringRules([
        { id: 'a', field: 'shoeSize' as never, values: ['x'], present: false, points: 1 },
      ]),
    ).toThrow(ValidationError);
  });
});
