import type { Connection, Model } from 'mongoose';

/**
 * Optimistic concurrency that holds on every MongoDB-compatible server.
 *
 * FerretDB 1.x (SQLite backend) applies a conditional update as read-then-write without isolation:
 * eight concurrent `updateOne({ _id, version: 1 }, ...)` all report a modified document (measured
 * here). Inserting a document with a given `_id` is atomic there as everywhere. So a writer first
 * claims "<collection>/<id>" by inserting it (waiting briefly while another writer holds it), then
 * runs its compare-and-set, then gives the claim back: one writer at a time per document. On
 * MongoDB the claim is redundant but cheap, and the compare-and-set stays the real guard.
 */
interface ClaimDoc {
  _id: string;
  at: Date;
}

/** A claim older than this was left by a writer that died mid-write: it may be taken over. */
const STALE_MS = 30_000;

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

export async function releaseKey(db: Connection, key: string): Promise<void> {
  await claims(db)
    .deleteOne({ _id: key })
    .catch(() => undefined);
}

/**
 * Runs write while holding key, waiting up to waitMs for another holder to finish (writes take
 * milliseconds); undefined when the key stayed taken.
 */
export async function exclusively<T>(
  db: Connection,
  key: string,
  write: () => Promise<T>,
  waitMs = 3000,
): Promise<T | undefined> {
  const until = Date.now() + waitMs;
  for (let pause = 5; !(await claimKey(db, key)); pause = Math.min(pause * 2, 100)) {
    if (Date.now() >= until) return undefined;
    await new Promise((r) => setTimeout(r, pause));
  }
  try {
    return await write();
  } finally {
    await releaseKey(db, key);
  }
}

/** The claim key of one document: the unit in which writers take turns. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const documentKey = (model: Model<any>, id: string) => `${model.collection.name}/${id}`;

/** Runs write in turn with the document's other writers (see exclusively). */
export function inTurn<T>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>,
  id: string,
  write: () => Promise<T>,
): Promise<T | undefined> {
  return exclusively(model.db, documentKey(model, id), write);
}

/**
 * updateOne on `{ _id, version, ...extraFilter }` that at most one concurrent writer of that version
 * wins, whatever the server: writers of one document take turns, and each one's filter is checked
 * against what the previous one wrote. Returns whether the document was at that version.
 */
export async function updateAtVersion(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>,
  id: string,
  version: number,
  update: Record<string, unknown>,
  extraFilter: Record<string, unknown> = {},
): Promise<boolean> {
  const matched = await inTurn(model, id, async () => {
    const res = await model.updateOne({ _id: id, version, ...extraFilter }, update, { timestamps: false });
    return res.matchedCount === 1;
  });
  return matched ?? false;
}

/**
 * An update of one document that takes its turn with the document's other writers, for changes
 * that need no version check (a last-activity time, a saga's journal). Without the turn, FerretDB
 * could write back a concurrent writer's stale copy over it, or it over theirs.
 */
export async function updateExclusively(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>,
  id: string,
  update: Record<string, unknown>,
  filter: Record<string, unknown> = {},
): Promise<boolean> {
  const matched = await inTurn(model, id, async () => {
    const res = await model.updateOne({ ...filter, _id: id }, update, { timestamps: false });
    return res.matchedCount === 1;
  });
  if (matched === undefined) throw new Error(`${model.collection.name} ${id} stayed busy; try again`);
  return matched;
}

/**
 * updateMany, one document at a time in turn with its other writers; the filter is
 * checked again per document, so one that changed meanwhile is left alone. Returns how many changed.
 */
export async function updateEach(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>,
  filter: Record<string, unknown>,
  update: Record<string, unknown>,
  parallel = 1,
): Promise<number> {
  const ids = (await model.find(filter, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => String(d._id));
  let changed = 0;
  for (let i = 0; i < ids.length; i += parallel) {
    const batch = ids.slice(i, i + parallel);
    const done = await Promise.all(batch.map((id) => updateExclusively(model, id, update, filter)));
    changed += done.filter(Boolean).length;
  }
  return changed;
}
