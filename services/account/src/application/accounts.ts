import { randomUUID } from 'node:crypto';
import { both } from '@crm/custom-fields';
import {
  allows,
  canReassign,
  canSee,
  ConflictError,
  escapeRegex,
  ForbiddenError,
  mustAllow,
  NotFoundError,
  RFM_SEGMENTS,
  retryOnVersionMismatch,
  stripUndefined,
  ValidationError,
} from '@crm/kit';
import {
  type AccountInput,
  dedupeKeys,
  duplicateAccount,
  type Lifecycle,
  managesAccounts,
  normaliseAccountInput,
  ownerOfNewAccount,
  type RawAccountInput,
  rawInputOf,
  searchText,
} from '../domain/account';
import { idFromCreationKey } from '../domain/ids';
import { computeTier, effectiveTier, type Tier } from '../domain/tier';
import type { AccountDoc } from '../store/account.model';
import { AccountChanges } from './account-changes';
import { customFilter, validateNewAccount } from './account-custom-fields';
import type { AccountPorts, AccountSortField, Caller } from './ports';

export interface AccountListRequest {
  query: string;
  industry: string;
  region: string;
  lifecycle?: Lifecycle;
  tier?: Tier;
  /** '' for any. */
  rfmSegment?: string;
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

const SORTS: AccountSortField[] = ['createdAt', 'name'];
/** Merge redirects followed at most (a merged account's survivor may itself be merged later). */
const MAX_HOPS = 10;

/** The coarse gate every account, contact and activity use case passes first, then record access. */
export const mayWork = (c: Caller) =>
  mustAllow(c.actor.roles, 'account.use', 'this role does not work accounts, contacts or activities');

/**
 * Accounts: creation with duplicate detection, the hierarchy, reading with record access, edits with
 * If-Match, and the compensation of a conversion. Each change is a compare-and-set on one account
 * carrying its events; duplicate keys are claimed before the account that has them is written.
 */
export class Accounts {
  readonly changes: AccountChanges;

  constructor(private readonly p: AccountPorts) {
    this.changes = new AccountChanges(p);
  }

  async create(
    raw: RawAccountInput & { ownerId: string; teamId: string },
    opts: CreateOptions,
    c: Caller,
  ): Promise<{ account: AccountDoc; created: boolean }> {
    mayWork(c);
    if (opts.allowDuplicate && !allows(c.actor.roles, 'record.force-duplicate'))
      throw new ForbiddenError('only a sales manager or an admin may create a duplicate account');
    const input = validateNewAccount(await this.p.customFields.fields('account'), raw);
    const owner = ownerOfNewAccount(raw.ownerId, raw.teamId, c.actor);
    const creationKey = opts.creationKey.trim();
    if (creationKey.length > 200)
      throw new ValidationError([{ field: 'creationKey', description: 'must be at most 200 characters' }]);

    const id = creationKey ? idFromCreationKey('account', creationKey) : randomUUID();
    const previous = creationKey ? await this.p.accounts.get(id) : undefined;
    if (previous) {
      if (previous.creationKey !== creationKey)
        throw new ConflictError('the creation key maps to an account created with another key');
      if (previous.live) return { account: previous, created: true };
      if (previous.mergedInto) return { account: await this.follow(previous, c, true), created: false };
      // else discarded by a compensation: it is created again below
    }
    if (input.parentAccountId) await this.changes.requireParent(input.parentAccountId, c);

    const keys = dedupeKeys(input);
    if (opts.allowDuplicate) await this.p.keys.recordIfFree(id, keys);
    else {
      const dup = await this.p.keys.claim(id, keys);
      if (dup) {
        const existing = await this.p.accounts.get(dup.holderId);
        if (opts.linkDuplicate && existing && canSee(c.actor, existing))
          return { account: existing, created: false };
        throw duplicateAccount(dup.key, existing, c.actor);
      }
    }

    const rules = await this.changes.tierRules();
    const computed = computeTier(input, rules);
    const now = new Date();
    const doc: AccountDoc = {
      _id: id,
      version: (previous?.version ?? 0) + 1,
      live: true,
      mergedInto: '',
      discardedAt: null,
      ...input,
      ...owner,
      tier: computed.tier,
      computedTier: computed.tier,
      tierRuleId: computed.ruleId,
      tierOverride: null,
      tierRulesVersion: rules.version,
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
    doc.outbox = [this.changes.events.created(doc, c.actor, c.requestId)];
    let stored: boolean;
    try {
      // A discarded account of the same key comes back to life (a saga retried after compensating);
      // its unsent AccountDiscarded stays in the outbox, ahead of the new AccountCreated.
      stored = previous
        ? await this.p.accounts.revive(doc, previous.version)
        : await this.p.accounts.insert(doc);
    } catch (err) {
      await this.p.keys.release(id, keys);
      throw err;
    }
    // A concurrent retry with the same creation key got there first: answer with its account.
    if (!stored) return this.create(raw, opts, c);
    await this.p.keys.settle(id);
    this.p.written('account', id);
    return { account: doc, created: true };
  }

  /** One visible account; a merged id answers with its survivor. */
  async get(id: string, c: Caller): Promise<AccountDoc> {
    mayWork(c);
    const doc = await this.p.accounts.get(id);
    if (!doc) throw new NotFoundError('account', id);
    return this.follow(doc, c);
  }

  /** Follows merge redirects to the live survivor; NOT_FOUND for discarded or invisible accounts. */
  async follow(doc: AccountDoc, c: Caller, ignoreVisibility = false): Promise<AccountDoc> {
    let at: AccountDoc | undefined = doc;
    for (let hop = 0; at && !at.live && at.mergedInto && hop < MAX_HOPS; hop++) {
      at = await this.p.accounts.get(at.mergedInto);
    }
    // A record the caller may not see is reported as missing, so ids leak nothing.
    if (!at || !at.live || (!ignoreVisibility && !canSee(c.actor, at)))
      throw new NotFoundError('account', doc._id);
    return at;
  }

  /** Whether the account (or its survivor) exists and the caller may see it. */
  async isVisible(id: string, c: Caller): Promise<boolean> {
    return this.get(id, c).then(
      () => true,
      (err: unknown) => {
        if (err instanceof NotFoundError) return false;
        throw err;
      },
    );
  }

  async list(q: AccountListRequest, c: Caller): Promise<{ accounts: AccountDoc[]; nextCursor: string }> {
    mayWork(c);
    const sort = (q.sort.replace(/^-/, '') || 'createdAt') as AccountSortField;
    if (!SORTS.includes(sort))
      throw new ValidationError([
        { field: 'sort', description: `must be one of ${SORTS.join(', ')} with an optional -` },
      ]);
    if (q.rfmSegment && !(RFM_SEGMENTS as readonly string[]).includes(q.rfmSegment))
      throw new ValidationError([
        { field: 'rfmSegment', description: `must be one of ${RFM_SEGMENTS.join(', ')}` },
      ]);
    return this.p.accounts.list({
      visibleTo: c.actor,
      industry: q.industry.trim().toLowerCase(),
      region: q.region.trim().toLowerCase(),
      lifecycle: q.lifecycle,
      tier: q.tier,
      rfmSegment: q.rfmSegment ?? '',
      ownerId: q.ownerId,
      parentAccountId: q.parentAccountId,
      text: escapeRegex(q.query.toLowerCase().slice(0, 100)),
      customFilter: await customFilter(this.p.customFields, 'account', q.customFilters),
      sort,
      descending: q.sort.startsWith('-') || q.sort === '',
      limit: q.limit,
      cursor: q.cursor,
    });
  }

  /** Without If-Match (expected version 0) a concurrent write makes it read again: last writer wins, field by field. */
  async update(id: string, expectedVersion: number, patch: AccountPatch, c: Caller): Promise<AccountDoc> {
    mayWork(c);
    const once = () => this.updateOnce(id, expectedVersion, patch, c);
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  private async updateOnce(
    id: string,
    expectedVersion: number,
    patch: AccountPatch,
    c: Caller,
  ): Promise<AccountDoc> {
    const current = await this.changes.editable(id, expectedVersion, c);
    if ((patch.ownerId !== undefined || patch.teamId !== undefined) && !managesAccounts(c.actor))
      throw new ForbiddenError('only a sales manager or an admin may reassign an account');
    if (
      (patch.ownerId !== undefined || patch.teamId !== undefined) &&
      !canReassign(c.actor, current, { teamId: patch.teamId ?? current.teamId ?? '' })
    )
      throw new ForbiddenError('a manager moves accounts only within their own teams');
    const { ownerId, teamId, annualRevenue, openPipeline, customFields, ...fields } = patch;
    const custom = await this.p.customFields.fields('account');
    const [normalised, values] = both(
      () =>
        normaliseAccountInput({
          ...rawInputOf(current),
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
      await this.changes.checkParent(id, input.parentAccountId, c);
    const keys = dedupeKeys(input);
    const added = keys.filter(
      (k) => !current.dedupeKeys.includes(k) && !(current.aliasKeys ?? []).includes(k),
    );
    const dup = await this.p.keys.claim(id, added);
    if (dup) throw duplicateAccount(dup.key, await this.p.accounts.get(dup.holderId), c.actor);
    const rules = await this.changes.tierRules();
    const computed = computeTier({ ...input, rfmSegment: current.rfmSegment }, rules);
    const set: Partial<AccountDoc> = {
      ...input,
      annualRevenue: input.annualRevenue ?? null,
      openPipeline: input.openPipeline ?? null,
      ...stripUndefined({ ownerId, teamId }),
      computedTier: computed.tier,
      tierRuleId: computed.ruleId,
      tierRulesVersion: rules.version,
      tier: effectiveTier(computed.tier, current.tierOverride),
      dedupeKeys: keys,
      searchText: searchText(input),
    } as Partial<AccountDoc>;
    let next: AccountDoc;
    try {
      next = await this.changes.save(current, set, c);
    } catch (err) {
      await this.p.keys.release(id, added);
      throw err;
    }
    const dropped = current.dedupeKeys.filter((k) => !keys.includes(k));
    if (added.length || dropped.length) await this.p.keys.release(id, dropped); // and settles the claim
    return next;
  }

  /** Saga compensation: removes an account this creation key made, if nothing was attached since. */
  async discard(id: string, creationKey: string, c: Caller): Promise<boolean> {
    mayWork(c);
    if (!creationKey.trim())
      throw new ValidationError([{ field: 'creationKey', description: 'is required' }]);
    const doc = await this.p.accounts.get(id);
    if (!doc || doc.discardedAt) return false;
    if (doc.creationKey !== creationKey)
      throw new ConflictError('the account was not created with this creation key');
    if (doc.mergedInto) throw new ConflictError('the account was merged into another account');
    const refs = await this.p.accounts.references(id);
    const attached: [string, number][] = [
      ['contacts', refs.contacts],
      ['activities', refs.activities],
      ['child accounts', refs.childAccounts],
      ['merged accounts', refs.mergedAccounts],
    ];
    const found = attached.find(([, n]) => n > 0);
    if (found) throw new ConflictError(`the account has ${found[0]}; it is not discarded`);
    const keys = [...doc.dedupeKeys, ...(doc.aliasKeys ?? [])];
    await this.p.accounts.save(
      doc,
      { live: false, discardedAt: new Date(), dedupeKeys: [], aliasKeys: [] },
      c.actor,
      (next) => [this.changes.events.discarded(next, c.actor, c.requestId)],
    );
    await this.p.keys.release(id, keys);
    this.p.written('account', id);
    return true;
  }
}
