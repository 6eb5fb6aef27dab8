import { ConflictError, foldName, ValidationError } from '@crm/kit';
import {
  checkNoCycle,
  dedupeKeys,
  normaliseAccountInput,
  normaliseDomain,
  type RawAccountInput,
} from '../src/domain/account';
import { idFromCreationKey, uuidV5 } from '../src/domain/ids';
import { compareDecimal } from '../src/domain/money';
import { newAccount } from './support/inputs';

const input = (over: Partial<RawAccountInput> = {}) => newAccount('Sinopec', over);

describe('normalising a website domain', () => {
  it.each([
    ['https://www.Example.com/about?x=1', 'example.com'],
    ['http://user:pw@shop.example.co.uk:8080/path', 'shop.example.co.uk'],
    ['EXAMPLE.com.', 'example.com'],
    ['www2.example.org', 'example.org'],
    ['//cdn.example.net/x', 'cdn.example.net'],
    ['Bücher.de', 'xn--bcher-kva.de'],
    ['  ', ''],
  ])('%s -> %s', (raw, domain) => {
    expect(normaliseDomain(raw)).toBe(domain);
  });

  it.each(['localhost', 'not a domain', 'http://-bad-.com', 'example.c0m', '1.2.3.4', 'a..b.com'])(
    'rejects %s',
    (raw) => {
      expect(normaliseDomain(raw)).toBeUndefined();
    },
  );
});

describe('normalising an account', () => {
  it('trims, lower-cases industry and region, and stores the domain', () => {
    const a = normaliseAccountInput(
      input({
        name: '  Sinopec   Group ',
        website: 'https://www.sinopec.com/',
        industry: 'Energy',
        region: 'APAC',
      }),
    );
    expect(a).toMatchObject({
      name: 'Sinopec Group',
      domain: 'sinopec.com',
      industry: 'energy',
      region: 'apac',
    });
  });

  it('reports every bad field at once', () => {
    try {
      normaliseAccountInput(
        input({
          name: ' ',
          website: 'nope',
          size: -1,
          lifecycle: 'ex' as never,
          annualRevenue: { currencyCode: 'dollars', amount: '1,000' },
        }),
      );
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const fields = (err as ValidationError).violations.map((v) => v.field).sort();
      expect(fields).toEqual(
        ['annualRevenue.amount', 'annualRevenue.currencyCode', 'lifecycle', 'name', 'size', 'website'].sort(),
      );
    }
  });

  it('upper-cases the currency and treats an empty amount as unset', () => {
    const a = normaliseAccountInput(
      input({
        annualRevenue: { currencyCode: 'usd', amount: '1500000.50' },
        openPipeline: { currencyCode: '', amount: '' },
      }),
    );
    expect(a.annualRevenue).toEqual({ currencyCode: 'USD', amount: '1500000.50' });
    expect(a.openPipeline).toBeUndefined();
  });
});

describe('duplicate keys', () => {
  it('folds legal suffixes, case, accents and punctuation', () => {
    expect(foldName('ACME, Inc.')).toBe(foldName('Acme'));
    expect(foldName('Société Générale SA')).toBe('societe generale');
  });

  it('keys on domain and folded name', () => {
    expect(dedupeKeys({ name: 'ACME Corp', domain: 'acme.com' })).toEqual(['domain:acme.com', 'name:acme']);
    expect(dedupeKeys({ name: 'Acme', domain: '' })).toEqual(['name:acme']);
  });
});

describe('hierarchy cycles', () => {
  const parents = new Map([
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
  ]);
  const parentOf = (id: string) => parents.get(id);

  it('accepts a parent whose ancestors do not include the account', () => {
    expect(() => checkNoCycle('x', 'd', parentOf)).not.toThrow();
    expect(() => checkNoCycle('x', '', parentOf)).not.toThrow();
  });

  it('rejects the account itself and any descendant as parent', () => {
    expect(() => checkNoCycle('a', 'a', parentOf)).toThrow(ConflictError);
    // a -> d would close a -> d -> c -> b -> a
    expect(() => checkNoCycle('a', 'd', parentOf)).toThrow(/cycle/);
  });

  it('rejects chains deeper than the limit', () => {
    const deep = (id: string) => (Number(id) < 100 ? String(Number(id) + 1) : undefined);
    expect(() => checkNoCycle('x', '0', deep)).toThrow(/deeper/);
  });
});

describe('ids from creation keys', () => {
  it('computes RFC 9562 version 5 UUIDs', () => {
    // Test vector: uuid5(NAMESPACE_DNS, "python.org") from RFC 9562 / Python's uuid module.
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('is stable per key and differs per record type', () => {
    const a = idFromCreationKey('account', 'convert:lead-1');
    expect(idFromCreationKey('account', 'convert:lead-1')).toBe(a);
    expect(idFromCreationKey('contact', 'convert:lead-1')).not.toBe(a);
    expect(idFromCreationKey('account', 'convert:lead-2')).not.toBe(a);
  });
});

describe('decimal amounts', () => {
  it('compares exactly', () => {
    expect(compareDecimal('1000000.10', '1000000.1')).toBe(0);
    expect(compareDecimal('999999.999999', '1000000')).toBe(-1);
    expect(compareDecimal('-1', '0')).toBe(-1);
    expect(compareDecimal('12', '9.5')).toBe(1);
  });
});
