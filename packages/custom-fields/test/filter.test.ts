import { CustomFieldSet } from '../src';
import { def, violations } from './support';

const fields = new CustomFieldSet('lead', [
  def('po_number', 'text', { constraints: { pattern: '^PO-\\d{4}$' } }),
  def('notes', 'text'),
  def('budget', 'number'),
  def('decision_date', 'date'),
  def('nda_signed', 'boolean'),
  def('stage', 'enum', { constraints: { options: ['cold', 'warm'] } }),
  def('products', 'multi-enum', { constraints: { options: ['crm', 'erp'] } }),
  def('old_code', 'text', { archived: true }),
]);

describe('filter', () => {
  it('builds an equality filter on customFields.<key> with the value parsed by type', () => {
    expect(
      fields.filter({
        po_number: 'PO-0001',
        notes: 'x y',
        budget: '12.5',
        nda_signed: 'false',
        stage: 'warm',
        products: 'crm',
      }),
    ).toEqual({
      'customFields.po_number': 'PO-0001',
      'customFields.notes': 'x y',
      'customFields.budget': 12.5,
      'customFields.nda_signed': false,
      'customFields.stage': 'warm',
      // multi-enum: mongo matches an array that contains the value
      'customFields.products': 'crm',
    });
    expect(fields.filter({})).toEqual({});
    expect(fields.filter(undefined)).toEqual({});
  });

  it('matches a whole day for a date, and one instant for a date-time', () => {
    expect(fields.filter({ decision_date: '2026-01-31' })).toEqual({
      'customFields.decision_date': { $gte: '2026-01-31', $lt: '2026-02-01' },
    });
    expect(fields.filter({ decision_date: '2026-01-31T10:00:00+01:00' })).toEqual({
      'customFields.decision_date': '2026-01-31T09:00:00.000Z',
    });
  });

  it('allows enum values that are no longer options (to find records that still hold them)', () => {
    expect(fields.filter({ stage: 'hot' })).toEqual({ 'customFields.stage': 'hot' });
  });

  it('refuses unknown and archived keys', () => {
    expect(violations(() => fields.filter({ colour: 'red', old_code: 'x' }))).toEqual({
      'customFields.colour': 'is not a custom field of lead',
      'customFields.old_code': 'is an archived custom field and takes no values',
    });
  });

  it('refuses values that cannot be of the type', () => {
    expect(
      violations(() => fields.filter({ budget: 'abc', nda_signed: '1', decision_date: 'x', notes: '' })),
    ).toEqual({
      'customFields.budget': 'must be a number',
      'customFields.nda_signed': 'must be true or false',
      'customFields.decision_date': expect.stringContaining('must be a date'),
      'customFields.notes': expect.stringContaining('1 to 1000 characters'),
    });
  });

  describe('injection', () => {
    it('refuses object and array values (no operator reaches the query)', () => {
      expect(
        violations(() =>
          fields.filter({
            notes: { $gt: '' },
            budget: { $ne: 0 },
            stage: ['warm'],
            products: { $exists: true },
          }),
        ),
      ).toEqual({
        'customFields.notes': 'must be a single value',
        'customFields.budget': 'must be a single value',
        'customFields.stage': 'must be a single value',
        'customFields.products': 'must be a single value',
      });
    });

    it('refuses operator-shaped keys', () => {
      expect(
        Object.keys(violations(() => fields.filter({ 'notes[$gt]': '', $where: 'x', 'a.$ne': '' }))),
      ).toEqual(['customFields.notes[$gt]', 'customFields.$where', 'customFields.a.$ne']);
    });

    it('passes an operator-looking string only as a literal, and refuses it where the pattern forbids it', () => {
      expect(fields.filter({ notes: '{"$gt": ""}' })).toEqual({ 'customFields.notes': '{"$gt": ""}' });
      expect(violations(() => fields.filter({ po_number: '{"$gt": ""}' }))).toHaveProperty([
        'customFields.po_number',
      ]);
    });

    it('refuses a non-object filter set and too many filters', () => {
      expect(violations(() => fields.filter('notes=x'))).toHaveProperty('customFilters');
      const many = Object.fromEntries(
        Array.from({ length: 21 }, () => ['notes', 'x']).map(([k], i) => [`${k}${i}`, 'x']),
      );
      expect(violations(() => fields.filter(many))).toHaveProperty('customFilters');
    });
  });
});
