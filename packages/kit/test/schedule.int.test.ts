import mongoose, { type Connection } from 'mongoose';
import { createLogger, DurableSchedule } from '../src';
import { MONGODB_URI } from '../src/testing';

const logger = createLogger('schedule-test', 'silent');

describe('durable schedule against a real MongoDB-compatible server', () => {
  let db: Connection;

  beforeAll(async () => {
    db = await mongoose
      .createConnection(MONGODB_URI, { dbName: `crm_schedule_test_${Date.now()}` })
      .asPromise();
  });

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('runs a due job on exactly one of several replicas, and not again until its next time', async () => {
    const runs: string[] = [];
    const replica = (id: string) =>
      new DurableSchedule(
        db,
        { name: 'release', everyMs: 60_000, run: async () => void runs.push(id) },
        logger,
      );
    const replicas = [replica('a'), replica('b'), replica('c')];
    const t0 = new Date();

    const ran = await Promise.all(replicas.map((r) => r.runIfDue(t0)));
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(runs).toHaveLength(1);

    // A restarted replica (a new instance) finds the next run time in the database.
    const restarted = replica('restarted');
    expect(await restarted.runIfDue(new Date(t0.getTime() + 30_000))).toBe(false);
    expect(await restarted.runIfDue(new Date(t0.getTime() + 61_000))).toBe(true);
    expect(runs).toEqual([runs[0], 'restarted']);
  });

  it('keeps the schedule going when a run fails, and records the error', async () => {
    const schedule = new DurableSchedule(
      db,
      {
        name: 'failing',
        everyMs: 1000,
        run: async () => {
          throw new Error('downstream away');
        },
      },
      logger,
    );
    const t0 = new Date();
    expect(await schedule.runIfDue(t0)).toBe(true);
    const doc = await db.collection('schedules').findOne({ _id: 'failing' as never });
    expect(doc?.lastError).toBe('downstream away');
    expect(doc?.nextRunAt.getTime()).toBe(t0.getTime() + 1000);
  });
});
