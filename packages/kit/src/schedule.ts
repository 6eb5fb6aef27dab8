import { Schema, type Connection, type Model } from 'mongoose';
import type { Logger } from './logger';
import { claimKey, releaseKey } from './version-claim';

interface ScheduleDoc {
  _id: string;
  nextRunAt: Date;
  lastRunAt?: Date;
  lastError?: string;
}

const scheduleSchema = new Schema<ScheduleDoc>(
  { _id: String, nextRunAt: Date, lastRunAt: Date, lastError: String },
  { versionKey: false },
);

export interface ScheduleSpec {
  /** Unique per database, e.g. "pool-release:lead". */
  name: string;
  everyMs: number;
  /** Must be idempotent and work from current state: a run missed during downtime is not replayed. */
  run: (now: Date) => Promise<void>;
  /** How often replicas look at the schedule; defaults to min(everyMs, 5 s). */
  pollMs?: number;
}

/**
 * A periodic job whose next run time lives in the service's database, so it survives restarts and
 * runs on one replica at a time: every replica polls, and only the one whose compare-and-set moves
 * nextRunAt forward runs the job (single-document atomicity, no locks or leader election).
 */
export class DurableSchedule {
  private timer?: NodeJS.Timeout;
  private current?: Promise<void>;
  private stopped = true;
  private readonly Schedule: Model<ScheduleDoc>;

  constructor(
    db: Connection,
    private readonly spec: ScheduleSpec,
    private readonly logger: Logger,
  ) {
    this.Schedule =
      (db.models.Schedule as Model<ScheduleDoc> | undefined) ??
      db.model<ScheduleDoc>('Schedule', scheduleSchema, 'schedules');
  }

  start(): void {
    this.stopped = false;
    this.tick(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  /** Runs the job now if it is due and no other replica took it; exposed for tests. */
  async runIfDue(now = new Date()): Promise<boolean> {
    const doc = await this.Schedule.findById(this.spec.name).lean<ScheduleDoc>();
    if (!doc) {
      // First start anywhere: due now. A concurrent insert by another replica fails harmlessly.
      await this.Schedule.create({ _id: this.spec.name, nextRunAt: now }).catch(() => undefined);
      return this.runIfDue(now);
    }
    if (doc.nextRunAt > now) return false;
    // One claim per due time: exactly one replica wins it, whatever the server (see version-claim.ts).
    const key = `schedules/${this.spec.name}@${doc.nextRunAt.getTime()}`;
    if (!(await claimKey(this.Schedule.db, key))) return false;
    // A replica that read before another's run and claimed after its release must not run again.
    const fresh = await this.Schedule.findById(this.spec.name).lean<ScheduleDoc>();
    if (fresh?.nextRunAt.getTime() !== doc.nextRunAt.getTime()) {
      await releaseKey(this.Schedule.db, key);
      return false;
    }
    await this.Schedule.updateOne(
      { _id: this.spec.name },
      { $set: { nextRunAt: new Date(now.getTime() + this.spec.everyMs), lastRunAt: now } },
    );
    await releaseKey(this.Schedule.db, key);
    try {
      await this.spec.run(now);
      await this.Schedule.updateOne({ _id: this.spec.name }, { $unset: { lastError: 1 } });
    } catch (err) {
      this.logger.warn({ schedule: this.spec.name, err: (err as Error).message }, 'scheduled job failed');
      await this.Schedule.updateOne({ _id: this.spec.name }, { $set: { lastError: (err as Error).message } });
    }
    return true;
  }

  private tick(ms: number): void {
    this.timer = setTimeout(() => {
      this.current = this.runIfDue()
        .then(() => undefined)
        .catch((err: Error) =>
          this.logger.warn({ schedule: this.spec.name, err: err.message }, 'schedule poll failed'),
        )
        .finally(() => {
          this.current = undefined;
          if (!this.stopped) this.tick(this.spec.pollMs ?? Math.min(this.spec.everyMs, 5000));
        });
    }, ms);
    this.timer.unref();
  }
}
