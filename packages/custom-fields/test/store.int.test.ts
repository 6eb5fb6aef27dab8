/**
 * The mongoose repository and the generated filters against a real MongoDB-compatible server (the test
 * stack's FerretDB; MONGODB_URI as exported by deploy/local/test.sh).
 */
import mongoose, { type Connection, type Model, Schema } from 'mongoose';
import { VersionMismatchError } from '@crm/kit';
import { COLLECTION, CustomFields, MongoDefinitionRepository } from '../src';
import { admin, rejection } from './support';

const MONGODB_URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017';
const DB = `crm_test_custom_fields_${Date.now().toString(36)}`;

let db: Connection;

beforeAll(async () => {
  db = await mongoose.createConnection().openUri(MONGODB_URI, { dbName: DB, serverSelectionTimeoutMS: 5000 });
}, 15_000);

afterAll(async () => {
  await db?.dropDatabase().catch(() => undefined);
  await db?.close();
});

describe('MongoDefinitionRepository', () => {
  it('stores one document per field under _id entity:key, with compare-and-set updates', async () => {
    const cf = new CustomFields(db, ['lead']);
    await cf.put(
      { entity: 'lead', key: 'po_number', label: 'PO', type: 'text' },
      { createOnly: true },
      admin,
    );
    const raw = await db.collection(COLLECTION).findOne({ _id: 'lead:po_number' as never });
    expect(raw).toMatchObject({ entity: 'lead', key: 'po_number', version: 1, archived: false });

    const repo = new MongoDefinitionRepository(db);
    const stored = (await repo.get('lead', 'po_number'))!;
    expect(await repo.replace({ ...stored, label: 'x', version: 2 }, 1)).toBe(true);
    expect(await repo.replace({ ...stored, label: 'y', version: 2 }, 1)).toBe(false);
    expect(await repo.insert(stored)).toBe(false);
    expect(await rejection(cf.put({ ...stored, label: 'z' }, { expectedVersion: 1 }, admin))).toBeInstanceOf(
      VersionMismatchError,
    );
    // Written behind this instance's back: seen once its cache is reloaded (at the latest after the TTL).
    await cf.load();
    expect((await cf.definitions('lead')).map((d) => d.label)).toEqual(['x']);
  });

  it('a second instance (another replica) shares the definitions', async () => {
    const other = new CustomFields(db, ['lead'], { ttlMs: 0 });
    expect((await other.definitions('lead')).map((d) => d.key)).toContain('po_number');
  });
});

describe('filters on the server', () => {
  type Rec = { _id: string; customFields: Record<string, unknown> };
  const Rec = (): Model<Rec> =>
    (db.models['Rec'] as Model<Rec> | undefined) ??
    db.model<Rec>(
      'Rec',
      new Schema({ _id: String, customFields: Schema.Types.Mixed }, { versionKey: false }),
      'recs',
    );

  it('find the records the values describe, and only them', async () => {
    const cf = new CustomFields(db, ['lead']);
    const defs = [
      { key: 'budget', type: 'number' },
      { key: 'nda', type: 'boolean' },
      { key: 'due', type: 'date' },
      { key: 'products', type: 'multi-enum', constraints: { options: ['crm', 'erp', 'bi'] } },
      { key: 'stage', type: 'enum', constraints: { options: ['cold', 'hot'] } },
    ];
    for (const d of defs) await cf.put({ entity: 'lead', label: d.key, ...d }, {}, admin);
    const values = [
      { budget: 10, nda: true, due: '2026-01-31', products: ['crm', 'bi'], stage: 'hot' },
      { budget: 20, nda: false, due: '2026-01-31T23:30:00Z', products: ['erp'], stage: 'cold' },
      { budget: 10.5, due: '2026-02-01', products: ['bi'] },
    ];
    for (const [i, v] of values.entries())
      await Rec().create({ _id: `r${i}`, customFields: await cf.validateCreate('lead', v) });

    const ids = async (filters: Record<string, string>) =>
      (
        await Rec()
          .find(await cf.filter('lead', filters))
          .lean<{ _id: string }[]>()
      )
        .map((r) => r._id)
        .sort();

    expect(await ids({ budget: '10' })).toEqual(['r0']);
    expect(await ids({ budget: '10.5' })).toEqual(['r2']);
    expect(await ids({ nda: 'false' })).toEqual(['r1']);
    expect(await ids({ products: 'bi' })).toEqual(['r0', 'r2']);
    expect(await ids({ products: 'erp', stage: 'cold' })).toEqual(['r1']);
    expect(await ids({ due: '2026-01-31' })).toEqual(['r0', 'r1']);
    expect(await ids({ due: '2026-01-31T23:30:00Z' })).toEqual(['r1']);
  });
});
