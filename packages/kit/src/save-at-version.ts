import type { Actor } from './actor';
import { VersionMismatchError } from './errors';
import type { OutboxEntry, OutboxModel } from './outbox';
import { updateAtVersion } from './version-claim';

/** The fields every aggregate carries: its version and who changed it last. */
export interface Versioned {
  _id: string;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * Compare-and-set on the version: the change, its audit stamp and its events land together or not at
 * all (one single-document write). Throws VersionMismatchError when someone else wrote in between.
 */
export async function saveAtVersion<T extends Versioned>(
  model: OutboxModel,
  current: T,
  set: Partial<T>,
  actor: Pick<Actor, 'userId'>,
  events: (next: T) => OutboxEntry[],
  extraFilter: Record<string, unknown> = {},
): Promise<T> {
  const next: T = {
    ...current,
    ...set,
    version: current.version + 1,
    updatedAt: new Date(),
    updatedBy: actor.userId,
  };
  const outbox = events(next);
  const saved = await updateAtVersion(
    model,
    current._id,
    current.version,
    {
      $set: { ...set, version: next.version, updatedAt: next.updatedAt, updatedBy: next.updatedBy },
      ...(outbox.length ? { $push: { outbox: { $each: outbox } } } : {}),
    },
    extraFilter,
  );
  if (!saved) {
    const now = await model.findById(current._id, { version: 1 }).lean<{ version: number }>();
    throw new VersionMismatchError(current.version, now?.version ?? current.version);
  }
  return next;
}

/** Runs an internal read-modify-write again when a concurrent writer moved the version. */
export async function retryOnVersionMismatch<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof VersionMismatchError) || i >= attempts) throw err;
    }
  }
}

/** The caller's expected version (0 = not given) against the record's; a 412 when they differ. */
export function checkVersion(expected: number, actual: number): void {
  if (expected && expected !== actual) throw new VersionMismatchError(expected, actual);
}
