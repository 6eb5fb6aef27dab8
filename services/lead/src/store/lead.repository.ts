import {
  type Actor,
  afterCursor,
  escapeRegex,
  nextCursorOf,
  type OutboxEntry,
  saveAtVersion,
  UniqueKeys,
  updateEach,
  updateExclusively,
  visibilityFilter,
} from '@crm/kit';
import type { DuplicateKeys, LeadQuery, LeadRepository } from '../application/ports';
import type { LeadStatus } from '../domain/lead';
import type { LeadDoc, LeadModels } from './lead.model';

const WITHOUT_OUTBOX = { outbox: 0 };
const CURSOR_KIND = { createdAt: 'date', score: 'number', lastName: 'string', company: 'string' } as const;

/** Leads in MongoDB: queries and single-document writes, each change carrying its events. */
export class MongoLeadRepository implements LeadRepository {
  constructor(private readonly m: LeadModels) {}

  async get(id: string): Promise<LeadDoc | undefined> {
    return (await this.m.Lead.findById(id, WITHOUT_OUTBOX).lean<LeadDoc>()) ?? undefined;
  }

  async insert(lead: LeadDoc): Promise<void> {
    // The use case builds the whole document (as for an import's rows, stored lean too): a driver
    // insert stores the same content without building a mongoose document first, which cost a few ms
    // of CPU per create. Undefined fields are left out, as mongoose leaves them out.
    await this.m.Lead.db
      .collection<LeadDoc>(this.m.Lead.collection.name)
      .insertOne(lead, { ignoreUndefined: true });
  }

  async insertMany(leads: LeadDoc[]): Promise<void> {
    await this.m.Lead.insertMany(leads, { ordered: false, lean: true });
  }

  async storedIds(ids: string[]): Promise<Set<string>> {
    const found = await this.m.Lead.find({ _id: { $in: ids } }, { _id: 1 }).lean<{ _id: string }[]>();
    return new Set(found.map((l) => String(l._id)));
  }

  async list(q: LeadQuery): Promise<{ leads: LeadDoc[]; nextCursor: string }> {
    const and: Record<string, unknown>[] = [];
    const visible = visibilityFilter(q.visibleTo);
    if (visible) and.push(visible);
    if (q.statuses.length) and.push({ status: { $in: q.statuses } });
    if (q.ownerId) and.push({ ownerId: q.ownerId });
    if (q.source) and.push({ source: q.source });
    if (q.region) and.push({ region: q.region });
    if (q.industry) and.push({ industry: q.industry });
    if (q.createdFrom) and.push({ createdAt: { $gte: q.createdFrom } });
    if (q.createdTo) and.push({ createdAt: { $lt: q.createdTo } });
    if (q.text) and.push({ searchText: { $regex: escapeRegex(q.text) } });
    if (q.customFilter && Object.keys(q.customFilter).length) and.push(q.customFilter);
    if (q.cursor) and.push(afterCursor(q.cursor, q.sort, q.descending, CURSOR_KIND[q.sort]));
    const dir = q.descending ? -1 : 1;
    const found = await this.m.Lead.find(and.length ? { $and: and } : {}, WITHOUT_OUTBOX)
      .sort({ [q.sort]: dir, _id: dir })
      .limit(q.limit + 1)
      .lean<LeadDoc[]>();
    const { page, nextCursor } = nextCursorOf(found, q.limit, (l) => l[q.sort]);
    return { leads: page, nextCursor };
  }

  save(
    current: LeadDoc,
    set: Partial<LeadDoc>,
    actor: Actor,
    events: (next: LeadDoc) => OutboxEntry[],
  ): Promise<LeadDoc> {
    return saveAtVersion(this.m.Lead, current, set, actor, events);
  }

  async countOpen(ownerIds: string[], open: LeadStatus[]): Promise<Map<string, number>> {
    // One read for all members: on FerretDB each query scans the whole collection.
    const found = await this.m.Lead.find(
      { ownerId: { $in: ownerIds }, status: { $in: open } },
      { _id: 0, ownerId: 1 },
    ).lean<{ ownerId: string }[]>();
    const counts = new Map<string, number>();
    for (const { ownerId } of found) counts.set(ownerId, (counts.get(ownerId) ?? 0) + 1);
    return counts;
  }

  touchActivity(id: string, at: Date): Promise<boolean> {
    return updateExclusively(
      this.m.Lead,
      id,
      { $set: { lastActivityAt: at } },
      { $or: [{ lastActivityAt: null }, { lastActivityAt: { $lt: at } }] },
    );
  }

  repointConversions(mergedAccountId: string, survivorAccountId: string): Promise<number> {
    return updateEach(
      this.m.Lead,
      { 'conversion.accountId': mergedAccountId },
      { $set: { 'conversion.accountId': survivorAccountId } },
    );
  }
}

/**
 * The duplicate keys of leads (collection lead_keys). A key whose lead no longer has it is stale
 * and may be taken over.
 */
export function leadDuplicateKeys(m: LeadModels): DuplicateKeys {
  return new UniqueKeys(m.LeadKey, 'leadId', async (leadId, key) => {
    const lead = await m.Lead.findById(leadId, { dedupeKeys: 1 }).lean<LeadDoc>();
    return !!lead?.dedupeKeys?.includes(key);
  });
}
