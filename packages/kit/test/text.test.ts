import { escapeRegex, foldName, normaliseEmail, normalisePhone } from '../src/text';

describe('text normalisation', () => {
  it('makes a fullwidth or zero-width-spaced email equal to the plain one', () => {
    expect(normaliseEmail('ｌ１．Chen@Example.com')).toBe('l1.chen@example.com');
    expect(normaliseEmail('li.chen\u200b@example.com ')).toBe('li.chen@example.com');
  });

  it('formats phones as E.164 and refuses what is not a number', () => {
    expect(normalisePhone('(415) 555-2671')).toBe('+14155552671');
    expect(normalisePhone('+49 30 901820')).toBe('+4930901820');
    expect(normalisePhone('call me')).toBeUndefined();
  });

  it('folds case, accents, punctuation and legal suffixes out of names', () => {
    expect(foldName('ACME, Inc.')).toBe(foldName('Acme'));
    expect(foldName('Société Générale SA')).toBe('societe generale');
  });

  it('escapes regular expression syntax in search text', () => {
    expect(new RegExp(escapeRegex('a.b*(c)')).test('a.b*(c)')).toBe(true);
    expect(new RegExp(escapeRegex('a.b')).test('axb')).toBe(false);
  });
});
