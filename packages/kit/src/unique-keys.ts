import { type Connection, Schema } from 'mongoose';
import { UnavailableError } from './errors';
import { VersionedWrites } from './versioned-writes';
import type { AnyModel } from './write-claims';

/**
 * Race-proof unique keys (duplicate detection) on every MongoDB-compatible server.
 *
 * Each key is a document `{ _id: key, [holderField]: holderId, at }` in its own collection. A key is
 * claimed by inserting that document FIRST, before the holder (a lead, an account) is written: an
 * insert of an existing `_id` fails atomically everywhere, FerretDB included, so of two concurrent
 * claims exactly one wins. A holder's keys go in with one ordered `insertMany` (one round trip), which
 * stops at the first key that is taken. A key whose holder no longer has it (released after a
 * crash, say) is stale and is taken over by a conditional update, in turn with the key's other writers
 * under the `claimed` write strategy (FerretDB 1.x applies a conditional update non-atomically).
 *
 * Between the claim and the holder's write the holder does not have the key yet. So that a
 * concurrent claim does not mistake that for a stale key, a key claimed less than PENDING_MS ago
 * (`at`) counts as held whatever its holder says; an older one was left by a writer that died.
 * A claim that meets such a pending key waits (up to `pendingWaitMs`) for the holder to be written
 * or to give the key back: a 409 then names a record the caller can read, and a racer whose write
 * failed leaves the key to the next one instead of turning both away.
 */
export interface KeyConflict {
  key: string;
  holderId: string;
}

const PENDING_MS = 30_000;
/** How often a claim looks again at a key whose holder is still being written. */
const PENDING_POLL_MS = 40;

export interface UniqueKeysOptions {
  /** How long a claim waits for a pending holder to be written before naming it anyway. */
  pendingWaitMs?: number;
}
/** MongoDB's answer (code 11000) to an insert of an `_id` or unique key that is taken. */
export const isDuplicateKey = (err: unknown) => (err as { code?: number } | undefined)?.code === 11000;

/**
 * Runs an insert and says whether it took: false when the _id (or a unique key) is taken already. An
 * insert by id is atomic on FerretDB too, so "exactly one of the racers inserts" holds everywhere.
 */
export async function inserted(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
const isDuplicate = isDuplicateKey;

/**
 * The model of a service's key collection for UniqueKeys (one document per key, keyed by `_id`): a
 * duplicate check is a few primary-key reads, never a scan. The holder's own keys stay the truth.
 */
export function keyRegistryModel(db: Connection, name: string, collection: string, holderField: string) {
  const schema = new Schema({ _id: String, [holderField]: String, at: Date }, { versionKey: false });
  return db.model<Record<string, unknown> & { _id: string }>(name, schema, collection);
}

/** A key as stored; the holder sits under the holder field the caller names. */
interface KeyDoc {
  _id: string;
  at?: Date;
  [holderField: string]: unknown;
}

interface BulkError {
  code?: number;
  writeErrors?: { index: number; code?: number }[] | { index: number; code?: number };
}

/** The indexes of the documents an insertMany refused as duplicates; undefined if anything else failed. */
function duplicatesOf(err: unknown): Set<number> | undefined {
  const raw = (err as BulkError | undefined)?.writeErrors;
  const errors = Array.isArray(raw) ? raw : raw ? [raw] : [];
  if (!errors.length || !errors.every((e) => e.code === 11000)) return undefined;
  return new Set(errors.map((e) => e.index));
}

export class UniqueKeys {
  private readonly writes: VersionedWrites;

  constructor(
    private readonly model: AnyModel,
    private readonly holderField: string,
    /** Whether this holder is stored and has this key (so the key is not stale). */
    private readonly holds: (holderId: string, key: string) => Promise<boolean>,
    private readonly options: UniqueKeysOptions = {},
  ) {
    this.writes = new VersionedWrites(model);
  }

  /**
   * Claims each key for holderId; returns the other holder of the first key that is taken. On a
   * conflict the keys claimed here are released again. After a successful claim, write the holder
   * (or `release` the keys when the write failed).
   */
  async claim(holderId: string, keys: string[]): Promise<KeyConflict | undefined> {
    let rest = [...new Set(keys)];
    const claimed: string[] = [];
    const at = new Date();
    // Every claimer inserts the keys in the same order and stops at the first taken one (an ordered
    // insertMany: one round trip when all are free). So whoever wins the first key is the only one that
    // can win the others: two racers never split the keys between them and both lose.
    while (rest.length) {
      const taken = await this.insertInOrder(holderId, rest, at).catch(async (err: unknown) => {
        await this.release(holderId, [...claimed, ...rest]).catch(() => undefined);
        throw err;
      });
      claimed.push(...rest.slice(0, taken < 0 ? rest.length : taken));
      if (taken < 0) return undefined;
      const key = rest[taken] as string;
      const other = await this.claimExisting(holderId, key).catch(async (err: unknown) => {
        await this.release(holderId, claimed);
        throw err;
      });
      if (other) {
        await this.release(holderId, claimed);
        return { key, holderId: other };
      }
      claimed.push(key);
      rest = rest.slice(taken + 1);
    }
    return undefined;
  }

  /** Inserts the keys in order up to the first that exists; its index, or -1 when all went in. */
  private async insertInOrder(holderId: string, keys: string[], at: Date): Promise<number> {
    try {
      await this.raw().insertMany(
        keys.map((key) => ({ _id: key, [this.holderField]: holderId, at })),
        { ordered: true },
      );
      return -1;
    } catch (err) {
      const dups = duplicatesOf(err);
      if (!dups || dups.size !== 1) throw err;
      return [...dups][0] as number;
    }
  }

  /**
   * Nothing to do any more: a key's claim time marks it pending by itself. Kept so that callers
   * written against the earlier pending marks still compile.
   */
  async settle(_holderId: string): Promise<void> {}

  /** Gives back the keys this holder has (others' keys are left alone). */
  async release(holderId: string, keys: string[]): Promise<void> {
    for (const key of new Set(keys)) {
      await this.writes.inTurn(key, () => this.model.deleteOne({ _id: key, [this.holderField]: holderId }));
    }
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

  /** The driver's collection: the key models' schemas need not know `at` (strict mode would drop it). */
  private raw() {
    return this.model.db.collection<KeyDoc>(this.model.collection.name);
  }

  /** A key that exists already: returns its other holder, undefined once holderId has it. */
  private async claimExisting(holderId: string, key: string): Promise<string | undefined> {
    const waitUntil = Date.now() + (this.options.pendingWaitMs ?? 3_000);
    for (let attempt = 0; attempt < 6;) {
      const result = await this.writes.inTurn(key, async () => {
        const doc = await this.model.findById(key).lean<Record<string, unknown>>();
        if (!doc) return { retry: true }; // released meanwhile: insert again
        const holder = String(doc[this.holderField] ?? '');
        if (holder === holderId) return { other: undefined };
        if (await this.holds(holder, key)) return { other: holder };
        if (isFresh(doc.at)) return Date.now() < waitUntil ? { pending: true } : { other: holder };
        // Stale: take it over, only if it still names that holder (a racer may have been quicker).
        const res = await this.raw().updateOne(
          { _id: key, [this.holderField]: holder },
          { $set: { [this.holderField]: holderId, at: new Date() } },
        );
        return res.matchedCount === 1 ? { other: undefined } : { retry: true };
      });
      if ('pending' in result) {
        await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
        continue;
      }
      if (!('retry' in result)) return result.other;
      attempt++;
      try {
        await this.raw().insertOne({ _id: key, [this.holderField]: holderId, at: new Date() });
        return undefined;
      } catch (err) {
        if (!isDuplicate(err)) throw err;
      }
    }
    throw new UnavailableError('the duplicate keys keep changing hands; retry');
  }
}

/** A claim younger than PENDING_MS: its holder may still be on its way to being written. */
const isFresh = (at: unknown) => at instanceof Date && Date.now() - at.getTime() < PENDING_MS;
