import { randomUUID } from 'node:crypto';
import { both } from '@crm/custom-fields';
import {
  canSee,
  ConflictError,
  DuplicateError,
  ForbiddenError,
  hasRole,
  NotFoundError,
  Roles,
  ValidationError,
  visibilityFilter,
  Violations,
  type Actor,
  updateAtVersion,
  updateEach,
  updateExclusively,
  UniqueKeys,
} from '@crm/kit';
import {
  checkNoCycle,
  dedupeKeys,
  type AccountInput,
  type Lifecycle,
  normaliseAccountInput,
  type RawAccountInput,
  searchText,
} from '../domain/account';
import type { KeyPerson } from '../domain/contact';
import { idFromCreationKey } from '../domain/ids';
import {
  checkOverride,
  computeTier,
  DEFAULT_TIER,
  effectiveTier,
  type Tier,
  type TierRuleSet,
  validateTierRules,
} from '../domain/tier';
import { AccountEvents } from '../events/account-events';
import { customFilter, fieldSet, validateNewAccount } from './account-custom-fields';
import type { AccountDoc, AccountModels, SettingsDoc } from './account.model';
import {
  afterCursor,
  type Caller,
  casSave,
  changedFields,
  checkVersion,
  encodeCursor,
  escapeRegex,
  isDuplicateKey,
  pageLimit,
  stripUndefined,
  withRetry,
} from './common';

export interface AccountListQuery {
  query: string;
  industry: string;
  region: string;
  lifecycle?: Lifecycle;
  tier?: Tier;
  ownerId: string;
  parentAccountId: string;
  sort: string;
  limit: number;
  cursor: string;
  /** Custom field key -> value (see @crm/custom-fields filter). */
  customFilters?: Record<string, string>;
}

export type AccountPatch = Partial<Omit<RawAccountInput, 'annualRevenue' | 'openPipeline'>> & {
  /** null clears the amount; undefined leaves it. */
  annualRevenue?: AccountInput['annualRevenue'] | null;
  openPipeline?: AccountInput['openPipeline'] | null;
  ownerId?: string;
  teamId?: string;
};

export interface CreateOptions {
  allowDuplicate: boolean;
  creationKey: string;
  linkDuplicate: boolean;
}

const SORTS: Record<string, keyof AccountDoc> = { createdAt: 'createdAt', name: 'name' };
const MAX_HOPS = 10;
/** Fields compared for AccountUpdated.changed_fields. */
const TRACKED: (keyof AccountDoc)[] = [
  'name',
  'domain',
  'industry',
  'region',
  'size',
  'annualRevenue',
  'openPipeline',
  'parentAccountId',
  'lifecycle',
  'customFields',
  'ownerId',
  'teamId',
  'tier',
  'computedTier',
  'tierRuleId',
  'tierOverride',
  'primaryContactId',
  'primaryContact',
];

const managerOrAdmin = (a: Actor) => hasRole(a, Roles.manager, Roles.admin);

/**
 * The account use cases over mongoose. Each change is a compare-and-set on one document carrying its
 * events; work that spans documents (merge, key claims) is ordered so that a retry finishes it.
 */
export class AccountStore {
  /** The duplicate keys (account_keys), each claimed before the account that has it is written. */
  private readonly keys: UniqueKeys;

  constructor(
    readonly m: AccountModels,
    private readonly onWrite: (model: 'account' | 'contact' | 'activity', id?: string) => void = () =>
      undefined,
  ) {
    this.keys = new UniqueKeys(m.AccountKey, 'accountId', (accountId, key) => this.holds(accountId, key));
  }

  // ------------------------------------------------------------------------------------------ create

  async create(
    raw: RawAccountInput & { ownerId: string; teamId: string },
    opts: CreateOptions,
    c: Caller,
  ): Promise<{ account: AccountDoc; created: boolean }> {
    if (opts.allowDuplicate && !managerOrAdmin(c.actor))
      throw new ForbiddenError('only a sales manager or an admin may create a duplicate account');
    const input = validateNewAccount(await fieldSet('account'), raw);
    const owner = this.ownerFor(raw.ownerId, raw.teamId, c.actor);
    const creationKey = opts.creationKey.trim();
    if (creationKey.length > 200)
      throw new ValidationError([{ field: 'creationKey', description: 'must be at most 200 characters' }]);

    let previous: AccountDoc | null = null;
    const id = creationKey ? idFromCreationKey('account', creationKey) : randomUUID();
    if (creationKey) {
      previous = await this.m.Account.findById(id, { outbox: 0 }).lean<AccountDoc>();
      if (previous && previous.creationKey !== creationKey)
        throw new ConflictError('the creation key maps to an account created with another key');
      if (previous?.live) return { account: previous, created: true };
      if (previous?.mergedInto) {
        return { account: await this.follow(previous, c, true), created: false };
      }
      // else: never created, or discarded by a compensation; (re)create it
    }
    if (input.parentAccountId) await this.requireParent(input.parentAccountId);

    const keys = dedupeKeys(input);
    if (opts.allowDuplicate) await this.keys.recordIfFree(id, keys);
    else {
      const dup = await this.keys.claim(id, keys);
      if (dup) {
        const existing = await this.m.Account.findById(dup.holderId, { outbox: 0 }).lean<AccountDoc>();
        if (opts.linkDuplicate && existing && canSee(c.actor, existing))
          return { account: existing, created: false };
        throw duplicate(dup.holderId, dup.key);
      }
    }

    const tiers = await this.tierRules();
    const computed = computeTier(input, tiers);
    const now = new Date();
    const doc: AccountDoc = {
      _id: id,
      version: (previous?.version ?? 0) + 1,
      live: true,
      mergedInto: '',
      discardedAt: null,
      ...input,
      ownerId: owner.ownerId,
      teamId: owner.teamId,
      tier: computed.tier,
      computedTier: computed.tier,
      tierRuleId: computed.ruleId,
      tierOverride: null,
      primaryContactId: '',
      primaryContact: null,
      lastActivityAt: null,
      dedupeKeys: keys,
      aliasKeys: [],
      searchText: searchText(input),
      creationKey,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox = [AccountEvents.created(doc, c.actor, c.requestId)];
    try {
      if (previous) {
        // A discarded tombstone of the same key comes back to life (a saga retried after compensating).
        // Its unsent AccountDiscarded stays in the outbox, ahead of the new AccountCreated.
        const { _id, outbox, ...rest } = doc;
        void _id;
        const revived = await updateAtVersion(
          this.m.Account,
          id,
          previous.version,
          { $set: rest, $push: { outbox: { $each: outbox } } },
          { live: false },
        );
        if (!revived) return this.create(raw, opts, c);
      } else {
        await this.m.Account.create(doc);
      }
    } catch (err) {
      // A concurrent retry with the same creation key won the insert: answer with its account.
      if (creationKey && isDuplicateKey(err)) return this.create(raw, opts, c);
      await this.keys.release(id, keys);
      throw err;
    }
    await this.keys.settle(id);
    this.onWrite('account', id);
    return { account: doc, created: true };
  }

  /** Reps own what they create; managers, admins and integrators may name an owner (or none). */
  private ownerFor(ownerId: string, teamId: string, actor: Actor): { ownerId: string; teamId: string } {
    const mayAssign = hasRole(actor, Roles.manager, Roles.admin, Roles.integrator);
    if (ownerId && ownerId !== actor.userId && !mayAssign)
      throw new ForbiddenError('only a sales manager, an admin or an integrator may name another owner');
    if (teamId && !mayAssign && !actor.teams.includes(teamId))
      throw new ForbiddenError('a sales rep files accounts under their own team');
    if (ownerId)
      return { ownerId, teamId: teamId || (ownerId === actor.userId ? (actor.teams[0] ?? '') : '') };
    if (hasRole(actor, Roles.rep, Roles.manager))
      return { ownerId: actor.userId, teamId: teamId || (actor.teams[0] ?? '') };
    return { ownerId: '', teamId };
  }

  // ------------------------------------------------------------------------------------------ read

  /** One visible account; a merged id answers with its survivor. */
  async get(id: string, c: Caller): Promise<AccountDoc> {
    const doc = await this.m.Account.findById(id, { outbox: 0 }).lean<AccountDoc>();
    if (!doc) throw new NotFoundError('account', id);
    return this.follow(doc, c);
  }

  /** Follows merge redirects to the live survivor; NOT_FOUND for discarded or invisible accounts. */
  async follow(doc: AccountDoc, c: Caller, ignoreVisibility = false): Promise<AccountDoc> {
    let at: AccountDoc | null = doc;
    const id = doc._id;
    for (let hop = 0; at && !at.live && at.mergedInto && hop < MAX_HOPS; hop++) {
      at = await this.m.Account.findById(at.mergedInto, { outbox: 0 }).lean<AccountDoc>();
    }
    // A record the caller may not see is reported as missing, so ids leak nothing.
    if (!at || !at.live || (!ignoreVisibility && !canSee(c.actor, at)))
      throw new NotFoundError('account', id);
    return at;
  }

  async list(q: AccountListQuery, c: Caller): Promise<{ accounts: AccountDoc[]; nextCursor: string }> {
    const and: Record<string, unknown>[] = [{ live: true }];
    const visible = visibilityFilter(c.actor);
    if (visible) and.push(visible);
    if (q.industry) and.push({ industry: q.industry.trim().toLowerCase() });
    if (q.region) and.push({ region: q.region.trim().toLowerCase() });
    if (q.lifecycle) and.push({ lifecycle: q.lifecycle });
    if (q.tier) and.push({ tier: q.tier });
    if (q.ownerId) and.push({ ownerId: q.ownerId });
    if (q.parentAccountId) and.push({ parentAccountId: q.parentAccountId });
    if (q.query) and.push({ searchText: { $regex: escapeRegex(q.query.toLowerCase().slice(0, 100)) } });
    const custom = await customFilter('account', q.customFilters);
    if (custom) and.push(custom);
    const desc = q.sort.startsWith('-') || q.sort === '';
    const field = SORTS[q.sort.replace(/^-/, '') || 'createdAt'];
    if (!field)
      throw new ValidationError([
        { field: 'sort', description: `must be one of ${Object.keys(SORTS).join(', ')} with an optional -` },
      ]);
    if (q.cursor) and.push(afterCursor(q.cursor, field, desc, field === 'createdAt'));
    const limit = pageLimit(q.limit);
    const dir = desc ? -1 : 1;
    const docs = await this.m.Account.find({ $and: and }, { outbox: 0 })
      .sort({ [field]: dir, _id: dir })
      .limit(limit + 1)
      .lean<AccountDoc[]>();
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return {
      accounts: page,
      nextCursor: docs.length > limit && last ? encodeCursor(last[field], last._id) : '',
    };
  }

  // ------------------------------------------------------------------------------------------ update

  async update(id: string, expectedVersion: number, patch: AccountPatch, c: Caller): Promise<AccountDoc> {
    const current = await this.editable(id, expectedVersion, c);
    if ((patch.ownerId !== undefined || patch.teamId !== undefined) && !managerOrAdmin(c.actor))
      throw new ForbiddenError('only a sales manager or an admin may reassign an account');
    const { ownerId, teamId, annualRevenue, openPipeline, customFields, ...fields } = patch;
    const custom = await fieldSet('account');
    const [normalised, values] = both(
      () =>
        normaliseAccountInput({
          ...inputOf(current),
          website: current.domain,
          ...stripUndefined(fields),
          annualRevenue:
            annualRevenue === null ? undefined : (annualRevenue ?? current.annualRevenue ?? undefined),
          openPipeline:
            openPipeline === null ? undefined : (openPipeline ?? current.openPipeline ?? undefined),
        }),
      // Only the keys in the patch are checked; archived values stay stored.
      () => custom.validatePatch(current.customFields, customFields),
    );
    const input: AccountInput = { ...normalised, customFields: values };
    if (input.parentAccountId !== (current.parentAccountId ?? ''))
      await this.checkParent(id, input.parentAccountId);
    const keys = dedupeKeys(input);
    const added = keys.filter(
      (k) => !current.dedupeKeys.includes(k) && !(current.aliasKeys ?? []).includes(k),
    );
    const dup = await this.keys.claim(id, added);
    if (dup) throw duplicate(dup.holderId, dup.key);
    const computed = computeTier(input, await this.tierRules());
    const set: Partial<AccountDoc> = {
      ...input,
      annualRevenue: input.annualRevenue ?? null,
      openPipeline: input.openPipeline ?? null,
      ...(ownerId !== undefined ? { ownerId } : {}),
      ...(teamId !== undefined ? { teamId } : {}),
      computedTier: computed.tier,
      tierRuleId: computed.ruleId,
      tier: effectiveTier(computed.tier, current.tierOverride),
      dedupeKeys: keys,
      searchText: searchText(input),
    } as Partial<AccountDoc>;
    let next: AccountDoc;
    try {
      next = await this.save(current, set, c);
    } catch (err) {
      await this.keys.release(id, added);
      throw err;
    }
    const dropped = current.dedupeKeys.filter((k) => !keys.includes(k));
    if (added.length || dropped.length) await this.keys.release(id, dropped); // and settles the claim
    return next;
  }

  async setTierOverride(
    id: string,
    expectedVersion: number,
    tier: Tier,
    reason: string,
    c: Caller,
  ): Promise<AccountDoc> {
    if (!managerOrAdmin(c.actor))
      throw new ForbiddenError('only a sales manager or an admin sets a tier by hand');
    checkOverride(tier, reason);
    const current = await this.editable(id, expectedVersion, c);
    const tierOverride = { tier, reason: reason.trim(), setBy: c.actor.userId, setAt: new Date() };
    return this.save(current, { tierOverride, tier }, c);
  }

  async clearTierOverride(id: string, expectedVersion: number, c: Caller): Promise<AccountDoc> {
    if (!managerOrAdmin(c.actor))
      throw new ForbiddenError('only a sales manager or an admin clears a manual tier');
    const current = await this.editable(id, expectedVersion, c);
    if (!current.tierOverride) return current;
    return this.save(current, { tierOverride: null, tier: current.computedTier }, c);
  }

  // ------------------------------------------------------------------------------------------ merge

  /**
   * Merges `mergedId` into `survivorId`. Order (no multi-document transactions): 1. the survivor takes
   * over the merged account's duplicate keys (and its primary contact if it has none); 2. the merged
   * account becomes a redirect and carries AccountsMerged; 3. contacts, activities and child accounts
   * move with updateMany. A crash anywhere leaves a state from which repeating the call finishes it.
   */
  async merge(survivorId: string, mergedId: string, c: Caller): Promise<AccountDoc> {
    if (!managerOrAdmin(c.actor))
      throw new ForbiddenError('only a sales manager or an admin merges accounts');
    const v = new Violations();
    if (!survivorId) v.add('survivorId', 'is required');
    if (!mergedId) v.add('mergedId', 'is required');
    if (survivorId && survivorId === mergedId) v.add('mergedId', 'an account cannot be merged into itself');
    v.throwIfAny();
    const load = (id: string) => this.m.Account.findById(id, { outbox: 0 }).lean<AccountDoc>();
    let survivor = await load(survivorId);
    if (!survivor || survivor.discardedAt || !canSee(c.actor, survivor))
      throw new NotFoundError('account', survivorId);
    if (survivor.mergedInto)
      throw new ConflictError(
        `account ${survivorId} was merged into ${survivor.mergedInto}; merge into that one`,
      );
    const merged = await load(mergedId);
    if (!merged || merged.discardedAt || !canSee(c.actor, merged))
      throw new NotFoundError('account', mergedId);
    if (merged.mergedInto && merged.mergedInto !== survivorId)
      throw new ConflictError(`account ${mergedId} was already merged into ${merged.mergedInto}`);

    if (!merged.mergedInto) {
      const keys = [...merged.dedupeKeys, ...(merged.aliasKeys ?? [])];
      survivor = await withRetry(async () => {
        const s = await this.live(survivorId);
        const aliasKeys = [...new Set([...(s.aliasKeys ?? []), ...keys])].filter(
          (k) => !s.dedupeKeys.includes(k),
        );
        const set: Partial<AccountDoc> = { aliasKeys };
        if (!s.primaryContactId && merged.primaryContactId) {
          set.primaryContactId = merged.primaryContactId;
          set.primaryContact = merged.primaryContact ?? null;
        }
        if (s.parentAccountId === mergedId)
          set.parentAccountId = merged.parentAccountId === s._id ? '' : merged.parentAccountId;
        if (merged.lastActivityAt && (!s.lastActivityAt || merged.lastActivityAt > s.lastActivityAt))
          set.lastActivityAt = merged.lastActivityAt;
        return this.save(s, set, c);
      });
      await this.keys.point(survivorId, keys);
      await casSave(
        this.m.Account,
        merged,
        { live: false, mergedInto: survivorId, dedupeKeys: [], aliasKeys: [] },
        c,
        (next) => [AccountEvents.merged(next, survivorId, c.actor, c.requestId)],
        { mergedInto: { $in: ['', null] } },
      );
      this.onWrite('account', mergedId);
    }

    // Each record in turn with its other writers (updateEach): FerretDB would otherwise let a
    // concurrent edit write back a stale copy over the move.
    await updateEach(
      this.m.Contact,
      { accountId: mergedId },
      { $set: { accountId: survivorId }, $inc: { version: 1 } },
    );
    await updateEach(
      this.m.Activity,
      { accountId: mergedId },
      { $set: { accountId: survivorId }, $inc: { version: 1 } },
    );
    await updateEach(
      this.m.Activity,
      { 'relatedTo.type': 'account', 'relatedTo.id': mergedId },
      { $set: { 'relatedTo.id': survivorId } },
    );
    await updateEach(
      this.m.Account,
      { parentAccountId: mergedId, _id: { $ne: survivorId } },
      { $set: { parentAccountId: survivorId }, $inc: { version: 1 } },
    );
    return this.live(survivorId);
  }

  // ------------------------------------------------------------------------------------------ discard

  /** Saga compensation: removes an account this creation key made, if nothing was attached since. */
  async discard(id: string, creationKey: string, c: Caller): Promise<boolean> {
    if (!creationKey.trim())
      throw new ValidationError([{ field: 'creationKey', description: 'is required' }]);
    const doc = await this.m.Account.findById(id, { outbox: 0 }).lean<AccountDoc>();
    if (!doc || doc.discardedAt) return false;
    if (doc.creationKey !== creationKey)
      throw new ConflictError('the account was not created with this creation key');
    if (doc.mergedInto) throw new ConflictError('the account was merged into another account');
    const attached: [string, Promise<number>][] = [
      ['contacts', this.m.Contact.countDocuments({ accountId: id, live: true })],
      ['activities', this.m.Activity.countDocuments({ accountId: id })],
      ['child accounts', this.m.Account.countDocuments({ parentAccountId: id, live: true })],
      ['merged accounts', this.m.Account.countDocuments({ mergedInto: id })],
    ];
    for (const [what, count] of attached) {
      if ((await count) > 0) throw new ConflictError(`the account has ${what}; it is not discarded`);
    }
    const keys = [...doc.dedupeKeys, ...(doc.aliasKeys ?? [])];
    await casSave(
      this.m.Account,
      doc,
      { live: false, discardedAt: new Date(), dedupeKeys: [], aliasKeys: [] },
      c,
      (next) => [AccountEvents.discarded(next, c.actor, c.requestId)],
    );
    await this.keys.release(id, keys);
    this.onWrite('account', id);
    return true;
  }

  // ------------------------------------------------------------------------------------------ tier rules

  async getTierSettings(): Promise<SettingsDoc> {
    return (
      (await this.m.Settings.findById('tier').lean<SettingsDoc>()) ?? {
        _id: 'tier',
        version: 0,
        rules: [],
        defaultTier: DEFAULT_TIER,
      }
    );
  }

  async putTierRules(set: TierRuleSet, expectedVersion: number, c: Caller): Promise<SettingsDoc> {
    if (!hasRole(c.actor, Roles.admin)) throw new ForbiddenError('only an admin changes the tier rules');
    validateTierRules(set);
    const current = await this.m.Settings.findById('tier').lean<SettingsDoc>();
    const version = current?.version ?? 0;
    checkVersion(expectedVersion, version);
    const next = {
      rules: set.rules.map((r) => stripUndefined(r)),
      defaultTier: set.defaultTier,
      version: version + 1,
      updatedAt: new Date(),
      updatedBy: c.actor.userId,
    };
    const res = current
      ? await updateAtVersion(this.m.Settings, 'tier', version, { $set: next }).then((ok) => ({
          matchedCount: ok ? 1 : 0,
        }))
      : await this.m.Settings.create({ _id: 'tier', ...next })
          .then(() => ({ matchedCount: 1 }))
          .catch((err: unknown) => {
            if (isDuplicateKey(err)) return { matchedCount: 0 };
            throw err;
          });
    if (res.matchedCount !== 1) checkVersion(expectedVersion || version, version + 1);
    const stored = (await this.m.Settings.findById('tier').lean<SettingsDoc>())!;
    // Existing accounts follow the new rules in the background; the answer does not wait for it.
    void this.retierAll(stored, c).catch(() => undefined);
    return stored;
  }

  /** Recomputes the tier of every live account under these rules (pages by id, one CAS per change). */
  async retierAll(settings: SettingsDoc, c: Caller): Promise<number> {
    let after = '';
    let changed = 0;
    for (;;) {
      const page = await this.m.Account.find(
        { live: true, ...(after ? { _id: { $gt: after } } : {}) },
        { outbox: 0 },
      )
        .sort({ _id: 1 })
        .limit(200)
        .lean<AccountDoc[]>();
      if (page.length === 0) return changed;
      for (const a of page) {
        const computed = computeTier(a, settings);
        if (computed.tier === a.computedTier && computed.ruleId === a.tierRuleId) continue;
        await withRetry(async () => {
          const cur = await this.live(a._id);
          const t = computeTier(cur, settings);
          if (t.tier === cur.computedTier && t.ruleId === cur.tierRuleId) return;
          await this.save(
            cur,
            { computedTier: t.tier, tierRuleId: t.ruleId, tier: effectiveTier(t.tier, cur.tierOverride) },
            c,
          );
          changed++;
        }).catch(() => undefined); // discarded or merged meanwhile: nothing to re-tier
      }
      after = page[page.length - 1]!._id;
    }
  }

  private async tierRules(): Promise<TierRuleSet> {
    const s = await this.getTierSettings();
    return { rules: s.rules ?? [], defaultTier: s.defaultTier || DEFAULT_TIER };
  }

  // ------------------------------------------------------------------------------------------ for contacts and activities

  /** A live account the caller may see and change (merged ids follow to the survivor). */
  async writable(id: string, c: Caller): Promise<AccountDoc> {
    return this.get(id, c);
  }

  /** Sets (or clears, with null) the primary contact and its denormalised key-person view. */
  async setPrimary(accountId: string, person: KeyPerson | null, c: Caller): Promise<AccountDoc> {
    return withRetry(async () => {
      const cur = await this.live(accountId);
      const set = { primaryContactId: person?.id ?? '', primaryContact: person };
      if (
        JSON.stringify(set.primaryContact ?? null) === JSON.stringify(cur.primaryContact ?? null) &&
        set.primaryContactId === (cur.primaryContactId ?? '')
      )
        return cur;
      return this.save(cur, set, c);
    });
  }

  /** Refreshes the key-person view when the primary contact itself changed (name, title, role). */
  async refreshPrimary(accountId: string, person: KeyPerson, c: Caller): Promise<void> {
    const cur = await this.m.Account.findById(accountId, { primaryContactId: 1 }).lean<AccountDoc>();
    if (cur?.primaryContactId === person.id) await this.setPrimary(accountId, person, c);
  }

  /** Moves lastActivityAt forward (never back); no version bump, see AccountDoc. */
  async touchActivity(accountId: string, at: Date): Promise<void> {
    await updateExclusively(this.m.Account, accountId, { $max: { lastActivityAt: at } });
  }

  /** Is this live (or merged) account visible to the caller? Used for contacts and activities. */
  async canSeeAccount(accountId: string, c: Caller): Promise<boolean> {
    return this.get(accountId, c).then(
      () => true,
      (err: unknown) => {
        if (err instanceof NotFoundError) return false;
        throw err;
      },
    );
  }

  // ------------------------------------------------------------------------------------------ internals

  private async live(id: string): Promise<AccountDoc> {
    const doc = await this.m.Account.findById(id, { outbox: 0 }).lean<AccountDoc>();
    if (!doc || !doc.live) throw new NotFoundError('account', id);
    return doc;
  }

  private async editable(id: string, expectedVersion: number, c: Caller): Promise<AccountDoc> {
    const doc = await this.m.Account.findById(id, { outbox: 0 }).lean<AccountDoc>();
    if (!doc || !doc.live || !canSee(c.actor, doc)) {
      if (doc?.mergedInto && canSee(c.actor, doc))
        throw new ConflictError(`account ${id} was merged into ${doc.mergedInto}; change that one`);
      throw new NotFoundError('account', id);
    }
    checkVersion(expectedVersion, doc.version);
    return doc;
  }

  /** CAS save with AccountUpdated listing the fields that changed (no event when nothing did). */
  private async save(current: AccountDoc, set: Partial<AccountDoc>, c: Caller): Promise<AccountDoc> {
    const next = await casSave(this.m.Account, current, set, c, (n) => {
      const changed = changedFields(current, n, TRACKED);
      return changed.length ? [AccountEvents.updated(n, changed, c.actor, c.requestId)] : [];
    });
    this.onWrite('account', next._id);
    return next;
  }

  private async requireParent(parentId: string): Promise<AccountDoc> {
    const parent = await this.m.Account.findById(parentId, {
      parentAccountId: 1,
      live: 1,
    }).lean<AccountDoc>();
    if (!parent || !parent.live)
      throw new ValidationError([{ field: 'parentAccountId', description: 'is not an existing account' }]);
    return parent;
  }

  /** The new parent exists and walking up from it never reaches the account itself. */
  private async checkParent(selfId: string, parentId: string): Promise<void> {
    if (!parentId) return;
    if (parentId === selfId) checkNoCycle(selfId, parentId, () => undefined);
    await this.requireParent(parentId);
    const parentOf = new Map<string, string>();
    let at = parentId;
    for (let depth = 0; at && at !== selfId && depth <= 50; depth++) {
      const doc = await this.m.Account.findById(at, { parentAccountId: 1 }).lean<AccountDoc>();
      const up = doc?.parentAccountId ?? '';
      parentOf.set(at, up);
      at = up;
    }
    checkNoCycle(selfId, parentId, (id) => parentOf.get(id));
  }

  private async holds(accountId: string, key: string): Promise<boolean> {
    const doc = await this.m.Account.findById(accountId, {
      dedupeKeys: 1,
      aliasKeys: 1,
      live: 1,
    }).lean<AccountDoc>();
    return !!doc?.live && (doc.dedupeKeys.includes(key) || (doc.aliasKeys ?? []).includes(key));
  }
}

function duplicate(existingId: string, key: string): DuplicateError {
  const on = key.split(':')[0] ?? 'name';
  return new DuplicateError(`an account with the same ${on} already exists`, 'DUPLICATE_ACCOUNT', {
    existing_account_id: existingId,
    matched_on: on,
  });
}

function inputOf(d: AccountDoc): Omit<RawAccountInput, 'website'> {
  return {
    name: d.name,
    industry: d.industry ?? '',
    region: d.region ?? '',
    size: d.size ?? undefined,
    annualRevenue: d.annualRevenue ?? undefined,
    openPipeline: d.openPipeline ?? undefined,
    parentAccountId: d.parentAccountId ?? '',
    lifecycle: d.lifecycle,
    customFields: d.customFields ?? {},
  };
}
