import { ConflictError } from '@crm/kit';
import { checkChange, validateDefinition } from '../src';
import { def, violations } from './support';

const base = { entity: 'lead', key: 'po_number', label: 'PO number', type: 'text' };

describe('validateDefinition', () => {
  it('normalises a valid definition and keeps only the constraints that apply', () => {
    expect(
      validateDefinition({
        ...base,
        label: '  PO   number ',
        constraints: { pattern: '^PO-\\d+$', maxLength: 20 },
      }),
    ).toEqual({
      entity: 'lead',
      key: 'po_number',
      label: 'PO number',
      type: 'text',
      required: false,
      constraints: { pattern: '^PO-\\d+$', maxLength: 20 },
    });
  });

  it.each(['PO', '1abc', 'a-b', 'a.b', '$where', '__proto__', 'a'.repeat(41), '', 'ä'])(
    'refuses the key %j',
    (key) => {
      expect(violations(() => validateDefinition({ ...base, key }))).toHaveProperty('key');
    },
  );

  it('accepts keys up to 40 characters of a-z, 0-9 and _', () => {
    expect(validateDefinition({ ...base, key: `a${'b_9'.repeat(13)}` }).key).toHaveLength(40);
  });

  it('needs an owned-looking entity, a label and a known type, and reports all problems at once', () => {
    expect(
      violations(() => validateDefinition({ entity: 'user', key: 'x', label: ' ', type: 'float' })),
    ).toEqual({
      entity: expect.stringContaining('lead, account, contact, opportunity, ticket'),
      label: 'is required',
      type: expect.stringContaining('text, number, date, boolean, enum, multi-enum'),
    });
    expect(violations(() => validateDefinition({ ...base, label: 'x'.repeat(101) }))).toHaveProperty('label');
  });

  it('refuses constraints that do not apply to the type', () => {
    expect(
      violations(() =>
        validateDefinition({ ...base, type: 'number', constraints: { pattern: 'x', options: ['a'] } }),
      ),
    ).toEqual({
      'constraints.pattern': 'applies only to text fields',
      'constraints.options': 'applies only to enum and multi-enum fields',
    });
    expect(
      violations(() =>
        validateDefinition({ ...base, type: 'text', constraints: { min: 1, minDate: '2024-01-01' } }),
      ),
    ).toEqual({
      'constraints.min': 'applies only to number fields',
      'constraints.minDate': 'applies only to date fields',
    });
  });

  it('checks text constraints: a safe, compilable pattern and a sane maxLength', () => {
    expect(
      violations(() => validateDefinition({ ...base, constraints: { pattern: '(a+)+' } })),
    ).toHaveProperty(['constraints.pattern']);
    expect(violations(() => validateDefinition({ ...base, constraints: { pattern: '[' } }))).toHaveProperty([
      'constraints.pattern',
    ]);
    for (const maxLength of [0, 10_001, 1.5])
      expect(violations(() => validateDefinition({ ...base, constraints: { maxLength } }))).toHaveProperty([
        'constraints.maxLength',
      ]);
  });

  it('checks number bounds', () => {
    const number = { ...base, type: 'number' };
    expect(validateDefinition({ ...number, constraints: { min: -1, max: 1.5 } }).constraints).toEqual({
      min: -1,
      max: 1.5,
    });
    expect(
      violations(() => validateDefinition({ ...number, constraints: { min: 2, max: 1 } })),
    ).toHaveProperty(['constraints.min']);
    expect(
      violations(() => validateDefinition({ ...number, constraints: { max: Infinity } })),
    ).toHaveProperty(['constraints.max']);
  });

  it('checks date bounds and normalises date-times to UTC', () => {
    const date = { ...base, type: 'date' };
    expect(
      validateDefinition({
        ...date,
        constraints: { minDate: '2020-01-01', maxDate: '2030-01-01T02:00:00+02:00' },
      }).constraints,
    ).toEqual({ minDate: '2020-01-01', maxDate: '2030-01-01T00:00:00.000Z' });
    expect(
      violations(() => validateDefinition({ ...date, constraints: { minDate: '2020-02-30' } })),
    ).toHaveProperty(['constraints.minDate']);
    expect(
      violations(() =>
        validateDefinition({ ...date, constraints: { minDate: '2021-01-01', maxDate: '2020-01-01' } }),
      ),
    ).toHaveProperty(['constraints.minDate']);
  });

  it('needs distinct, non-empty options for enum and multi-enum', () => {
    for (const type of ['enum', 'multi-enum']) {
      expect(
        validateDefinition({ ...base, type, constraints: { options: [' a ', 'b'] } }).constraints,
      ).toEqual({
        options: ['a', 'b'],
      });
      expect(violations(() => validateDefinition({ ...base, type }))).toHaveProperty(['constraints.options']);
      expect(
        violations(() => validateDefinition({ ...base, type, constraints: { options: ['a', 'a '] } })),
      ).toEqual({
        'constraints.options': 'options must be distinct',
      });
      expect(
        violations(() => validateDefinition({ ...base, type, constraints: { options: ['a', ''] } })),
      ).toHaveProperty(['constraints.options']);
      expect(
        violations(() =>
          validateDefinition({
            ...base,
            type,
            constraints: { options: Array.from({ length: 201 }, (_, i) => `o${i}`) },
          }),
        ),
      ).toHaveProperty(['constraints.options']);
    }
  });
});

describe('checkChange', () => {
  const stored = def('po_number', 'text', { constraints: { pattern: '^PO' } });
  const next = validateDefinition(base);

  it('allows a new key, a new label, new constraints and making the field required', () => {
    expect(() => checkChange(undefined, next)).not.toThrow();
    expect(() => checkChange(stored, { ...next, label: 'Purchase order', required: true })).not.toThrow();
  });

  it('allows removing enum options', () => {
    const stage = def('stage', 'enum', { constraints: { options: ['a', 'b', 'c'] } });
    expect(() =>
      checkChange(
        stage,
        validateDefinition({ ...base, key: 'stage', type: 'enum', constraints: { options: ['a'] } }),
      ),
    ).not.toThrow();
  });

  it('refuses a type change with a message that says why and what to do', () => {
    let err: unknown;
    try {
      checkChange(stored, { ...next, type: 'number' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/po_number.*text.*cannot become number.*no longer fit.*new key/);
  });

  it('refuses it for an archived key as well', () => {
    expect(() => checkChange({ ...stored, archived: true }, { ...next, type: 'date' })).toThrow(/archived/);
  });
});
