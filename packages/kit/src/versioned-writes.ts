import type { AnyModel } from './write-claims';
import { writeStrategyOf } from './write-strategy';

type Filter = Record<string, unknown>;
type Update = Record<string, unknown>;

/**
 * The one way to change documents of a collection whose writers may race: compare-and-set on
 * `version`, updates of one document and of many. Each write goes through the write strategy of the
 * model's connection (write-strategy.ts), so the same code is right on MongoDB (plain conditional
 * updates) and on FerretDB (writers of a document take turns). Outside packages/kit, ESLint forbids
 * calling updateOne/updateMany/findOneAndUpdate on a model directly (eslint.config.mjs).
 *
 * Every write leaves `timestamps` alone: the caller sets updatedAt/updatedBy with who did it.
 */
export class VersionedWrites {
  constructor(readonly model: AnyModel) {}

  /**
   * Compare-and-set: applies update only if the document is still at `version` (and matches
   * extraFilter). Of concurrent writers of one version at most one wins. Returns whether it did.
   */
  updateAtVersion(id: string, version: number, update: Update, extraFilter: Filter = {}): Promise<boolean> {
    return this.update(id, update, { ...extraFilter, version });
  }

  /**
   * Updates one document without a version check (a last-activity time, a saga's journal), in turn
   * with its other writers so neither writes back a stale copy over the other. Returns whether the
   * document matched the filter.
   */
  update(id: string, update: Update, filter: Filter = {}): Promise<boolean> {
    return this.inTurn(id, async () => {
      const res = await this.model.updateOne({ ...filter, _id: id }, update, { timestamps: false });
      return res.matchedCount === 1;
    });
  }

  /**
   * Updates every document matching filter (a whole book in an ownership transfer), each document
   * atomically; a document that stopped matching before its write is left alone. Returns how many
   * changed. One updateMany under `atomic`; under `claimed` one document after another, `parallel`
   * at a time.
   */
  async updateEach(filter: Filter, update: Update, parallel = 1): Promise<number> {
    return (await writeStrategyOf(this.model.db)).updateEach(this.model, filter, update, parallel);
  }

  /**
   * Runs write with the documents of ids no other writer holds now (each written at most once by
   * it); returns its result and the ids left out, for the caller to write in turn one by one.
   */
  async allInTurn<T>(
    ids: string[],
    write: (held: string[]) => Promise<T>,
  ): Promise<{ result: T; busy: string[] }> {
    return (await writeStrategyOf(this.model.db)).allInTurn(this.model, ids, write);
  }

  /**
   * Runs write, which must be one write of the document (or a read and a conditional write of it),
   * with no other writer of the document in between. Throws UnavailableError when it stays busy.
   */
  async inTurn<T>(id: string, write: () => Promise<T>): Promise<T> {
    return (await writeStrategyOf(this.model.db)).inTurn(this.model, id, write);
  }
}

/** VersionedWrites of a model, for a one-off write. */
export const writesTo = (model: AnyModel) => new VersionedWrites(model);
