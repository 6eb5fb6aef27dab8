import type { Connection, Model } from 'mongoose';
import { UnavailableError } from './errors';

/**
 * Claims: a key held by one writer at a time, on every MongoDB-compatible server.
 *
 * A claim is a document `{ _id: key, at }` in `version_claims`. Inserting a document with a given
 * `_id` is atomic everywhere, FerretDB included, so of concurrent claimers exactly one wins. The
 * `claimed` write strategy (write-strategy.ts) takes the claim of a document around each write to it;
 * schedules and saga leases claim keys of their own.
 */
interface ClaimDoc {
  _id: string;
  at: Date;
}

// Writes go through VersionedWrites over any model; the documents' shape is the caller's business.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModel = Model<any>;

/** A claim older than this was left by a writer that died mid-write: it may be taken over. */
const STALE_MS = 30_000;

/** How long a writer waits for another holder of the key to finish (writes take milliseconds). */
export const CLAIM_WAIT_MS = 3000;

function claims(db: Connection) {
  return db.collection<ClaimDoc>('version_claims');
}

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** Claims a key for this writer; false when another writer holds it. Release it after the write. */
export async function claimKey(db: Connection, key: string): Promise<boolean> {
  const c = claims(db);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await c.insertOne({ _id: key, at: new Date() });
      return true;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const held = await c.findOne({ _id: key });
      if (held && Date.now() - held.at.getTime() < STALE_MS) return false;
      // Gone meanwhile, or stale: two writers may both remove it; only one of their inserts wins.
      if (held) await c.deleteOne({ _id: key, at: held.at });
    }
  }
  return false;
}

/**
 * Claims as many of keys as no other writer holds, in one insert; returns those won. A key held by
 * another writer (or left stale by a dead one) is simply not won: the caller takes it in turn later.
 */
export async function claimKeys(db: Connection, keys: string[]): Promise<string[]> {
  if (!keys.length) return [];
  const at = new Date();
  try {
    await claims(db).insertMany(
      keys.map((_id) => ({ _id, at })),
      { ordered: false },
    );
    return keys;
  } catch (err) {
    const failed = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
    const lost = new Set((failed ?? []).map((e) => e.index));
    const won = keys.filter((_, i) => !lost.has(i));
    if (!failed?.length || !failed.every(isDuplicate)) {
      await releaseKeys(db, won);
      throw err;
    }
    return won;
  }
}

export async function releaseKeys(db: Connection, keys: string[]): Promise<void> {
  if (!keys.length) return;
  await claims(db)
    .deleteMany(keys.length === 1 ? { _id: keys[0]! } : { _id: { $in: keys } })
    .catch(() => undefined);
}

export async function releaseKey(db: Connection, key: string): Promise<void> {
  await claims(db)
    .deleteOne({ _id: key })
    .catch(() => undefined);
}

/**
 * Runs write while holding key, waiting up to waitMs for another holder to finish. A key that stays
 * taken is an UnavailableError: the same request may well succeed a moment later.
 */
export async function exclusively<T>(
  db: Connection,
  key: string,
  write: () => Promise<T>,
  waitMs = CLAIM_WAIT_MS,
): Promise<T> {
  const until = Date.now() + waitMs;
  for (let pause = 5; !(await claimKey(db, key)); pause = Math.min(pause * 2, 100)) {
    if (Date.now() >= until) throw new UnavailableError(`${key} is being written by another request; retry`);
    await new Promise((r) => setTimeout(r, pause));
  }
  try {
    return await write();
  } finally {
    await releaseKey(db, key);
  }
}

/** The claim key of one document: the unit in which writers take turns. */
export const documentKey = (model: AnyModel, id: string) => `${model.collection.name}/${id}`;
