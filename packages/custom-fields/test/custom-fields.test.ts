import {
  ConflictError,
  DuplicateError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  VersionMismatchError,
} from '@crm/kit';
import { customFields as pb } from '@crm/proto';
import { CustomFields, fromProtoDefinition, MemoryDefinitionRepository, toProtoDefinition } from '../src';
import { admin, rejection, rep } from './support';

const po = {
  entity: 'lead',
  key: 'po_number',
  label: 'PO number',
  type: 'text',
  constraints: { pattern: '^PO-' },
};

function setup(now = { t: 1_000_000 }) {
  const repo = new MemoryDefinitionRepository();
  const cf = new CustomFields(repo, ['lead'], { now: () => now.t });
  return { repo, cf, now };
}

describe('CustomFields: definitions', () => {
  it('admins create (version 1, audit stamps) and update by key (version + 1)', async () => {
    const { cf } = setup();
    const created = await cf.put(po, { createOnly: true }, admin);
    expect(created).toMatchObject({ key: 'po_number', version: 1, archived: false, createdBy: 'u-admin' });
    const renamed = await cf.put({ ...po, label: 'Purchase order' }, { expectedVersion: 1 }, admin);
    expect(renamed).toMatchObject({ label: 'Purchase order', version: 2, createdBy: 'u-admin' });
    expect((await cf.definitions('lead')).map((d) => [d.key, d.label])).toEqual([
      ['po_number', 'Purchase order'],
    ]);
  });

  it('refuses non-admins', async () => {
    const { cf } = setup();
    expect(await rejection(cf.put(po, {}, rep))).toBeInstanceOf(ForbiddenError);
    await cf.put(po, {}, admin);
    expect(await rejection(cf.archive('lead', 'po_number', 0, rep))).toBeInstanceOf(ForbiddenError);
  });

  it('refuses entities the service does not own', async () => {
    const { cf } = setup();
    expect(await rejection(cf.put({ ...po, entity: 'account' }, {}, admin))).toBeInstanceOf(ValidationError);
    expect(await rejection(cf.definitions('account'))).toBeInstanceOf(ValidationError);
  });

  it('create-only refuses an active key; a stale version is refused', async () => {
    const { cf } = setup();
    await cf.put(po, {}, admin);
    expect(await rejection(cf.put(po, { createOnly: true }, admin))).toBeInstanceOf(DuplicateError);
    expect(await rejection(cf.put(po, { expectedVersion: 7 }, admin))).toBeInstanceOf(VersionMismatchError);
  });

  it('a concurrent write in between is detected (compare-and-set)', async () => {
    const { cf, repo } = setup();
    await cf.put(po, {}, admin);
    const replace = repo.replace.bind(repo);
    repo.replace = async (d, v) => {
      const stored = repo.docs.get('lead:po_number')!;
      repo.docs.set('lead:po_number', { ...stored, version: stored.version + 1 }); // someone else wrote
      return replace(d, v);
    };
    expect(await rejection(cf.put({ ...po, label: 'x' }, {}, admin))).toBeInstanceOf(VersionMismatchError);
  });

  it('archiving unknown keys is a not-found; archiving twice changes nothing', async () => {
    const { cf } = setup();
    expect(await rejection(cf.archive('lead', 'nope', 0, admin))).toBeInstanceOf(NotFoundError);
    await cf.put(po, {}, admin);
    const a = await cf.archive('lead', 'po_number', 1, admin);
    expect(a).toMatchObject({ archived: true, version: 2 });
    expect(await cf.archive('lead', 'po_number', 0, admin)).toMatchObject({ archived: true, version: 2 });
    expect(await cf.definitions('lead')).toEqual([]);
    expect((await cf.definitions('lead', { includeArchived: true })).map((d) => d.key)).toEqual([
      'po_number',
    ]);
  });
});

describe('CustomFields: renaming and archiving never corrupt stored records', () => {
  it('renaming (a new label) keeps every stored value readable and writable under the same key', async () => {
    const { cf } = setup();
    await cf.put(po, {}, admin);
    const record = await cf.validateCreate('lead', { po_number: 'PO-1' });
    await cf.put({ ...po, label: 'Purchase order no.' }, {}, admin);
    expect(await cf.visible('lead', record)).toEqual({ po_number: 'PO-1' });
    expect(await cf.validatePatch('lead', record, { po_number: 'PO-2' })).toEqual({ po_number: 'PO-2' });
  });

  it('archiving hides the value, keeps it stored through updates, and re-defining the same type brings it back', async () => {
    const { cf } = setup();
    await cf.put(po, {}, admin);
    await cf.put({ entity: 'lead', key: 'budget', label: 'Budget', type: 'number' }, {}, admin);
    const stored = await cf.validateCreate('lead', { po_number: 'PO-1', budget: 5 });
    await cf.archive('lead', 'po_number', 0, admin);

    expect(await cf.visible('lead', stored)).toEqual({ budget: 5 });
    // An update of another field keeps the archived value exactly as it was.
    const updated = await cf.validatePatch('lead', stored, { budget: 6 });
    expect(updated).toEqual({ po_number: 'PO-1', budget: 6 });
    // Writing or filtering the archived key is refused.
    expect(await rejection(cf.validatePatch('lead', stored, { po_number: 'PO-2' }))).toBeInstanceOf(
      ValidationError,
    );
    expect(await rejection(cf.filter('lead', { po_number: 'PO-1' }))).toBeInstanceOf(ValidationError);

    // Another type is refused: the stored strings would not be numbers.
    const err = await rejection(cf.put({ ...po, type: 'number', constraints: {} }, {}, admin));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toMatch(/cannot become number/);
    // The same type restores the field, values included.
    const back = await cf.put({ ...po, label: 'PO again' }, { createOnly: true }, admin);
    expect(back).toMatchObject({ archived: false, version: 3 });
    expect(await cf.visible('lead', updated)).toEqual({ po_number: 'PO-1', budget: 6 });
  });

  it('removing an enum option keeps stored values, which the next write touching the field must replace', async () => {
    const { cf } = setup();
    const stage = {
      entity: 'lead',
      key: 'stage',
      label: 'Stage',
      type: 'enum',
      constraints: { options: ['a', 'b'] },
    };
    await cf.put(stage, {}, admin);
    const stored = await cf.validateCreate('lead', { stage: 'b' });
    await cf.put({ ...stage, constraints: { options: ['a'] } }, {}, admin);
    expect(await cf.visible('lead', stored)).toEqual({ stage: 'b' });
    expect(await cf.validatePatch('lead', stored, {})).toEqual({ stage: 'b' });
    expect(await rejection(cf.validatePatch('lead', stored, { stage: 'b' }))).toBeInstanceOf(ValidationError);
    expect(await cf.filter('lead', { stage: 'b' })).toEqual({ 'customFields.stage': 'b' });
  });
});

describe('CustomFields: the cache', () => {
  it('another replica sees a change once its cache expires (TTL)', async () => {
    const now = { t: 0 };
    const repo = new MemoryDefinitionRepository();
    const a = new CustomFields(repo, ['lead'], { now: () => now.t, ttlMs: 5000 });
    const b = new CustomFields(repo, ['lead'], { now: () => now.t, ttlMs: 5000 });
    await b.load();
    await a.put(po, {}, admin);
    expect(await b.definitions('lead')).toEqual([]);
    expect(await a.definitions('lead')).toHaveLength(1); // the writer sees its own write at once
    now.t = 5000;
    expect(await b.definitions('lead')).toHaveLength(1);
  });

  it('reads the repository at most once per TTL', async () => {
    const { cf, repo } = setup();
    const all = jest.spyOn(repo, 'all');
    await Promise.all([cf.definitions('lead'), cf.definitions('lead'), cf.validateCreate('lead', {})]);
    await cf.filter('lead', {});
    expect(all).toHaveBeenCalledTimes(1);
  });

  it('visibleNow uses the last loaded definitions without waiting', async () => {
    const { cf } = setup();
    expect(cf.visibleNow('lead', { po_number: 'PO-1' })).toEqual({ po_number: 'PO-1' }); // nothing loaded yet
    await cf.put(po, {}, admin);
    await cf.archive('lead', 'po_number', 0, admin);
    expect(cf.visibleNow('lead', { po_number: 'PO-1' })).toEqual({});
  });
});

describe('CustomFields: gRPC', () => {
  const ctx = (actor = admin) => ({ actor, requestId: 'r1' }) as never;

  it('maps definitions to and from proto without loss', async () => {
    const { cf } = setup();
    const d = await cf.put(
      {
        entity: 'lead',
        key: 'budget',
        label: 'Budget',
        type: 'number',
        required: true,
        constraints: { min: 0, max: 10 },
      },
      {},
      admin,
    );
    const p = toProtoDefinition(d);
    expect(p).toMatchObject({
      type: pb.FieldType.FIELD_TYPE_NUMBER,
      version: '1',
      constraints: { min: 0, max: 10 },
    });
    expect(fromProtoDefinition(p)).toEqual({
      entity: 'lead',
      key: 'budget',
      label: 'Budget',
      type: 'number',
      required: true,
      constraints: {
        min: 0,
        max: 10,
        pattern: undefined,
        maxLength: undefined,
        minDate: undefined,
        maxDate: undefined,
        options: undefined,
      },
    });
  });

  it('lists for anyone, puts and deletes for admins', async () => {
    const { cf } = setup();
    const impl = cf.grpc();
    const definition = pb.FieldDefinition.fromPartial({
      entity: 'lead',
      key: 'stage',
      label: 'Stage',
      type: pb.FieldType.FIELD_TYPE_ENUM,
      constraints: { options: ['a'] },
    });
    await expect(
      impl.putFieldDefinition({ definition, expectedVersion: '0', createOnly: true }, ctx(rep)),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const created = await impl.putFieldDefinition(
      { definition, expectedVersion: '0', createOnly: true },
      ctx(),
    );
    expect(created).toMatchObject({ key: 'stage', version: '1', constraints: { options: ['a'] } });
    const listed = await impl.listFieldDefinitions({ entity: 'lead', includeArchived: false }, ctx(rep));
    expect((listed.definitions ?? []).map((d) => d?.key)).toEqual(['stage']);
    const archived = await impl.deleteFieldDefinition(
      { entity: 'lead', key: 'stage', expectedVersion: '1' },
      ctx(),
    );
    expect(archived).toMatchObject({ archived: true, version: '2' });
    await expect(
      impl.listFieldDefinitions({ entity: 'ticket', includeArchived: false }, ctx()),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      impl.putFieldDefinition(
        {
          definition: { ...definition, type: pb.FieldType.FIELD_TYPE_UNSPECIFIED },
          expectedVersion: '0',
          createOnly: false,
        },
        ctx(),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
