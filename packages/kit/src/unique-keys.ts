import { UnavailableError } from './errors';
import { VersionedWrites } from './versioned-writes';
import type { AnyModel } from './write-claims';

/**
 * Race-proof unique keys (duplicate detection) on every MongoDB-compatible server.
 *
 * Each key is a document `{ _id: key, [holderField]: holderId }` in its own collection. A key is
 * claimed by inserting that document FIRST, before the holder (a lead, an account) is written: an
 * insert of an existing `_id` fails atomically everywhere, FerretDB included, so of two concurrent
 * claims exactly one wins. A key whose holder no longer has it (released after a crash, say) is
 * stale and is taken over by a conditional update, in turn with the key's other writers under the
 * `claimed` write strategy (FerretDB 1.x applies a conditional update non-atomically).
 *
 * Between the claim and the holder's write the holder does not have the key yet. So that a
 * concurrent claim does not mistake that for a stale key, a claim marks its holder as pending until
 * `settle` (or `release`); a mark older than PENDING_MS was left by a writer that died.
 */
export interface KeyConflict {
  key: string;
  holderId: string;
}

const PENDING_MS = 30_000;
const isDuplicate = (err: unknown) => (err as { code?: number } | undefined)?.code === 11000;

export class UniqueKeys {
  private readonly writes: VersionedWrites;

  constructor(
    private readonly model: AnyModel,
    private readonly holderField: string,
    /** Whether this holder is stored and has this key (so the key is not stale). */
    private readonly holds: (holderId: string, key: string) => Promise<boolean>,
  ) {
    this.writes = new VersionedWrites(model);
  }

  /**
   * Claims each key for holderId; returns the other holder of the first key that is taken. On a
   * conflict the keys claimed so far are released again. After a successful claim, write the holder
   * and call `settle` (or `release` the keys when the write failed).
   */
  async claim(holderId: string, keys: string[]): Promise<KeyConflict | undefined> {
    if (!keys.length) return undefined;
    await this.markPending(holderId);
    const claimed: string[] = [];
    for (const key of new Set(keys)) {
      const other = await this.claimOne(holderId, key).catch(async (err: unknown) => {
        await this.release(holderId, claimed);
        throw err;
      });
      if (other) {
        await this.release(holderId, claimed);
        return { key, holderId: other };
      }
      claimed.push(key);
    }
    return undefined;
  }

  /** The holder was written (or given up): its claimed keys no longer count as pending. */
  async settle(holderId: string): Promise<void> {
    await this.pending()
      .deleteOne({ _id: this.pendingId(holderId) })
      .catch(() => undefined);
  }

  /** Gives back the keys this holder has (others' keys are left alone), and settles the holder. */
  async release(holderId: string, keys: string[]): Promise<void> {
    for (const key of new Set(keys)) {
      await this.writes.inTurn(key, () => this.model.deleteOne({ _id: key, [this.holderField]: holderId }));
    }
    await this.settle(holderId);
  }

  /** Points the keys at holderId whoever held them (a merge hands them to the survivor). */
  async point(holderId: string, keys: string[]): Promise<void> {
    for (const key of new Set(keys)) {
      await this.writes.inTurn(key, () =>
        this.model.updateOne({ _id: key }, { $set: { [this.holderField]: holderId } }, { upsert: true }),
      );
    }
  }

  /** A forced duplicate records only keys nobody holds, so the original stays the one found. */
  async recordIfFree(holderId: string, keys: string[]): Promise<void> {
    for (const key of new Set(keys)) {
      await this.model.create({ _id: key, [this.holderField]: holderId }).catch((err: unknown) => {
        if (!isDuplicate(err)) throw err;
      });
    }
  }

  /** Returns the other holder when the key is taken, undefined once holderId has it. */
  private async claimOne(holderId: string, key: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < 6; attempt++) {
      try {
        await this.model.create({ _id: key, [this.holderField]: holderId });
        return undefined;
      } catch (err) {
        if (!isDuplicate(err)) throw err;
      }
      const result = await this.writes.inTurn(key, async () => {
        const doc = await this.model.findById(key).lean<Record<string, unknown>>();
        if (!doc) return { retry: true }; // released meanwhile: insert again
        const holder = String(doc[this.holderField] ?? '');
        if (holder === holderId) return { other: undefined };
        if ((await this.holds(holder, key)) || (await this.isPending(holder))) return { other: holder };
        // Stale: take it over, only if it still names that holder (a racer may have been quicker).
        const res = await this.model.updateOne(
          { _id: key, [this.holderField]: holder },
          { $set: { [this.holderField]: holderId } },
        );
        return res.matchedCount === 1 ? { other: undefined } : { retry: true };
      });
      if (!('retry' in result)) return result.other;
    }
    throw new UnavailableError('the duplicate keys keep changing hands; retry');
  }

  private pendingId(holderId: string): string {
    return `${this.model.collection.name}:pending/${holderId}`;
  }

  private pending() {
    return this.model.db.collection<{ _id: string; at: Date }>('version_claims');
  }

  private async markPending(holderId: string): Promise<void> {
    await this.pending()
      .updateOne({ _id: this.pendingId(holderId) }, { $set: { at: new Date() } }, { upsert: true })
      .catch((err: unknown) => {
        if (!isDuplicate(err)) throw err; // a concurrent write of the same holder marked it
      });
  }

  private async isPending(holderId: string): Promise<boolean> {
    const mark = await this.pending().findOne({ _id: this.pendingId(holderId) });
    return !!mark && Date.now() - mark.at.getTime() < PENDING_MS;
  }
}
