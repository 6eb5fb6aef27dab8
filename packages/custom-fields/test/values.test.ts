import { ValidationError } from '@crm/kit';
import { both, CustomFieldSet } from '../src';
import { def, violations } from './support';

const fields = new CustomFieldSet('lead', [
  def('po_number', 'text', { constraints: { pattern: '^PO-\\d{4}$', maxLength: 7 } }),
  def('notes', 'text'),
  def('budget', 'number', { constraints: { min: 0, max: 1_000_000 } }),
  def('decision_date', 'date', { constraints: { minDate: '2020-01-01', maxDate: '2030-12-31' } }),
  def('nda_signed', 'boolean'),
  def('stage', 'enum', { constraints: { options: ['cold', 'warm', 'hot'] } }),
  def('products', 'multi-enum', { constraints: { options: ['crm', 'erp', 'bi'] } }),
  def('old_code', 'text', { archived: true }),
  def('account_note', 'text', { entity: 'account' }),
]);

const create = (values: unknown) => violations(() => fields.validateCreate(values));

describe('validateCreate: one rule per type', () => {
  it('stores valid values of every type (dates normalised)', () => {
    expect(
      fields.validateCreate({
        po_number: 'PO-1234',
        notes: 'anything',
        budget: 2500.5,
        decision_date: '2026-03-01T10:00:00+01:00',
        nda_signed: false,
        stage: 'warm',
        products: ['crm', 'bi'],
      }),
    ).toEqual({
      po_number: 'PO-1234',
      notes: 'anything',
      budget: 2500.5,
      decision_date: '2026-03-01T09:00:00.000Z',
      nda_signed: false,
      stage: 'warm',
      products: ['crm', 'bi'],
    });
    expect(fields.validateCreate({ decision_date: '2026-03-01' })).toEqual({ decision_date: '2026-03-01' });
  });

  it('text: a string within maxLength that matches the pattern', () => {
    expect(create({ po_number: 1234 })).toEqual({ 'customFields.po_number': 'must be a string' });
    expect(create({ po_number: 'PO-12345' })).toEqual({
      'customFields.po_number': 'must be at most 7 characters',
    });
    expect(create({ po_number: 'XX-1234' })).toEqual({
      'customFields.po_number': 'does not match the pattern ^PO-\\d{4}$',
    });
    expect(create({ notes: 'x'.repeat(1001) })).toEqual({
      'customFields.notes': 'must be at most 1000 characters',
    });
    expect(fields.validateCreate({ notes: '' })).toEqual({});
  });

  it('number: a finite JSON number within bounds, never a numeric string', () => {
    expect(create({ budget: '12' })).toEqual({ 'customFields.budget': 'must be a finite number' });
    expect(create({ budget: -1 })).toEqual({ 'customFields.budget': 'must be at least 0' });
    expect(create({ budget: 1_000_001 })).toEqual({ 'customFields.budget': 'must be at most 1000000' });
    expect(create({ budget: true })).toHaveProperty(['customFields.budget']);
  });

  it('date: yyyy-mm-dd or a date-time with offset, a real day, within bounds', () => {
    for (const bad of ['2026-02-30', '01.03.2026', '2026-03-01T10:00', '2026-3-1', 20260301, 'tomorrow'])
      expect(create({ decision_date: bad })).toHaveProperty(['customFields.decision_date']);
    expect(create({ decision_date: '2019-12-31' })).toEqual({
      'customFields.decision_date': 'must not be before 2020-01-01',
    });
    expect(create({ decision_date: '2031-01-01' })).toEqual({
      'customFields.decision_date': 'must not be after 2030-12-31',
    });
  });

  it('boolean: true or false only', () => {
    for (const bad of ['true', 1, 0, 'yes'])
      expect(create({ nda_signed: bad })).toEqual({ 'customFields.nda_signed': 'must be true or false' });
    expect(fields.validateCreate({ nda_signed: true })).toEqual({ nda_signed: true });
  });

  it('enum: one of the options, exactly', () => {
    expect(create({ stage: 'Hot' })).toEqual({ 'customFields.stage': 'must be one of: cold, warm, hot' });
    expect(create({ stage: ['hot'] })).toHaveProperty(['customFields.stage']);
  });

  it('multi-enum: a list of distinct options', () => {
    expect(create({ products: 'crm' })).toEqual({ 'customFields.products': 'must be a list of strings' });
    expect(create({ products: ['crm', 'sap'] })).toHaveProperty(['customFields.products']);
    expect(create({ products: ['crm', 'crm'] })).toEqual({
      'customFields.products': 'must not repeat a value',
    });
    expect(fields.validateCreate({ products: [] })).toEqual({});
  });

  it('refuses unknown keys, archived keys and keys of another entity', () => {
    expect(create({ colour: 'red', old_code: 'x', account_note: 'y' })).toEqual({
      'customFields.colour': 'is not a custom field of lead',
      'customFields.old_code': 'is an archived custom field and takes no values',
      'customFields.account_note': 'is not a custom field of lead',
    });
  });

  it('refuses anything but an object of values', () => {
    for (const bad of ['x', 1, ['a'], true])
      expect(create(bad)).toEqual({ customFields: 'must be an object of custom field values by key' });
    expect(fields.validateCreate(undefined)).toEqual({});
    expect(fields.validateCreate(null)).toEqual({});
  });

  it('collects every problem in one error', () => {
    expect(Object.keys(create({ po_number: 'x', budget: 'x', stage: 'x', nope: 1 }))).toHaveLength(4);
  });
});

describe('operator injection', () => {
  it('never accepts an object or an operator as a value', () => {
    expect(
      create({
        po_number: { $gt: '' },
        budget: { $gt: 0 },
        decision_date: { $ne: null },
        nda_signed: { $exists: true },
        stage: { $in: ['hot'] },
        products: [{ $gt: '' }],
      }),
    ).toEqual({
      'customFields.po_number': 'must be a string',
      'customFields.budget': 'must be a finite number',
      'customFields.decision_date': expect.stringContaining('must be a date'),
      'customFields.nda_signed': 'must be true or false',
      'customFields.stage': expect.stringContaining('must be one of'),
      'customFields.products': 'must be a list of strings',
    });
  });

  it('refuses operator-like and prototype keys as unknown fields', () => {
    const v = create(JSON.parse('{"$where": "1", "__proto__": {"x": 1}, "a.b": 1, "constructor": 1}'));
    expect(Object.keys(v).sort()).toEqual(
      [
        'customFields.$where',
        'customFields.__proto__',
        'customFields.a.b',
        'customFields.constructor',
      ].sort(),
    );
  });

  it('refuses a string that looks like an operator where the pattern does not allow it', () => {
    expect(create({ po_number: '{"$gt": ""}' })).toHaveProperty(['customFields.po_number']);
  });
});

describe('required fields', () => {
  const req = new CustomFieldSet('lead', [
    def('region_code', 'text', { required: true }),
    def('tags', 'multi-enum', { required: true, constraints: { options: ['a', 'b'] } }),
    def('optional', 'number'),
  ]);

  it('are enforced on create, empty values included', () => {
    expect(violations(() => req.validateCreate({}))).toEqual({
      'customFields.region_code': 'is required',
      'customFields.tags': 'is required',
    });
    expect(violations(() => req.validateCreate({ region_code: '', tags: [] }))).toEqual({
      'customFields.region_code': 'is required',
      'customFields.tags': 'is required',
    });
    expect(violations(() => req.validateCreate({ region_code: 5, tags: ['a'] }))).toEqual({
      'customFields.region_code': 'must be a string',
    });
  });

  it('cannot be removed by an update, but an update that does not touch them passes', () => {
    expect(
      violations(() => req.validatePatch({ region_code: 'x', tags: ['a'] }, { region_code: null })),
    ).toEqual({
      'customFields.region_code': 'is required and cannot be removed',
    });
    // A record stored before the field became required: an unrelated update is not blocked.
    expect(req.validatePatch({ optional: 1 }, { optional: 2 })).toEqual({ optional: 2 });
  });
});

describe('validatePatch', () => {
  const stored = { po_number: 'PO-0001', budget: 10, old_code: 'legacy', stage: 'cold' };

  it('changes only the keys present, removes on null, keeps archived values untouched', () => {
    expect(fields.validatePatch(stored, { budget: 20, stage: null })).toEqual({
      po_number: 'PO-0001',
      budget: 20,
      old_code: 'legacy',
    });
    expect(fields.validatePatch(stored, undefined)).toEqual(stored);
    expect(fields.validatePatch(stored, {})).toEqual(stored);
  });

  it('does not modify the current values it was given', () => {
    const current = { ...stored };
    fields.validatePatch(current, { budget: 99 });
    expect(current).toEqual(stored);
  });

  it('refuses writes to archived keys, unknown keys and bad values, changing nothing', () => {
    expect(violations(() => fields.validatePatch(stored, { old_code: 'new', budget: 'x', x: 1 }))).toEqual({
      'customFields.old_code': 'is an archived custom field and takes no values',
      'customFields.budget': 'must be a finite number',
      'customFields.x': 'is not a custom field of lead',
    });
  });

  it('treats an empty text as removal', () => {
    expect(fields.validatePatch(stored, { po_number: '' })).not.toHaveProperty('po_number');
  });
});

describe('values from text (CSV import)', () => {
  const text = (values: Record<string, string>) => fields.validateCreate(values, { fromText: true });

  it('parses each type from its text form', () => {
    expect(
      text({
        po_number: 'PO-0042',
        budget: '1.5e3',
        decision_date: '2026-01-31',
        nda_signed: 'TRUE',
        stage: 'hot',
        products: 'crm; bi',
        notes: '',
      }),
    ).toEqual({
      po_number: 'PO-0042',
      budget: 1500,
      decision_date: '2026-01-31',
      nda_signed: true,
      stage: 'hot',
      products: ['crm', 'bi'],
    });
  });

  it('still refuses what does not parse', () => {
    expect(
      violations(() =>
        text({ budget: '12abc', nda_signed: 'yes', products: 'crm;sap', decision_date: 'soon' }),
      ),
    ).toEqual({
      'customFields.budget': 'must be a finite number',
      'customFields.nda_signed': 'must be true or false',
      'customFields.products': expect.stringContaining('not options'),
      'customFields.decision_date': expect.stringContaining('must be a date'),
    });
  });
});

describe('visible', () => {
  it('drops archived and never-defined keys, and keeps the stored values themselves', () => {
    const stored = { po_number: 'PO-0001', old_code: 'legacy', stray: 1 };
    expect(fields.visible(stored)).toEqual({ po_number: 'PO-0001' });
    expect(stored).toEqual({ po_number: 'PO-0001', old_code: 'legacy', stray: 1 });
    expect(fields.visible(undefined)).toEqual({});
    expect(fields.visible('x')).toEqual({});
  });
});

describe('both', () => {
  it('runs both validations and reports the violations of both in one error', () => {
    const record = () => {
      throw new ValidationError([{ field: 'lastName', description: 'is required' }]);
    };
    expect(violations(() => both(record, () => fields.validateCreate({ budget: -1 })))).toEqual({
      lastName: 'is required',
      'customFields.budget': 'must be at least 0',
    });
    expect(
      both(
        () => 1,
        () => fields.validateCreate({ notes: 'x' }),
      ),
    ).toEqual([1, { notes: 'x' }]);
    expect(() =>
      both(
        () => {
          throw new Error('boom');
        },
        () => 2,
      ),
    ).toThrow('boom');
  });
});
