import type { Actor } from './actor';
import { VersionMismatchError } from './errors';
import type { OutboxEntry } from './outbox';

/** A document as the versioned writes keep it: an id, a version and the events it still has to send. */
export interface VersionedDoc {
  _id: string;
  version: number;
  outbox: OutboxEntry[];
}

/**
 * One collection in memory with the write semantics of kit's saveAtVersion, for unit tests of use
 * cases over repository ports: documents are copied in and out (a use case cannot change what is
 * stored by holding on to an object), a save at a stale version throws VersionMismatchError, and every
 * event written is kept in order so a test can assert what was published.
 */
export class InMemoryDocs<T extends VersionedDoc> {
  readonly docs = new Map<string, T>();
  /** Every event written, in order. */
  readonly events: OutboxEntry[] = [];

  async get(id: string): Promise<T | undefined> {
    const d = this.docs.get(id);
    return d ? { ...structuredClone(d), outbox: [] } : undefined;
  }

  all(): T[] {
    return [...this.docs.values()].map((d) => ({ ...structuredClone(d), outbox: [] }));
  }

  /** Event names in order, without their package (`crm.opportunity.v1.OpportunityWon` -> `OpportunityWon`). */
  subjects(): string[] {
    return this.events.map((e) => e.subject.replace(/^crm\.[\w-]+\.v\d+\./, ''));
  }

  /** Stores a document as it is, with its events. */
  protected put(doc: T): void {
    this.docs.set(doc._id, structuredClone(doc));
    this.events.push(...doc.outbox);
  }

  /** The compare-and-set save: the next version with `set`, who did it, and the events it adds. */
  protected apply(current: T, set: Partial<T>, actor: Actor, events: (next: T) => OutboxEntry[]): T {
    const stored = this.docs.get(current._id);
    if (!stored || stored.version !== current.version)
      throw new VersionMismatchError(current.version, stored?.version ?? current.version);
    const next = {
      ...current,
      ...set,
      version: current.version + 1,
      updatedAt: new Date(),
      updatedBy: actor.userId,
    };
    const outbox = events(next);
    this.docs.set(current._id, { ...structuredClone(next), outbox: [...stored.outbox, ...outbox] });
    this.events.push(...outbox);
    return next;
  }
}

/** InMemoryDocs with the repository methods most ports share: insert by id and compare-and-set save. */
export class InMemoryVersioned<T extends VersionedDoc> extends InMemoryDocs<T> {
  /** Inserts by id; false when the id is taken (as a duplicate key is in the store). */
  async insert(doc: T): Promise<boolean> {
    if (this.docs.has(doc._id)) return false;
    this.put(doc);
    return true;
  }

  async save(current: T, set: Partial<T>, actor: Actor, events: (next: T) => OutboxEntry[]): Promise<T> {
    return this.apply(current, set, actor, events);
  }
}
