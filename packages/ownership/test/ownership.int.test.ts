import { createLogger, ensureStream, type OutboxModel, outboxSchema, OutboxRelay } from '@crm/kit';
import mongoose, { Schema, type Connection } from 'mongoose';
import { connect, type NatsConnection } from 'nats';
import { MONGODB_URI, ownNats, waitFor } from '@crm/kit/testing';
import { OWNERSHIP_STREAM, RecordPool, takePartInTransfers, TransferCoordinator } from '../src';

const logger = createLogger('ownership-test', 'silent');
const user = (userId: string, roles: string[], teams = ['sales-east']) => ({
  actor: { userId, username: userId, roles, teams },
  requestId: 'r',
});
const rep1 = user('rep1', ['sales-rep']);
const rep2 = user('rep2', ['sales-rep']);
const manager = user('manager', ['sales-manager']);
const admin = user('admin', ['crm-admin'], []);

describe('public pool and ownership transfer against real FerretDB and NATS', () => {
  let db: Connection;
  let nats: Awaited<ReturnType<typeof ownNats>>;
  let nc: NatsConnection;
  let Account: OutboxModel;
  let pool: RecordPool;
  let n = 0;
  const account = async (ownerId: string, extra: Record<string, unknown> = {}) => {
    const _id = `acc-${++n}-${Date.now()}`;
    await Account.create({
      _id,
      version: 1,
      name: `Acme ${n}`,
      ownerId,
      teamId: 'sales-east',
      createdAt: new Date(),
      ...extra,
    });
    return _id;
  };

  beforeAll(async () => {
    db = await mongoose
      .createConnection(MONGODB_URI, { dbName: `crm_ownership_test_${Date.now()}` })
      .asPromise();
    Account = db.model(
      'Account',
      new Schema(
        {
          _id: String,
          version: Number,
          name: String,
          ownerId: String,
          teamId: String,
          pool: Schema.Types.Mixed,
          transfer: Schema.Types.Mixed,
          lastActivityAt: Date,
          createdAt: Date,
          updatedAt: Date,
          updatedBy: String,
          outbox: [outboxSchema],
        },
        { versionKey: false },
      ),
    ) as unknown as OutboxModel;
    pool = new RecordPool({
      entity: 'account',
      model: Account,
      db,
      nameFields: ['name'],
      nameOf: (d) => String(d.name),
      logger,
    });
    nats = await ownNats();
    await nats.start();
    nc = await connect({ servers: nats.url, ...nats.auth });
    await ensureStream(nc, OWNERSHIP_STREAM);
  });

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await nats?.dispose();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('lets the owner release, refuses another rep, and gives a pooled record to exactly one of two claimers', async () => {
    const id = await account('rep1');
    await expect(pool.release(id, 'not my territory', 0, rep2)).rejects.toThrow(/not found/);
    const released = await pool.release(id, 'not my territory', 0, rep1);
    expect(released).toMatchObject({
      ownerId: '',
      pool: { pooled: true, releasedBy: 'rep1', reason: 'not my territory' },
    });
    expect((await pool.list(50, '')).records.map((r) => r._id)).toContain(id);

    const claims = await Promise.allSettled([pool.claim(id, rep1), pool.claim(id, rep2)]);
    expect(claims.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
    expect(claims.filter((c) => c.status === 'rejected')).toHaveLength(1);
    const doc = await Account.findById(id).lean<Record<string, unknown>>();
    expect(['rep1', 'rep2']).toContain(doc?.ownerId);
    expect((await pool.list(50, '')).records.map((r) => r._id)).not.toContain(id);
  });

  it('enforces the admin-set daily claim limit per rep', async () => {
    await expect(
      pool.putSettings({ maxClaimsPerDay: 1, releaseAfterInactiveDays: 0 }, 0, rep1),
    ).rejects.toThrow(/admins/);
    await pool.putSettings({ maxClaimsPerDay: 1, releaseAfterInactiveDays: 0 }, 0, admin);
    const a = await account('manager');
    const b = await account('manager');
    await pool.release(a, 'spare', 0, manager);
    await pool.release(b, 'spare', 0, manager);
    // rep2 may already have claimed one today in the previous test; use a fresh rep.
    const rep3 = user('rep3', ['sales-rep']);
    await pool.claim(a, rep3);
    await expect(pool.claim(b, rep3)).rejects.toThrow(/limit of 1/);
    const settings = await pool.settings();
    await pool.putSettings({ maxClaimsPerDay: 0, releaseAfterInactiveDays: 0 }, settings.version, admin);
  });

  it('returns records without activity for N days to the pool, and keeps active ones', async () => {
    const settings = await pool.settings();
    await pool.putSettings({ maxClaimsPerDay: 0, releaseAfterInactiveDays: 30 }, settings.version, admin);
    const old = new Date(Date.now() - 40 * 86_400_000);
    const idle = await account('rep1', { lastActivityAt: old, createdAt: old });
    const busy = await account('rep1', { lastActivityAt: new Date(), createdAt: old });
    expect(await pool.releaseInactive()).toBeGreaterThanOrEqual(1);
    expect((await Account.findById(idle).lean<Record<string, unknown>>())?.pool).toMatchObject({
      pooled: true,
      releasedBy: 'system',
    });
    expect((await Account.findById(busy).lean<Record<string, unknown>>())?.ownerId).toBe('rep1');
  });

  it("moves a user's book through events and reports the count", async () => {
    const Book = db.model(
      'Book',
      new Schema(
        {
          _id: String,
          version: Number,
          ownerId: String,
          teamId: String,
          transfer: Schema.Types.Mixed,
          updatedAt: Date,
          updatedBy: String,
        },
        { versionKey: false },
      ),
    );
    const from = `leaver-${Date.now()}`;
    await Book.insertMany(
      [1, 2, 3].map((i) => ({ _id: `${from}-${i}`, version: 1, ownerId: from, teamId: 'sales-east' })),
    );
    await Book.create({ _id: `${from}-other`, version: 1, ownerId: 'someone-else', teamId: 'sales-east' });
    // Filed in a team the manager does not manage: their transfer leaves it where it is.
    await Book.create({ _id: `${from}-support`, version: 1, ownerId: from, teamId: 'support' });
    const east = {
      fromUserListed: true,
      fromUserTeams: ['sales-east'],
      toUserTeams: ['sales-east'],
      toTeamId: '',
    };

    let kicked = '';
    const coordinator = new TransferCoordinator(db, ['book'], (id) => (kicked = id));
    const relay = new OutboxRelay([coordinator.model], () => nc.jetstream(), logger, 100);
    const participant = await takePartInTransfers(nc, db, logger, 'test', [
      { entity: 'book', model: Book as unknown as OutboxModel },
    ]);
    const follower = await coordinator.follow(nc, db, logger, 'test');
    relay.start();
    try {
      await expect(
        coordinator.start(
          { fromUserId: from, toUserId: 'heir', ...east, scope: [], idempotencyKey: '' },
          rep1,
        ),
      ).rejects.toThrow(/managers/);
      await expect(
        coordinator.start(
          {
            fromUserId: from,
            toUserId: 'heir',
            ...east,
            fromUserTeams: ['support'],
            scope: [],
            idempotencyKey: '',
          },
          manager,
        ),
      ).rejects.toThrow(/own teams' members/);
      const t = await coordinator.start(
        { fromUserId: from, toUserId: 'heir', ...east, scope: [], idempotencyKey: 'k1' },
        manager,
      );
      const again = await coordinator.start(
        { fromUserId: from, toUserId: 'heir', ...east, scope: [], idempotencyKey: 'k1' },
        manager,
      );
      expect(again._id).toBe(t._id);
      relay.kick(coordinator.model, kicked);
      await waitFor(async () => (await coordinator.get(t._id, manager)).status === 'completed', 20_000);
      const done = await coordinator.get(t._id, manager);
      expect(done.progress.book).toMatchObject({ moved: 3, done: true });
      const moved = await Book.find({ ownerId: 'heir' }).lean<Record<string, unknown>[]>();
      expect(moved).toHaveLength(3);
      expect(moved[0]).toMatchObject({
        version: 2,
        updatedBy: 'manager',
        transfer: { id: t._id, fromUserId: from, by: 'manager' },
      });
      expect((await Book.findById(`${from}-other`).lean<Record<string, unknown>>())?.ownerId).toBe(
        'someone-else',
      );
      expect(await Book.findById(`${from}-support`).lean<Record<string, unknown>>()).toMatchObject({
        ownerId: from,
        version: 1,
      });
    } finally {
      await relay.stop();
      await participant.stop();
      await follower.stop();
    }
  });
});
