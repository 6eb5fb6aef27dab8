import { type Actor, canSee, type KeyConflict, type OutboxEntry, VersionMismatchError } from '@crm/kit';
import type {
  AccountQuery,
  AccountReferences,
  AccountRepository,
  DuplicateKeys,
  SettingsRepository,
} from '../../src/application/ports';
import type { AccountDoc, ActivityDoc, ContactDoc, SettingsDoc } from '../../src/store/account.model';
import { InMemoryCollection, matchesCustomFilter, pageOf } from './in-memory-records';

/** The collections of the account service's database, in memory. */
export class InMemoryDatabase {
  readonly accounts = new InMemoryCollection<AccountDoc>();
  readonly contacts = new InMemoryCollection<ContactDoc>();
  readonly activities = new InMemoryCollection<ActivityDoc>();
  settings?: SettingsDoc;
  /** Account ids by duplicate key (account_keys). */
  readonly keys = new Map<string, string>();
}

export class InMemoryAccountRepository implements AccountRepository {
  /** Ids whose next save fails (a crash or an error of the database), for the re-tier tests. */
  readonly failingSaves = new Set<string>();

  constructor(private readonly db: InMemoryDatabase) {}

  async get(id: string) {
    return this.db.accounts.get(id);
  }

  async insert(account: AccountDoc) {
    return this.db.accounts.insert(account);
  }

  async revive(account: AccountDoc, version: number) {
    return this.db.accounts.replaceAt(account, version, (s) => !s.live);
  }

  async list(q: AccountQuery) {
    const text = q.text ? new RegExp(q.text) : undefined;
    const found = this.db.accounts
      .all()
      .filter(
        (a) =>
          a.live &&
          canSee(q.visibleTo, a) &&
          (!q.industry || a.industry === q.industry) &&
          (!q.region || a.region === q.region) &&
          (!q.lifecycle || a.lifecycle === q.lifecycle) &&
          (!q.tier || a.tier === q.tier) &&
          (!q.rfmSegment || a.rfmSegment === q.rfmSegment) &&
          (!q.ownerId || a.ownerId === q.ownerId) &&
          (!q.parentAccountId || a.parentAccountId === q.parentAccountId) &&
          (!text || text.test(a.searchText)) &&
          matchesCustomFilter(a, q.customFilter),
      );
    const { page, nextCursor } = pageOf(
      found,
      (a) => a[q.sort],
      q.sort === 'createdAt' ? 'date' : 'string',
      q,
    );
    return { accounts: page, nextCursor };
  }

  async save(
    current: AccountDoc,
    set: Partial<AccountDoc>,
    actor: Actor,
    events: (next: AccountDoc) => OutboxEntry[],
    opts: { notMerged?: boolean } = {},
  ) {
    if (this.failingSaves.delete(current._id)) throw new Error('the database is away');
    return this.db.accounts.save(current, set, actor, events, (s) => !opts.notMerged || !s.mergedInto);
  }

  async references(id: string): Promise<AccountReferences> {
    const accounts = this.db.accounts.all();
    return {
      contacts: this.db.contacts.all().filter((c) => c.accountId === id && c.live).length,
      activities: this.db.activities.all().filter((a) => a.accountId === id).length,
      childAccounts: accounts.filter((a) => a.parentAccountId === id && a.live).length,
      mergedAccounts: accounts.filter((a) => a.mergedInto === id).length,
    };
  }

  async touchActivity(id: string, at: Date) {
    this.db.accounts.patch(id, (a) => ({
      lastActivityAt: a.lastActivityAt && a.lastActivityAt > at ? a.lastActivityAt : at,
    }));
  }

  async reparent(fromId: string, toId: string, actor: Actor) {
    const children = this.db.accounts.all().filter((a) => a.parentAccountId === fromId && a._id !== toId);
    for (const c of children)
      this.db.accounts.patch(c._id, (a) => ({ parentAccountId: toId, ...moved(a, actor) }));
    return children.length;
  }

  async staleTiers(rulesVersion: number, afterId: string, limit: number) {
    return this.db.accounts
      .all()
      .filter((a) => a.live && (a.tierRulesVersion ?? 0) < rulesVersion && a._id > afterId)
      .sort((a, b) => (a._id < b._id ? -1 : 1))
      .slice(0, limit);
  }

  async stampTierRules(id: string, version: number, rulesVersion: number) {
    if (this.db.accounts.get(id)?.version !== version) return false;
    return this.db.accounts.patch(id, () => ({ tierRulesVersion: rulesVersion }));
  }
}

/** A move outside a compare-and-set: a new version, stamped with who moved it. */
export const moved = (r: { version: number }, actor: Actor) => ({
  version: r.version + 1,
  updatedAt: new Date(),
  updatedBy: actor.userId,
});

/** Duplicate keys as kit's UniqueKeys keeps them: a key belongs to one account until released. */
export class InMemoryDuplicateKeys implements DuplicateKeys {
  constructor(private readonly db: InMemoryDatabase) {}

  async claim(accountId: string, keys: string[]): Promise<KeyConflict | undefined> {
    const taken = keys.find((k) => {
      const holder = this.db.keys.get(k);
      return holder !== undefined && holder !== accountId;
    });
    if (taken) return { key: taken, holderId: this.db.keys.get(taken)! };
    for (const k of keys) this.db.keys.set(k, accountId);
    return undefined;
  }

  async settle() {}

  async release(accountId: string, keys: string[]) {
    for (const k of keys) if (this.db.keys.get(k) === accountId) this.db.keys.delete(k);
  }

  async point(accountId: string, keys: string[]) {
    for (const k of keys) this.db.keys.set(k, accountId);
  }

  async recordIfFree(accountId: string, keys: string[]) {
    for (const k of keys) if (!this.db.keys.has(k)) this.db.keys.set(k, accountId);
  }
}

export class InMemorySettingsRepository implements SettingsRepository {
  constructor(private readonly db: InMemoryDatabase) {}

  async get() {
    return this.db.settings ? structuredClone(this.db.settings) : undefined;
  }

  async put(version: number, set: Pick<SettingsDoc, 'rules' | 'defaultTier'>, actor: Actor) {
    const stored = this.db.settings?.version ?? 0;
    if (stored !== version) throw new VersionMismatchError(version, stored);
    this.db.settings = {
      ...this.db.settings,
      _id: 'tier',
      ...structuredClone(set),
      version: version + 1,
      updatedAt: new Date(),
      updatedBy: actor.userId,
    };
    return structuredClone(this.db.settings);
  }

  async markRetiered(version: number) {
    if (this.db.settings?.version !== version) return false;
    this.db.settings.retieredVersion = version;
    return true;
  }
}
