import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { chooseWriteStrategy, describeServer, UniqueKeys, WRITE_STRATEGIES } from '../src';
import { MONGODB_URI } from '../src/testing';

interface KeyDoc {
  _id: string;
  ownerId: string;
}

describe.each(WRITE_STRATEGIES)(
  'unique keys with %s writes, against a real MongoDB-compatible server',
  (strategy) => {
    let db: Connection;
    /** Whether a conditional update by itself picks one of concurrent writers on this server. */
    let exact: boolean;
    let Key: Model<KeyDoc>;
    /** Which keys each stored holder has; a holder missing here is not stored. */
    const holders = new Map<string, string[]>();
    let keys: UniqueKeys;
    const holds = async (id: string, key: string) => holders.get(id)?.includes(key) ?? false;

    beforeAll(async () => {
      db = await mongoose
        .createConnection(MONGODB_URI, { dbName: `crm_keys_test_${strategy}_${Date.now()}` })
        .asPromise();
      await chooseWriteStrategy(db, strategy);
      exact = strategy === 'claimed' || (await describeServer(db)).product === 'MongoDB';
      Key = db.model<KeyDoc>(
        'Key',
        new Schema<KeyDoc>({ _id: String, ownerId: String }, { versionKey: false }),
      );
      // These racers' holders are never written, so naming a pending one must not wait here.
      keys = new UniqueKeys(Key, 'ownerId', holds, { pendingWaitMs: 0 });
    });

    afterAll(async () => {
      await db?.dropDatabase().catch(() => undefined);
      await db?.close();
    });

    const holderOf = async (key: string) => (await Key.findById(key).lean<KeyDoc>())?.ownerId;

    it('lets exactly one of eight concurrent claims of the same key win, every time', async () => {
      for (let round = 0; round < 5; round++) {
        const key = `email:r${round}@example.com`;
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => keys.claim(`h${round}-${i}`, [`name:r${round}-${i}`, key])),
        );
        const winners = results.flatMap((r, i) => (r ? [] : [`h${round}-${i}`]));
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect(await holderOf(key)).toBe(winner);
        // The losers name the winner (pending until written) and gave back what they had claimed.
        for (const r of results.filter(Boolean)) expect(r).toEqual({ key, holderId: winner });
        for (let i = 0; i < 8; i++) {
          const own = await holderOf(`name:r${round}-${i}`);
          expect(own).toBe(`h${round}-${i}` === winner ? winner : undefined);
        }
        holders.set(winner, [key]);
        // Once the winner is written the key stays its own.
        expect(await keys.claim('late', [key])).toEqual({ key, holderId: winner });
      }
    });

    it('gives one of eight racers for the same three keys all of them, never a split where all lose', async () => {
      for (let round = 0; round < 5; round++) {
        const same = [`email:s${round}@example.com`, `phone:+1555000${round}`, `name:s${round}|lee`];
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => keys.claim(`s${round}-${i}`, same)),
        );
        const winners = results.flatMap((r, i) => (r ? [] : [`s${round}-${i}`]));
        expect(winners).toHaveLength(1);
        for (const key of same) expect(await holderOf(key)).toBe(winners[0]);
        // Every loser names the winner, so a 409 always points at the record that was created.
        for (const r of results.filter(Boolean)) expect(r?.holderId).toBe(winners[0]);
      }
    });

    it('lets exactly one of two racers take over a stale key (where the strategy holds on the server)', async () => {
      for (let round = 0; round < 5; round++) {
        const key = `email:stale${round}@example.com`;
        // Left behind by a holder that no longer has it (never written, or changed its email).
        await Key.create({ _id: key, ownerId: `gone${round}` });
        const results = await Promise.all([keys.claim(`a${round}`, [key]), keys.claim(`b${round}`, [key])]);
        const winners = [`a${round}`, `b${round}`].filter((_, i) => results[i] === undefined);
        const holder = await holderOf(key);
        // The takeover is a conditional update: under `atomic` FerretDB may tell both racers they won.
        if (exact) {
          expect(winners).toEqual([holder]);
          expect(results.find(Boolean)).toEqual({ key, holderId: holder });
        } else expect(winners).toContain(holder);
      }
    });

    it('keeps a freshly claimed key of a holder not written yet', async () => {
      expect(await keys.claim('writing', ['email:pending@example.com'])).toBeUndefined();
      expect(await keys.claim('other', ['email:pending@example.com'])).toEqual({
        key: 'email:pending@example.com',
        holderId: 'writing',
      });
      // The write failed: the key is given back and free again.
      await keys.release('writing', ['email:pending@example.com']);
      expect(await holderOf('email:pending@example.com')).toBeUndefined();
      expect(await keys.claim('other', ['email:pending@example.com'])).toBeUndefined();
    });

    it('waits for a pending holder: the loser names it once it is written, or wins once the key is given back', async () => {
      const waiting = new UniqueKeys(Key, 'ownerId', holds, { pendingWaitMs: 5_000 });
      expect(await waiting.claim('first', ['email:slow@example.com'])).toBeUndefined();
      // The first holder is written 300 ms later; the second claim answers only then, naming it.
      setTimeout(() => holders.set('first', ['email:slow@example.com']), 300);
      const started = Date.now();
      expect(await waiting.claim('second', ['email:slow@example.com'])).toEqual({
        key: 'email:slow@example.com',
        holderId: 'first',
      });
      expect(await holds('first', 'email:slow@example.com')).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);

      // The first writer's save failed and it gave the key back: the waiting claim gets it.
      expect(await waiting.claim('failing', ['email:failed@example.com'])).toBeUndefined();
      setTimeout(() => void waiting.release('failing', ['email:failed@example.com']), 300);
      expect(await waiting.claim('next', ['email:failed@example.com'])).toBeUndefined();
      expect(await holderOf('email:failed@example.com')).toBe('next');
    });

    it('takes over a key whose holder was never written once its claim is older than the pending window', async () => {
      // A writer that died 31 s ago between its claim and its write, next to one claiming right now.
      const old = new Date(Date.now() - 31_000);
      await db.collection<KeyDoc & { at: Date }>(Key.collection.name).insertMany([
        { _id: 'email:died@example.com', ownerId: 'died', at: old },
        { _id: 'email:writing@example.com', ownerId: 'writing2', at: new Date() },
      ]);
      expect(await keys.claim('next', ['email:died@example.com'])).toBeUndefined();
      expect(await holderOf('email:died@example.com')).toBe('next');
      // A fresh claim still counts as held, and the key claimed along with it is given back.
      expect(await keys.claim('next2', ['email:free@example.com', 'email:writing@example.com'])).toEqual({
        key: 'email:writing@example.com',
        holderId: 'writing2',
      });
      expect(await holderOf('email:free@example.com')).toBeUndefined();
    });

    it('releases only the holder’s own keys, points keys at a survivor, records forced duplicates', async () => {
      await keys.claim('x', ['k1', 'k2']);
      await keys.claim('y', ['k3']);
      await keys.release('x', ['k1', 'k3']);
      expect(await holderOf('k1')).toBeUndefined();
      expect(await holderOf('k2')).toBe('x');
      expect(await holderOf('k3')).toBe('y');

      await keys.point('survivor', ['k2', 'k3', 'k4']);
      expect(await holderOf('k2')).toBe('survivor');
      expect(await holderOf('k3')).toBe('survivor');
      expect(await holderOf('k4')).toBe('survivor');

      await keys.recordIfFree('forced', ['k2', 'k5']);
      expect(await holderOf('k2')).toBe('survivor');
      expect(await holderOf('k5')).toBe('forced');
      expect(await keys.claim('z', [])).toBeUndefined();
    });
  },
);
