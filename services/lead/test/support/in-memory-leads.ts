import {
  type Actor,
  canSee,
  decodeCursor,
  type KeyConflict,
  nextCursorOf,
  type OutboxEntry,
  VersionMismatchError,
} from '@crm/kit';
import type { DuplicateKeys, LeadQuery, LeadRepository } from '../../src/application/ports';
import type { LeadStatus } from '../../src/domain/lead';
import type { LeadDoc } from '../../src/store/lead.model';

const KINDS = { createdAt: 'date', score: 'number', lastName: 'string', company: 'string' } as const;
const copy = <T>(v: T): T => structuredClone(v);

/** Leads in a Map, with the store's compare-and-set and list semantics. */
export class InMemoryLeadRepository implements LeadRepository {
  readonly docs = new Map<string, LeadDoc>();

  async get(id: string): Promise<LeadDoc | undefined> {
    const d = this.docs.get(id);
    return d && { ...copy(d), outbox: [] };
  }

  async insert(lead: LeadDoc): Promise<void> {
    if (this.docs.has(lead._id)) throw Object.assign(new Error('duplicate _id'), { code: 11000 });
    this.docs.set(lead._id, copy(lead));
  }

  async insertMany(leads: LeadDoc[]): Promise<void> {
    for (const l of leads) await this.insert(l);
  }

  async storedIds(ids: string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.docs.has(id)));
  }

  async list(q: LeadQuery): Promise<{ leads: LeadDoc[]; nextCursor: string }> {
    const dir = q.descending ? -1 : 1;
    const value = (l: LeadDoc) => {
      const v = l[q.sort] as unknown;
      return v instanceof Date ? v.getTime() : (v as string | number);
    };
    const cmp = (a: LeadDoc, b: LeadDoc) =>
      (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : a._id < b._id ? -1 : a._id > b._id ? 1 : 0) * dir;
    let found = [...this.docs.values()].filter((l) => canSee(q.visibleTo, l) && matches(l, q));
    if (q.cursor) {
      const c = decodeCursor(q.cursor, KINDS[q.sort]);
      const at = { [q.sort]: c.value, _id: c.id } as unknown as LeadDoc;
      found = found.filter((l) => cmp(l, at) > 0);
    }
    found.sort(cmp);
    const { page, nextCursor } = nextCursorOf(found.slice(0, q.limit + 1), q.limit, (l) => l[q.sort]);
    return { leads: page.map((l) => ({ ...copy(l), outbox: [] })), nextCursor };
  }

  async save(
    current: LeadDoc,
    set: Partial<LeadDoc>,
    actor: Actor,
    events: (next: LeadDoc) => OutboxEntry[],
  ): Promise<LeadDoc> {
    const stored = this.docs.get(current._id);
    if (!stored || stored.version !== current.version)
      throw new VersionMismatchError(current.version, stored?.version ?? current.version);
    const next = {
      ...current,
      ...copy(set),
      version: current.version + 1,
      updatedAt: new Date(),
      updatedBy: actor.userId,
    };
    const outbox = events(next);
    // Like $set: fields the change does not name keep what is stored.
    const { version, updatedAt, updatedBy } = next;
    this.docs.set(current._id, {
      ...stored,
      ...copy(set),
      version,
      updatedAt,
      updatedBy,
      outbox: [...stored.outbox, ...outbox],
    });
    return next;
  }

  async countOpen(ownerIds: string[], open: LeadStatus[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const l of this.docs.values())
      if (ownerIds.includes(l.ownerId) && open.includes(l.status))
        counts.set(l.ownerId, (counts.get(l.ownerId) ?? 0) + 1);
    return counts;
  }

  async touchActivity(id: string, at: Date): Promise<boolean> {
    const l = this.docs.get(id);
    if (!l) return false;
    if (!l.lastActivityAt || l.lastActivityAt < at) l.lastActivityAt = at;
    return true;
  }

  async repointConversions(mergedAccountId: string, survivorAccountId: string): Promise<number> {
    let moved = 0;
    for (const l of this.docs.values()) {
      if (l.conversion?.accountId !== mergedAccountId) continue;
      l.conversion.accountId = survivorAccountId;
      moved++;
    }
    return moved;
  }

  /** The event subjects a lead carries in its outbox, oldest first. */
  eventsOf(id: string): string[] {
    return (this.docs.get(id)?.outbox ?? []).map((e) => e.subject);
  }
}

function matches(l: LeadDoc, q: LeadQuery): boolean {
  if (q.statuses.length && !q.statuses.includes(l.status)) return false;
  if (q.ownerId && l.ownerId !== q.ownerId) return false;
  if (q.source && l.source !== q.source) return false;
  if (q.region && l.region !== q.region) return false;
  if (q.industry && l.industry !== q.industry) return false;
  if (q.createdFrom && l.createdAt < q.createdFrom) return false;
  if (q.createdTo && l.createdAt >= q.createdTo) return false;
  if (q.text && !l.searchText.includes(q.text)) return false;
  for (const [path, want] of Object.entries(q.customFilter ?? {})) {
    if ((l.customFields ?? {})[path.replace(/^customFields\./, '')] !== want) return false;
  }
  return true;
}

/** Duplicate keys in a Map: the first holder keeps a key until it gives it back. */
export class InMemoryDuplicateKeys implements DuplicateKeys {
  readonly holders = new Map<string, string>();

  async claim(leadId: string, keys: string[]): Promise<KeyConflict | undefined> {
    const taken = keys.find((k) => this.holders.has(k) && this.holders.get(k) !== leadId);
    if (taken) return { key: taken, holderId: this.holders.get(taken)! };
    for (const k of keys) this.holders.set(k, leadId);
    return undefined;
  }

  async release(leadId: string, keys: string[]): Promise<void> {
    for (const k of keys) if (this.holders.get(k) === leadId) this.holders.delete(k);
  }

  async recordIfFree(leadId: string, keys: string[]): Promise<void> {
    for (const k of keys) if (!this.holders.has(k)) this.holders.set(k, leadId);
  }
}
