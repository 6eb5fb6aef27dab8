import { checkPattern } from '../src';

describe('checkPattern', () => {
  it.each([
    '^[A-Z]{2}-\\d{4}$',
    '^PO-\\d+$',
    '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$',
    '^(DE|FR|IT)\\d{9}$',
    '(?:ab){3}',
    '^(?<area>\\d{3})-\\d{4}$',
    '(?<=x)y',
    '^(a+)?$',
    '[(+*)]+',
    '\\(a+\\)+',
    '^\\d+?x$',
  ])('accepts %s', (p) => {
    expect(checkPattern(p)).toBeUndefined();
  });

  it.each([
    ['(a+)+$', 'repeat a group'],
    ['^(a*)*b', 'repeat a group'],
    ['(a|aa)+', 'repeat a group'],
    ['(\\w+\\.)*x', 'repeat a group'],
    ['((ab)*c)+', 'repeat a group'],
    ['(?:a+){2,}', 'repeat a group'],
    ['(x+){2,5}', 'repeat a group'],
    ['(?:a|b)*', 'repeat a group'],
    ['(a)\\1', 'back-references'],
    ['(?<n>a)\\k<n>', 'back-references'],
    ['(', 'not a valid regular expression'],
    ['[z-a]', 'not a valid regular expression'],
    ['a'.repeat(201), 'at most 200'],
  ])('refuses %s', (p, why) => {
    expect(checkPattern(p)).toContain(why);
  });

  it('keeps a catastrophic pattern from ever being evaluated', () => {
    // (a+)+$ on 30 a's and a b would backtrack ~2^30 times; the check refuses it without running it.
    const started = Date.now();
    expect(checkPattern('^(a+)+$')).toBeDefined();
    expect(Date.now() - started).toBeLessThan(100);
  });
});
