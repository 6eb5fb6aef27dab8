import { allows, ConflictError, ForbiddenError, type Actor } from '@crm/kit/domain';
import type { LiveGate } from './live-gate';
import type { FactStore, Generations, RebuildLog, RebuildStatus, StreamReader } from './ports';

/** How often a running rebuild records how far it got. */
const PROGRESS_EVERY = 500;
/** A rebuild recorded as running for longer than this died with its replica: another may start. */
const PRESUMED_DEAD_MS = 60 * 60_000;

/**
 * Rebuilds every read model from the start of the streams into the next generation, beside the live
 * one, which keeps answering figures meanwhile. The last events are read and the generations swapped
 * in this process's live consumers' turn, so none of their events is missing from the new generation. A rebuild takes as long as the streams are long, so it runs
 * in the background and records its state for whoever asks.
 */
export class Rebuild<E> {
  private running?: Promise<RebuildStatus>;

  constructor(
    private readonly generations: Generations,
    private readonly store: FactStore,
    private readonly streams: StreamReader<E>,
    private readonly apply: (generation: number, event: E) => Promise<void>,
    private readonly gate: LiveGate,
    private readonly log: RebuildLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Starts a rebuild and answers at once with its state; the one already running, if any. */
  async start(actor: Actor): Promise<RebuildStatus> {
    this.mayRebuild(actor);
    const last = await this.log.last();
    const elsewhere =
      last?.state === 'running' && this.now().getTime() - last.startedAt.getTime() < PRESUMED_DEAD_MS;
    if (!this.running && elsewhere) return last;
    if (!this.running) {
      const begun = this.begin(actor);
      const run = begun.then(({ status, live }) => this.finish(status, live, actor));
      this.running = run;
      void run.catch(() => undefined).finally(() => (this.running = undefined));
      return { ...(await begun).status };
    }
    return (await this.log.last())!;
  }

  /** Resolves when no rebuild runs in this process (tests, shutdown). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  async status(actor: Actor): Promise<RebuildStatus | undefined> {
    this.mayRebuild(actor);
    return this.log.last();
  }

  /** Runs a whole rebuild; resolves with its final state (done or failed). */
  async run(actor: Actor): Promise<RebuildStatus> {
    const { status, live } = await this.begin(actor);
    return this.finish(status, live, actor);
  }

  private async begin(actor: Actor) {
    this.mayRebuild(actor);
    const live = await this.generations.current();
    const status: RebuildStatus = {
      state: 'running',
      generation: live + 1,
      events: 0,
      startedAt: this.now(),
      startedBy: actor.userId,
      error: '',
    };
    await this.log.save(status);
    return { status, live };
  }

  private async finish(status: RebuildStatus, live: number, actor: Actor): Promise<RebuildStatus> {
    try {
      await this.rebuildInto(status, live, actor);
      Object.assign(status, { state: 'done', finishedAt: this.now() });
    } catch (err) {
      Object.assign(status, { state: 'failed', finishedAt: this.now(), error: (err as Error).message });
    }
    await this.log.save(status);
    return status;
  }

  private async rebuildInto(status: RebuildStatus, live: number, actor: Actor): Promise<void> {
    const next = status.generation;
    await this.store.drop(next);
    const read = new Map<string, number>();
    const replay = async (stream: string) => {
      const last = await this.streams.lastSeq(stream);
      for await (const { event } of this.streams.read(stream, (read.get(stream) ?? 0) + 1, last)) {
        await this.apply(next, event);
        status.events += 1;
        if (status.events % PROGRESS_EVERY === 0) await this.log.save(status);
      }
      read.set(stream, last);
    };
    for (const stream of this.streams.streams) await replay(stream);
    const swapped = await this.gate.alone(async () => {
      for (const stream of this.streams.streams) await replay(stream);
      return this.generations.swap(live, next, actor);
    });
    if (!swapped) throw new ConflictError('another rebuild swapped first');
    // Another replica's consumers may have applied an event to the old generation just before the
    // swap: read the streams once more (events already applied are skipped by version).
    for (const stream of this.streams.streams) await replay(stream);
    // The generation just replaced stays until the next rebuild: a query that read the pointer just
    // before the swap still finds its facts. The one before it goes now.
    await this.store.drop(live - 1);
  }

  private mayRebuild(actor: Actor) {
    if (!allows(actor.roles, 'analytics.rebuild'))
      throw new ForbiddenError('only an admin may rebuild analytics');
  }
}
