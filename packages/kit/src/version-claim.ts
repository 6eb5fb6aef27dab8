import { type AnyModel } from './write-claims';
import { writesTo } from './versioned-writes';

/**
 * The functions services have called since before VersionedWrites (versioned-writes.ts); each one is a
 * method of it, so the write strategy of the model's connection applies. New code holds a
 * VersionedWrites of its model instead.
 */
export { claimKey, documentKey, exclusively, releaseKey } from './write-claims';

/** VersionedWrites.inTurn: runs write in turn with the document's other writers. */
export const inTurn = <T>(model: AnyModel, id: string, write: () => Promise<T>): Promise<T> =>
  writesTo(model).inTurn(id, write);

/** VersionedWrites.updateAtVersion: compare-and-set on `version`; whether the document was at it. */
export const updateAtVersion = (
  model: AnyModel,
  id: string,
  version: number,
  update: Record<string, unknown>,
  extraFilter: Record<string, unknown> = {},
): Promise<boolean> => writesTo(model).updateAtVersion(id, version, update, extraFilter);

/** VersionedWrites.update: an update of one document without a version check. */
export const updateExclusively = (
  model: AnyModel,
  id: string,
  update: Record<string, unknown>,
  filter: Record<string, unknown> = {},
): Promise<boolean> => writesTo(model).update(id, update, filter);

/** VersionedWrites.updateEach: each matching document changed atomically; returns how many. */
export const updateEach = (
  model: AnyModel,
  filter: Record<string, unknown>,
  update: Record<string, unknown>,
  parallel = 1,
): Promise<number> => writesTo(model).updateEach(filter, update, parallel);
