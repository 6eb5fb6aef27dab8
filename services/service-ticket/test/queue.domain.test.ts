import { normaliseRules, routeTicket } from '../src/domain/assignment-rules';
import { escalationTarget, leastLoaded, nextInTurn } from '../src/domain/queue';

const queue = (...members: [string, 'available' | 'away'][]) => ({
  members: members.map(([userId, availability]) => ({ userId, availability })),
});

describe('handing out tickets', () => {
  it('round robin takes the next available member after the previous one, wrapping around', () => {
    const q = queue(['ann', 'available'], ['bob', 'away'], ['cy', 'available']);
    expect(nextInTurn(q, undefined)).toBe('ann');
    expect(nextInTurn(q, 'ann')).toBe('cy');
    expect(nextInTurn(q, 'cy')).toBe('ann');
    expect(nextInTurn(q, 'gone')).toBe('ann');
    expect(nextInTurn(queue(['ann', 'away']), 'ann')).toBeUndefined();
  });

  it('least loaded takes the available member with the fewest open tickets; a tie goes in turn', () => {
    const q = queue(['ann', 'available'], ['bob', 'available'], ['cy', 'away']);
    expect(
      leastLoaded(
        q,
        new Map([
          ['ann', 3],
          ['bob', 1],
        ]),
        undefined,
      ),
    ).toBe('bob');
    expect(
      leastLoaded(
        q,
        new Map([
          ['ann', 1],
          ['bob', 1],
        ]),
        'ann',
      ),
    ).toBe('bob');
    expect(
      leastLoaded(
        q,
        new Map([
          ['ann', 1],
          ['bob', 1],
        ]),
        'bob',
      ),
    ).toBe('ann');
    expect(leastLoaded(queue(['cy', 'away']), new Map(), undefined)).toBeUndefined();
  });

  it('escalates to the senior queue, else to the manager', () => {
    expect(escalationTarget({ seniorQueue: 'tier-2', managerId: 'lead' })).toEqual({
      queue: 'tier-2',
      managerId: '',
    });
    expect(escalationTarget({ seniorQueue: '', managerId: 'lead' })).toEqual({
      queue: '',
      managerId: 'lead',
    });
    expect(escalationTarget(undefined)).toEqual({ queue: '', managerId: '' });
  });
});

describe('assignment rules', () => {
  const rules = normaliseRules({
    rules: [
      {
        name: 'Urgent outages',
        when: { categories: ['outage'], tiers: [], channels: [], priorities: ['urgent'] },
        queue: 'ops',
      },
      {
        name: 'Key billing',
        when: { categories: ['Billing'], tiers: ['a', 'strategic'], channels: [], priorities: [] },
        queue: 'billing',
      },
      {
        name: 'Phones',
        when: { categories: [], tiers: [], channels: ['phone'], priorities: [] },
        queue: 'phone',
      },
    ],
    defaultQueue: '',
  });
  const route = (t: Partial<Parameters<typeof routeTicket>[1]>, active = (_q: string) => true) =>
    routeTicket(rules, { category: '', accountTier: '', channel: 'email', priority: 'normal', ...t }, active)
      .queue;

  it('spells keys and tiers as stored and defaults to the support queue', () => {
    expect(rules.rules[1]!.when).toMatchObject({ categories: ['billing'], tiers: ['A', 'strategic'] });
    expect(rules.defaultQueue).toBe('support');
  });

  it('the first matching rule wins; an empty condition matches anything; no match is the default queue', () => {
    expect(route({ category: 'billing', accountTier: 'A', channel: 'phone' })).toBe('billing');
    expect(route({ category: 'billing', accountTier: 'B', channel: 'phone' })).toBe('phone');
    expect(route({ category: 'outage', priority: 'urgent', channel: 'phone' })).toBe('ops');
    expect(route({ category: 'billing', accountTier: 'C' })).toBe('support');
    // A rule whose queue is inactive is passed over.
    expect(route({ category: 'billing', accountTier: 'A', channel: 'phone' }, (q) => q !== 'billing')).toBe(
      'phone',
    );
  });

  it('names every bad condition', () => {
    expect(() =>
      normaliseRules({
        rules: [
          {
            name: '',
            when: { categories: ['no way'], tiers: ['Z'], channels: ['fax'], priorities: ['asap'] },
            queue: 'Bad Queue',
          },
        ],
        defaultQueue: 'support',
      }),
    ).toThrow(
      expect.objectContaining({
        violations: [
          expect.objectContaining({ field: 'rules[0].name' }),
          expect.objectContaining({ field: 'rules[0].queue' }),
          expect.objectContaining({ field: 'rules[0].when.categories' }),
          expect.objectContaining({ field: 'rules[0].when.tiers' }),
          expect.objectContaining({ field: 'rules[0].when.channels' }),
          expect.objectContaining({ field: 'rules[0].when.priorities' }),
        ],
      }),
    );
  });
});
