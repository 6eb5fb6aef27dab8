import { ConflictError, foldName, ValidationError } from '@crm/kit';
import { checkTransition, dedupeKeys, type LeadInput, normaliseLeadInput } from '../src/domain/lead';

const input = (over: Partial<LeadInput> = {}): LeadInput => ({
  firstName: 'Wei',
  lastName: 'Li',
  email: '',
  phone: '',
  company: '',
  title: '',
  contactLevel: '',
  region: '',
  industry: '',
  source: '',
  attributes: {},
  ...over,
});

describe('normalising a lead', () => {
  it('lower-cases the email, formats the phone as E.164 and trims the company', () => {
    const lead = normaliseLeadInput(
      input({ email: ' Wei.Li@Sinopec.COM ', phone: '+86 138-0013-8000', company: '  Sinopec   Group ' }),
    );
    expect(lead.email).toBe('wei.li@sinopec.com');
    expect(lead.phone).toBe('+8613800138000');
    expect(lead.company).toBe('Sinopec Group');
  });

  it('reports every bad field at once', () => {
    try {
      normaliseLeadInput(
        input({ lastName: ' ', email: 'not-an-email', phone: '12', contactLevel: 'emperor' }),
      );
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).violations.map((v) => v.field).sort()).toEqual([
        'contactLevel',
        'email',
        'lastName',
        'phone',
      ]);
    }
  });

  it('rejects an over-long field', () => {
    expect(() => normaliseLeadInput(input({ company: 'x'.repeat(201) }))).toThrow(ValidationError);
  });
});

describe('duplicate keys', () => {
  it('treat legal suffixes, case and punctuation as the same company', () => {
    expect(foldName('ACME, Inc.')).toBe(foldName('acme'));
    const a = dedupeKeys(normaliseLeadInput(input({ company: 'ACME, Inc.' })));
    const b = dedupeKeys(normaliseLeadInput(input({ company: 'Acme', firstName: 'WEI' })));
    expect(a).toEqual(b);
  });

  it('match on email and phone independently', () => {
    const keys = dedupeKeys(normaliseLeadInput(input({ email: 'A@b.io', phone: '+4930123456' })));
    expect(keys).toEqual(expect.arrayContaining(['email:a@b.io', 'phone:+4930123456']));
  });
});

describe('status workflow', () => {
  it('allows new -> working -> qualified', () => {
    expect(() => checkTransition('new', 'working', '')).not.toThrow();
    expect(() => checkTransition('working', 'qualified', '')).not.toThrow();
  });

  it('never sets converted by a status change', () => {
    expect(() => checkTransition('qualified', 'converted', '')).toThrow(ConflictError);
  });

  it('needs a reason to disqualify', () => {
    expect(() => checkTransition('working', 'disqualified', ' ')).toThrow(ValidationError);
    expect(() => checkTransition('working', 'disqualified', 'no budget')).not.toThrow();
  });

  it('refuses to go back from qualified to new', () => {
    expect(() => checkTransition('qualified', 'new', '')).toThrow(ConflictError);
  });
});
