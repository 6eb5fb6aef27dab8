import mongoose, { Schema, type Connection } from 'mongoose';
import { claimKey, type OutboxModel, releaseKey, updateAtVersion } from '../src';
import { MONGODB_URI } from '../src/testing';

describe('compare-and-set by version against a real MongoDB-compatible server', () => {
  let db: Connection;

  beforeAll(async () => {
    db = await mongoose.createConnection(MONGODB_URI, { dbName: `crm_claim_test_${Date.now()}` }).asPromise();
  });

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('lets exactly one of eight concurrent writers of the same version win, every time', async () => {
    const Thing = db.model(
      'Thing',
      new Schema({ _id: String, version: Number, owner: String }, { versionKey: false }),
    );
    for (let round = 0; round < 5; round++) {
      const id = `t${round}`;
      await Thing.create({ _id: id, version: 1, owner: '' });
      const won = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          updateAtVersion(Thing as unknown as OutboxModel, id, 1, {
            $set: { owner: `w${i}` },
            $inc: { version: 1 },
          }),
        ),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      const doc = await Thing.findById(id).lean<{ version: number; owner: string }>();
      expect(doc).toMatchObject({ version: 2, owner: `w${won.indexOf(true)}` });
      // The next writer, at the new version, is not blocked by the finished one.
      expect(await updateAtVersion(Thing as unknown as OutboxModel, id, 2, { $inc: { version: 1 } })).toBe(
        true,
      );
      expect(await updateAtVersion(Thing as unknown as OutboxModel, id, 2, { $inc: { version: 1 } })).toBe(
        false,
      );
    }
  });

  it('hands over a claim left behind by a writer that died, but not a fresh one', async () => {
    expect(await claimKey(db, 'k')).toBe(true);
    expect(await claimKey(db, 'k')).toBe(false);
    await db
      .collection('version_claims')
      .updateOne({ _id: 'k' as never }, { $set: { at: new Date(Date.now() - 60_000) } });
    expect(await claimKey(db, 'k')).toBe(true);
    await releaseKey(db, 'k');
    expect(await claimKey(db, 'k')).toBe(true);
  });
});
