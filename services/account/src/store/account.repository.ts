import {
  type Actor,
  afterCursor,
  isDuplicateKey,
  nextCursorOf,
  type OutboxEntry,
  pageLimit,
  saveAtVersion,
  UniqueKeys,
  updateAtVersion,
  updateEach,
  updateExclusively,
  visibilityFilter,
} from '@crm/kit';
import type { AccountQuery, AccountReferences, AccountRepository } from '../application/ports';
import { type AccountDoc, type AccountModels } from './account.model';

const NO_OUTBOX = { outbox: 0 } as const;

/** Accounts in MongoDB: queries and writes only (the rules are in src/application). */
export class MongoAccountRepository implements AccountRepository {
  constructor(private readonly m: AccountModels) {}

  async get(id: string): Promise<AccountDoc | undefined> {
    return (await this.m.Account.findById(id, NO_OUTBOX).lean<AccountDoc>()) ?? undefined;
  }

  async insert(account: AccountDoc): Promise<boolean> {
    try {
      await this.m.Account.create(account);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async revive(account: AccountDoc, version: number): Promise<boolean> {
    const { _id, outbox, ...rest } = account;
    return updateAtVersion(
      this.m.Account,
      _id,
      version,
      { $set: rest, $push: { outbox: { $each: outbox } } },
      { live: false },
    );
  }

  async list(q: AccountQuery): Promise<{ accounts: AccountDoc[]; nextCursor: string }> {
    const and: Record<string, unknown>[] = [{ live: true }];
    const visible = visibilityFilter(q.visibleTo);
    if (visible) and.push(visible);
    if (q.industry) and.push({ industry: q.industry });
    if (q.region) and.push({ region: q.region });
    if (q.lifecycle) and.push({ lifecycle: q.lifecycle });
    if (q.tier) and.push({ tier: q.tier });
    if (q.rfmSegment) and.push({ rfmSegment: q.rfmSegment });
    if (q.ownerId) and.push({ ownerId: q.ownerId });
    if (q.parentAccountId) and.push({ parentAccountId: q.parentAccountId });
    if (q.text) and.push({ searchText: { $regex: q.text } });
    if (q.customFilter) and.push(q.customFilter);
    const kind = q.sort === 'createdAt' ? 'date' : 'string';
    if (q.cursor) and.push(afterCursor(q.cursor, q.sort, q.descending, kind));
    const limit = pageLimit(q.limit);
    const dir = q.descending ? -1 : 1;
    const docs = await this.m.Account.find({ $and: and }, NO_OUTBOX)
      .sort({ [q.sort]: dir, _id: dir })
      .limit(limit + 1)
      .lean<AccountDoc[]>();
    const { page, nextCursor } = nextCursorOf(docs, limit, (d) => d[q.sort]);
    return { accounts: page, nextCursor };
  }

  save(
    current: AccountDoc,
    set: Partial<AccountDoc>,
    actor: Actor,
    events: (next: AccountDoc) => OutboxEntry[],
    opts: { notMerged?: boolean } = {},
  ): Promise<AccountDoc> {
    const extra = opts.notMerged ? { mergedInto: { $in: ['', null] } } : {};
    return saveAtVersion(this.m.Account, current, set, actor, events, extra);
  }

  async references(id: string): Promise<AccountReferences> {
    const [contacts, activities, childAccounts, mergedAccounts] = await Promise.all([
      this.m.Contact.countDocuments({ accountId: id, live: true }),
      this.m.Activity.countDocuments({ accountId: id }),
      this.m.Account.countDocuments({ parentAccountId: id, live: true }),
      this.m.Account.countDocuments({ mergedInto: id }),
    ]);
    return { contacts, activities, childAccounts, mergedAccounts };
  }

  async touchActivity(id: string, at: Date): Promise<void> {
    await updateExclusively(this.m.Account, id, { $max: { lastActivityAt: at } });
  }

  reparent(fromId: string, toId: string, actor: Actor): Promise<number> {
    return updateEach(
      this.m.Account,
      { parentAccountId: fromId, _id: { $ne: toId } },
      { $set: { parentAccountId: toId, ...stamp(actor) }, $inc: { version: 1 } },
    );
  }

  staleTiers(rulesVersion: number, afterId: string, limit: number): Promise<AccountDoc[]> {
    const stale = {
      $or: [{ tierRulesVersion: { $lt: rulesVersion } }, { tierRulesVersion: { $exists: false } }],
    };
    return this.m.Account.find(
      { live: true, ...stale, ...(afterId ? { _id: { $gt: afterId } } : {}) },
      NO_OUTBOX,
    )
      .sort({ _id: 1 })
      .limit(limit)
      .lean<AccountDoc[]>();
  }

  stampTierRules(id: string, version: number, rulesVersion: number): Promise<boolean> {
    return updateExclusively(this.m.Account, id, { $set: { tierRulesVersion: rulesVersion } }, { version });
  }

  /** Whether the account is live and has this duplicate key (its own or a merged account's). */
  async holdsKey(id: string, key: string): Promise<boolean> {
    const doc = await this.m.Account.findById(id, {
      dedupeKeys: 1,
      aliasKeys: 1,
      live: 1,
    }).lean<AccountDoc>();
    return !!doc?.live && (doc.dedupeKeys.includes(key) || (doc.aliasKeys ?? []).includes(key));
  }
}

/** Who changed a record and when, for writes outside saveAtVersion. */
export const stamp = (actor: Actor) => ({ updatedAt: new Date(), updatedBy: actor.userId });

/** The duplicate keys of accounts (collection account_keys, kit keyRegistryModel). */
export function accountKeys(m: AccountModels, accounts: MongoAccountRepository): UniqueKeys {
  return new UniqueKeys(m.AccountKey, 'accountId', (accountId, key) => accounts.holdsKey(accountId, key));
}
