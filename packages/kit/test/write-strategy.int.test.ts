import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import {
  chooseWriteStrategy,
  claimKey,
  describeServer,
  documentKey,
  releaseKey,
  type ServerInfo,
  UnavailableError,
  VersionedWrites,
  WRITE_STRATEGIES,
  type WriteStrategyName,
  writeStrategyOf,
} from '../src';
import { MONGODB_URI } from '../src/testing';

interface ThingDoc {
  _id: string;
  version: number;
  owner: string;
  stage?: string;
}

const thingSchema = new Schema<ThingDoc>(
  { _id: String, version: Number, owner: String, stage: String },
  { versionKey: false },
);

const opened: Connection[] = [];

/** A connection of its own (own database, own strategy) that reports the commands it sends. */
async function connect(strategy?: WriteStrategyName) {
  const db = await mongoose
    .createConnection(MONGODB_URI, {
      dbName: `crm_writes_test_${strategy ?? 'auto'}_${Date.now()}`,
      monitorCommands: true,
    })
    .asPromise();
  opened.push(db);
  if (strategy) await chooseWriteStrategy(db, strategy);
  const sent: { command: string; collection: string }[] = [];
  db.getClient().on('commandStarted', (e) =>
    sent.push({ command: e.commandName, collection: String(e.command[e.commandName]) }),
  );
  const Thing = db.model<ThingDoc>('Thing', thingSchema);
  return { db, Thing, writes: new VersionedWrites(Thing), sent };
}

afterAll(async () => {
  for (const db of opened) {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
});

/** Writers (eight) of version 1 at once; how many were told they won, and what the document shows. */
async function race(Thing: Model<ThingDoc>, writes: VersionedWrites, id: string, writers = 8) {
  await Thing.create({ _id: id, version: 1, owner: '' });
  const won = await Promise.all(
    Array.from({ length: writers }, (_, i) =>
      writes.updateAtVersion(id, 1, { $set: { owner: `w${i}` }, $inc: { version: 1 } }),
    ),
  );
  const doc = (await Thing.findById(id).lean<ThingDoc>())!;
  return { winners: won.flatMap((w, i) => (w ? [`w${i}`] : [])), doc };
}

describe('the write strategy follows the server the connection talks to', () => {
  let server: ServerInfo;
  let isFerret: boolean;

  beforeAll(async () => {
    const { db } = await connect();
    server = await describeServer(db);
    // Told apart without buildInfo: FerretDB 1.x rejects arrayFilters, MongoDB applies them.
    await db.collection('probe').insertOne({ _id: 'p' as never, a: [1] });
    isFerret = await db
      .collection('probe')
      .updateOne({ _id: 'p' as never }, { $set: { 'a.$[x]': 2 } }, { arrayFilters: [{ x: 1 }] })
      .then(
        () => false,
        () => true,
      );
  });

  it('recognises FerretDB as FerretDB (claimed) and MongoDB as MongoDB (atomic)', async () => {
    expect(server.product).toBe(isFerret ? 'FerretDB' : 'MongoDB');
    const { db } = await connect();
    expect((await writeStrategyOf(db)).name).toBe(isFerret ? 'claimed' : 'atomic');
    expect(await chooseWriteStrategy(db, 'auto')).toEqual({
      strategy: isFerret ? 'claimed' : 'atomic',
      server,
    });
  });

  it('takes the configured strategy instead, per connection', async () => {
    const a = await connect('atomic');
    const c = await connect('claimed');
    expect((await writeStrategyOf(a.db)).name).toBe('atomic');
    expect((await writeStrategyOf(c.db)).name).toBe('claimed');
  });

  it('claimed: of eight concurrent compare-and-set writers exactly one wins, every round', async () => {
    const { Thing, writes } = await connect('claimed');
    for (let round = 0; round < 10; round++) {
      const { winners, doc } = await race(Thing, writes, `c${round}`);
      expect(winners).toHaveLength(1);
      expect(doc).toMatchObject({ version: 2, owner: winners[0] });
    }
  }, 30_000);

  it('atomic: exact on MongoDB; on FerretDB writers are told they won while their update was lost', async () => {
    const { Thing, writes } = await connect('atomic');
    // The lost update needs two writers inside FerretDB's gap between its find and its write. How
    // often that happens depends on the machine (one run of 40 rounds of 8 on 2 cores met none), so on
    // FerretDB: sockets opened first, 32 writers a round, and rounds until it shows (a few hundred at most).
    const writers = isFerret ? 32 : 8;
    await Promise.all(Array.from({ length: writers }, () => Thing.findById('warm-up').lean()));
    const rounds = isFerret ? 300 : 10;
    const told: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const { winners, doc } = await race(Thing, writes, `a${round}`, writers);
      told.push(winners.length);
      // Whatever the server, the document holds one write of version 1.
      expect(doc.version).toBe(2);
      expect(winners).toContain(doc.owner);
      if (isFerret && winners.length > 1) break; // shown: only one of these "winners" is in the document
    }
    if (isFerret) expect(Math.max(...told)).toBeGreaterThan(1);
    else expect(told.every((n) => n === 1)).toBe(true);
  }, 120_000);
});

describe.each(WRITE_STRATEGIES)('%s writes', (strategy) => {
  let t: Awaited<ReturnType<typeof connect>>;

  beforeAll(async () => {
    t = await connect(strategy);
  });

  it('compare-and-set: a writer at the current version wins, one at an older version does not', async () => {
    await t.Thing.create({ _id: 'cas', version: 3, owner: 'a' });
    expect(await t.writes.updateAtVersion('cas', 2, { $set: { owner: 'stale' }, $inc: { version: 1 } })).toBe(
      false,
    );
    expect(await t.writes.updateAtVersion('cas', 3, { $set: { owner: 'b' }, $inc: { version: 1 } })).toBe(
      true,
    );
    expect(
      await t.writes.updateAtVersion('cas', 4, { $set: { owner: 'c' } }, { stage: 'won' }), // extra filter
    ).toBe(false);
    expect(await t.Thing.findById('cas').lean()).toMatchObject({ version: 4, owner: 'b' });
  });

  it('update applies to one document only while it matches the filter', async () => {
    await t.Thing.create({ _id: 'one', version: 1, owner: 'a', stage: 'open' });
    expect(await t.writes.update('one', { $set: { owner: 'x' } }, { stage: 'closed' })).toBe(false);
    expect(await t.writes.update('one', { $set: { owner: 'b' } }, { stage: 'open' })).toBe(true);
    expect(await t.writes.update('missing', { $set: { owner: 'b' } })).toBe(false);
    expect(await t.Thing.findById('one').lean()).toMatchObject({ owner: 'b', version: 1 });
  });

  it(`updateEach moves every matching document once${strategy === 'atomic' ? ', in one updateMany' : ', each after its claim'}`, async () => {
    await t.Thing.insertMany([
      ...Array.from({ length: 12 }, (_, i) => ({ _id: `book${i}`, version: 1, owner: 'rep1' })),
      { _id: 'other', version: 1, owner: 'rep2' },
    ]);
    t.sent.length = 0;
    const moved = await t.writes.updateEach(
      { owner: 'rep1' },
      { $set: { owner: 'rep3' }, $inc: { version: 1 } },
    );
    expect(moved).toBe(12);
    const updates = t.sent.filter((s) => s.command === 'update' && s.collection === 'things');
    const claims = t.sent.filter((s) => s.command === 'insert' && s.collection === 'version_claims');
    expect([updates.length, claims.length]).toEqual(strategy === 'atomic' ? [1, 0] : [12, 12]);
    expect(await t.Thing.countDocuments({ owner: 'rep3', version: 2 })).toBe(12);
    expect(await t.Thing.findById('other').lean()).toMatchObject({ owner: 'rep2', version: 1 });
    // Repeating it finds nothing left to move.
    expect(await t.writes.updateEach({ owner: 'rep1' }, { $set: { owner: 'rep3' } })).toBe(0);
  });

  it(`allInTurn writes the documents no one else holds together${strategy === 'claimed' ? ', with one claim and one release for all' : ''}`, async () => {
    await t.Thing.insertMany(
      Array.from({ length: 4 }, (_, i) => ({ _id: `batch${i}`, version: 1, owner: 'a' })),
    );
    // Another writer is in the middle of writing batch3.
    expect(await claimKey(t.db, documentKey(t.Thing, 'batch3'))).toBe(true);
    t.sent.length = 0;
    const ids = ['batch0', 'batch1', 'batch2', 'batch3'];
    const { result, busy } = await t.writes.allInTurn(ids, async (held) => {
      // Under `claimed` a held document's other writers wait: this one is not written meanwhile.
      if (strategy === 'claimed') {
        await expect(t.writes.update('batch0', { $set: { owner: 'meanwhile' } })).rejects.toBeInstanceOf(
          UnavailableError,
        );
      }
      return held;
    });
    const claims = t.sent.filter((s) => s.collection === 'version_claims').map((s) => s.command);
    if (strategy === 'claimed') {
      expect([result.sort(), busy]).toEqual([['batch0', 'batch1', 'batch2'], ['batch3']]);
      // One insert for the batch, then the waiting writer's tries, then one delete for the batch.
      expect([claims[0], claims[claims.length - 1]]).toEqual(['insert', 'delete']);
      expect(claims.filter((c) => c === 'delete')).toHaveLength(1);
    } else {
      expect([result, busy, claims]).toEqual([ids, [], []]);
    }
    await releaseKey(t.db, documentKey(t.Thing, 'batch3'));
    // Released: each can be written again at once.
    expect(await t.writes.update('batch0', { $set: { owner: 'b' } })).toBe(true);
    expect(await t.writes.update('batch3', { $set: { owner: 'b' } })).toBe(true);
  }, 15_000);

  it(
    strategy === 'claimed'
      ? 'a claim that stays taken is UnavailableError (retry later), never a version mismatch'
      : 'a claim left in the database holds up no write (atomic writes take none)',
    async () => {
      await t.Thing.create({ _id: 'held', version: 1, owner: 'a' });
      // Another writer holds the document (a slow one, or one that died less than 30 s ago).
      expect(await claimKey(t.db, documentKey(t.Thing, 'held'))).toBe(true);
      const write = t.writes.updateAtVersion('held', 1, { $set: { owner: 'b' }, $inc: { version: 1 } });
      if (strategy === 'claimed') {
        await expect(write).rejects.toBeInstanceOf(UnavailableError);
        await expect(t.writes.update('held', { $set: { owner: 'b' } })).rejects.toBeInstanceOf(
          UnavailableError,
        );
        expect(await t.Thing.findById('held').lean()).toMatchObject({ version: 1, owner: 'a' });
        await releaseKey(t.db, documentKey(t.Thing, 'held'));
        expect(
          await t.writes.updateAtVersion('held', 1, { $set: { owner: 'b' }, $inc: { version: 1 } }),
        ).toBe(true);
      } else {
        expect(await write).toBe(true);
        await releaseKey(t.db, documentKey(t.Thing, 'held'));
      }
      expect(await t.Thing.findById('held').lean()).toMatchObject({ version: 2, owner: 'b' });
    },
    15_000,
  );
});
