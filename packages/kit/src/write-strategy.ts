import type { Connection } from 'mongoose';
import { type AnyModel, claimKeys, documentKey, exclusively, releaseKeys } from './write-claims';

/**
 * How writes of one document are kept from overwriting each other, chosen once per connection from
 * the server it talks to (see "Writes and the database" in the kit README):
 *
 * - `atomic`: MongoDB applies a conditional updateOne/updateMany atomically per document, so the
 *   filter is the guard and nothing else is needed.
 * - `claimed`: FerretDB 1.x applies a conditional update as read-then-write without isolation
 *   (concurrent writers of one version are all told they won), so each write of a document first
 *   claims it (write-claims.ts) and writers of one document take turns.
 */
export const WRITE_STRATEGIES = ['atomic', 'claimed'] as const;
export type WriteStrategyName = (typeof WRITE_STRATEGIES)[number];
/** What configuration may ask for (MONGODB_WRITE_STRATEGY); `auto` asks the server. */
export type WriteStrategyChoice = WriteStrategyName | 'auto';

export interface WriteStrategy {
  readonly name: WriteStrategyName;
  /**
   * Runs write, one write of the document (or a read and a conditional write of it), with no other
   * writer of the document in between. Throws UnavailableError when the document stays busy.
   */
  inTurn<T>(model: AnyModel, id: string, write: () => Promise<T>): Promise<T>;
  /**
   * Runs write with every document of ids that can be had at once, without waiting: under `claimed`
   * one insert claims them all and one delete releases them. Returns what write returned and the ids
   * another writer held (none under `atomic`): the caller writes those in turn, one by one.
   */
  allInTurn<T>(
    model: AnyModel,
    ids: string[],
    write: (held: string[]) => Promise<T>,
  ): Promise<{ result: T; busy: string[] }>;
  /** Applies update to every document matching filter at the time of its write; returns how many. */
  updateEach(
    model: AnyModel,
    filter: Record<string, unknown>,
    update: Record<string, unknown>,
    parallel: number,
  ): Promise<number>;
}

const atomic: WriteStrategy = {
  name: 'atomic',
  inTurn: (_model, _id, write) => write(),
  allInTurn: async (_model, ids, write) => ({ result: await write(ids), busy: [] }),
  async updateEach(model, filter, update) {
    return (await model.updateMany(filter, update, { timestamps: false })).matchedCount;
  },
};

const claimed: WriteStrategy = {
  name: 'claimed',
  inTurn: (model, id, write) => exclusively(model.db, documentKey(model, id), write),
  async allInTurn(model, ids, write) {
    const keyOf = new Map(ids.map((id) => [documentKey(model, id), id]));
    const won = await claimKeys(model.db, [...keyOf.keys()]);
    const held = new Set(won.map((key) => keyOf.get(key)!));
    try {
      return { result: await write([...held]), busy: ids.filter((id) => !held.has(id)) };
    } finally {
      await releaseKeys(model.db, won);
    }
  },
  // One document at a time, each in turn with its other writers; the filter is checked again at
  // each write, so a document that changed meanwhile is left alone.
  async updateEach(model, filter, update, parallel) {
    const ids = (await model.find(filter, { _id: 1 }).lean<{ _id: unknown }[]>()).map((d) => String(d._id));
    let changed = 0;
    for (let i = 0; i < ids.length; i += parallel) {
      const done = await Promise.all(
        ids.slice(i, i + parallel).map((id) =>
          claimed.inTurn(model, id, async () => {
            const res = await model.updateOne({ ...filter, _id: id }, update, { timestamps: false });
            return res.matchedCount === 1;
          }),
        ),
      );
      changed += done.filter(Boolean).length;
    }
    return changed;
  },
};

export const writeStrategies: Record<WriteStrategyName, WriteStrategy> = { atomic, claimed };

export interface ServerInfo {
  product: 'FerretDB' | 'MongoDB';
  version: string;
}

/** Asks the server what it is: FerretDB names itself in buildInfo (`ferretdbVersion`). */
export async function describeServer(db: Connection): Promise<ServerInfo> {
  await db.asPromise();
  const info = await db.db!.admin().command({ buildInfo: 1 });
  return info.ferretdbVersion
    ? { product: 'FerretDB', version: String(info.ferretdbVersion) }
    : { product: 'MongoDB', version: String(info.version) };
}

/** The strategy right for a server: only MongoDB itself is trusted with conditional updates. */
export const strategyFor = (server: ServerInfo): WriteStrategyName =>
  server.product === 'MongoDB' ? 'atomic' : 'claimed';

// Per connection, not per process: a test (or a tool) may talk to two servers at once.
const chosen = new WeakMap<Connection, Promise<WriteStrategy>>();

async function decide(db: Connection, choice: WriteStrategyChoice) {
  const server = await describeServer(db).catch(() => undefined);
  // A server that does not say what it is gets `claimed`, which holds everywhere.
  const strategy: WriteStrategyName = choice !== 'auto' ? choice : server ? strategyFor(server) : 'claimed';
  return { strategy, server };
}

/**
 * Fixes the write strategy of a connection: the configured one, or for `auto` the one right for its
 * server. connectMongo calls this at start.
 */
export async function chooseWriteStrategy(
  db: Connection,
  choice: WriteStrategyChoice = 'auto',
): Promise<{ strategy: WriteStrategyName; server?: ServerInfo }> {
  const decided = await decide(db, choice);
  chosen.set(db, Promise.resolve(writeStrategies[decided.strategy]));
  return decided;
}

/**
 * The write strategy of a connection. One opened without connectMongo (a test, a script) asks its
 * server on first use.
 */
export function writeStrategyOf(db: Connection): Promise<WriteStrategy> {
  let strategy = chosen.get(db);
  if (!strategy) {
    strategy = decide(db, 'auto').then((d) => writeStrategies[d.strategy]);
    chosen.set(db, strategy);
  }
  return strategy;
}
