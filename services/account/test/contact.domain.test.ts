import { ValidationError } from '@crm/kit';
import { BUYING_ROLES } from '@crm/kit/domain';
import {
  type ContactInput,
  keyPersonOf,
  normaliseContactInput,
  orderKeyPersons,
} from '../src/domain/contact';
import { newContact } from './support/inputs';

const input = (over: Partial<ContactInput> = {}) => newContact('Li', { firstName: 'Wei', ...over });

describe('contacts', () => {
  it('accepts every buying role, case-insensitively', () => {
    for (const role of BUYING_ROLES) {
      expect(normaliseContactInput(input({ buyingRole: role.toUpperCase() as never })).buyingRole).toBe(role);
    }
  });

  it('rejects an unknown buying role and reports it with the other problems', () => {
    try {
      normaliseContactInput(input({ lastName: '', buyingRole: 'king-maker' as never, email: 'x' }));
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).violations.map((v) => v.field).sort()).toEqual([
        'buyingRole',
        'email',
        'lastName',
      ]);
    }
  });

  it('formats the phone as E.164', () => {
    expect(normaliseContactInput(input({ phone: '+86 138-0013-8000' })).phone).toBe('+8613800138000');
  });

  it('builds the key-person view shown on the account', () => {
    expect(keyPersonOf({ ...input({ title: 'CFO', buyingRole: 'economic-buyer' }), _id: 'c1' })).toEqual({
      id: 'c1',
      name: 'Wei Li',
      title: 'CFO',
      buyingRole: 'economic-buyer',
    });
  });
});

describe('key-person order', () => {
  const c = (id: string, buyingRole: string, lastName = 'Z', firstName = '') => ({
    _id: id,
    buyingRole,
    lastName,
    firstName,
  });

  it('puts the primary first, then decision-maker, economic-buyer, champion, ..., unknown roles last', () => {
    const ordered = orderKeyPersons(
      [
        c('user', 'user'),
        c('none', ''),
        c('champ', 'champion'),
        c('eb', 'economic-buyer'),
        c('dm', 'decision-maker'),
        c('prim', 'influencer'),
        c('blocker', 'blocker'),
        c('tech', 'technical-buyer'),
      ],
      'prim',
    );
    expect(ordered.map((x) => x._id)).toEqual([
      'prim',
      'dm',
      'eb',
      'champ',
      'tech',
      'blocker',
      'user',
      'none',
    ]);
  });

  it('orders equal roles by name', () => {
    const ordered = orderKeyPersons(
      [c('2', 'user', 'Wang'), c('1', 'user', 'Chen'), c('3', 'user', 'Chen', 'A')],
      '',
    );
    expect(ordered.map((x) => x._id)).toEqual(['1', '3', '2']);
  });
});
