import { ConflictError } from '@crm/kit';
import {
  accountFromLead,
  checkConvertible,
  companyDomain,
  contactFromLead,
  creationKeys,
  type LeadSnapshot,
} from '../src/domain/convert-lead';

const rep = { userId: 'rep1', username: 'rep1', roles: ['sales-rep'], teams: ['sales-east'] };
const lead: LeadSnapshot = {
  _id: 'l1',
  firstName: 'Grace',
  lastName: 'Hopper',
  email: 'grace@navy.example.com',
  phone: '+15550100',
  company: 'US Navy',
  title: 'Rear Admiral',
  contactLevel: 'c-level',
  region: 'na',
  industry: 'government',
  source: 'event',
  companySize: 5000,
  attributes: {},
  ownerId: '',
  teamId: 'sales-east',
};

describe('lead conversion rules', () => {
  it('converts only working or qualified leads', () => {
    expect(() => checkConvertible('working')).not.toThrow();
    expect(() => checkConvertible('qualified')).not.toThrow();
    for (const s of ['new', 'nurturing', 'disqualified', 'converted'] as const)
      expect(() => checkConvertible(s)).toThrow(ConflictError);
  });

  it("takes the account's domain from a company email, never from a public mail provider", () => {
    expect(companyDomain('grace@Navy.Example.com')).toBe('navy.example.com');
    expect(companyDomain('grace.hopper@gmail.com')).toBe('');
    expect(companyDomain('no-at-sign')).toBe('');
  });

  it('gives the new account to the lead owner, or to whoever converts an unowned lead', () => {
    expect(accountFromLead(lead, rep)).toEqual({
      name: 'US Navy',
      domain: 'navy.example.com',
      industry: 'government',
      region: 'na',
      size: 5000,
      ownerId: 'rep1',
      teamId: 'sales-east',
    });
    expect(accountFromLead({ ...lead, ownerId: 'rep2' }, rep).ownerId).toBe('rep2');
  });

  it('makes the contact from the person on the lead', () => {
    expect(contactFromLead(lead)).toEqual({
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@navy.example.com',
      phone: '+15550100',
      title: 'Rear Admiral',
    });
  });

  it('derives creation keys from the lead alone, so any retry of any request makes one account', () => {
    expect(creationKeys('l1')).toEqual({
      account: 'lead-conversion:l1:account',
      contact: 'lead-conversion:l1:contact',
      opportunity: 'lead-conversion:l1:opportunity',
    });
  });
});
