import { allows, ConflictError, ForbiddenError, type Actor } from '@crm/kit/domain';
import type { OneAtATime } from './one-at-a-time';
import type { FactStore, Generations, StreamReader } from './ports';

export interface RebuildReport {
  generation: number;
  events: number;
  durationMs: number;
}

/**
 * Rebuilds every read model from the start of the streams into the next generation, beside the live
 * one, which keeps answering figures meanwhile. The last events are read and the generations swapped
 * in this process's live consumers' turn, so none of their events is missing from the new generation;
 * the old one is dropped after the swap.
 */
export class Rebuild<E> {
  private running = false;

  constructor(
    private readonly generations: Generations,
    private readonly store: FactStore,
    private readonly streams: StreamReader<E>,
    private readonly apply: (generation: number, event: E) => Promise<void>,
    private readonly liveTurn: OneAtATime,
  ) {}

  async run(actor: Actor, now: () => number = Date.now): Promise<RebuildReport> {
    if (!allows(actor.roles, 'analytics.rebuild'))
      throw new ForbiddenError('only an admin may rebuild analytics');
    if (this.running) throw new ConflictError('a rebuild is running already');
    this.running = true;
    const started = now();
    try {
      const live = await this.generations.current();
      const next = live + 1;
      await this.store.drop(next);
      const read = new Map<string, number>();
      let events = 0;
      const replay = async (stream: string) => {
        const last = await this.streams.lastSeq(stream);
        for await (const { event } of this.streams.read(stream, (read.get(stream) ?? 0) + 1, last)) {
          await this.apply(next, event);
          events += 1;
        }
        read.set(stream, last);
      };
      for (const stream of this.streams.streams) await replay(stream);
      const swapped = await this.liveTurn.run(async () => {
        for (const stream of this.streams.streams) await replay(stream);
        return this.generations.swap(live, next, actor);
      });
      if (!swapped) throw new ConflictError('another rebuild swapped first');
      // Another replica's consumers may have applied an event to the old generation just before the
      // swap: read the streams once more (events already applied are skipped by version).
      for (const stream of this.streams.streams) await replay(stream);
      await this.store.drop(live);
      return { generation: next, events, durationMs: now() - started };
    } finally {
      this.running = false;
    }
  }
}
