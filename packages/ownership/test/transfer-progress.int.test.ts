import mongoose, { type Connection } from 'mongoose';
import { MONGODB_URI } from '@crm/kit/testing';
import { TransferCoordinator } from '../src';

const manager = {
  actor: { userId: 'manager', username: 'manager', roles: ['sales-manager'], teams: ['sales-east'] },
  requestId: 'r',
};
const entities = ['lead', 'account', 'contact', 'task', 'opportunity', 'ticket'];

describe('transfer progress against the real server', () => {
  let db: Connection;

  beforeAll(async () => {
    db = await mongoose
      .createConnection(MONGODB_URI, { dbName: `crm_transfer_progress_test_${Date.now()}` })
      .asPromise();
  });

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('keeps every report when the services report at the same moment, and completes once', async () => {
    const coordinator = new TransferCoordinator(db, entities, () => undefined);
    for (let round = 0; round < 3; round++) {
      const t = await coordinator.start(
        {
          fromUserId: 'leaver',
          toUserId: 'heir',
          toTeamId: '',
          fromUserListed: false,
          fromUserTeams: [],
          toUserTeams: ['sales-east'],
          scope: [],
          idempotencyKey: `k${round}`,
        },
        manager,
      );
      await Promise.all(
        entities.map((entity, i) =>
          coordinator.recordProgress({ transferId: t._id, entity, moved: i + 1, done: true }),
        ),
      );
      const done = await coordinator.get(t._id, manager);
      expect(done.status).toBe('completed');
      expect(Object.fromEntries(entities.map((e) => [e, done.progress[e]?.moved]))).toEqual(
        Object.fromEntries(entities.map((e, i) => [e, i + 1])),
      );
      // One version per report: none was written over another.
      expect(done.version).toBe(1 + entities.length);
    }
  }, 30_000);
});
