import { canSee, changedFields, checkVersion, ConflictError, NotFoundError, ValidationError } from '@crm/kit';
import { checkNoCycle, MAX_DEPTH } from '../domain/account';
import { DEFAULT_TIER, type TierRuleSet } from '../domain/tier';
import { accountEvents, type AccountEvents } from '../events/account-events';
import type { AccountDoc } from '../store/account.model';
import type { AccountPorts, Caller } from './ports';

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
  'rfmSegment',
  'primaryContactId',
  'primaryContact',
];

/**
 * How an account is changed, for every use case that changes one (edits, merges, tiers, the primary
 * contact): which account a caller may change, and the compare-and-set that carries AccountUpdated.
 */
export class AccountChanges {
  readonly events: AccountEvents;

  constructor(private readonly p: AccountPorts) {
    this.events = accountEvents((entity, values) => p.customFields.visibleNow(entity, values));
  }

  /** The live account, whoever asks (for internal read-modify-writes). */
  async live(id: string): Promise<AccountDoc> {
    const doc = await this.p.accounts.get(id);
    if (!doc || !doc.live) throw new NotFoundError('account', id);
    return doc;
  }

  /** A live account the caller may see, at the version the caller expects (0: any). */
  async editable(id: string, expectedVersion: number, c: Caller): Promise<AccountDoc> {
    const doc = await this.p.accounts.get(id);
    if (!doc || !doc.live || !canSee(c.actor, doc)) {
      if (doc?.mergedInto && canSee(c.actor, doc))
        throw new ConflictError(`account ${id} was merged into ${doc.mergedInto}; change that one`);
      throw new NotFoundError('account', id);
    }
    checkVersion(expectedVersion, doc.version);
    return doc;
  }

  /** Compare-and-set with AccountUpdated listing the fields that changed (no event when nothing did). */
  async save(current: AccountDoc, set: Partial<AccountDoc>, c: Caller): Promise<AccountDoc> {
    const next = await this.p.accounts.save(current, set, c.actor, (n) => {
      const changed = changedFields(current, n, TRACKED);
      if (!changed.length) return [];
      // Who held it before, so the account's open deals of that owner can follow it.
      const previousOwnerId = changed.includes('owner_id') ? current.ownerId : '';
      const updated = this.events.updated(n, changed, c.actor, c.requestId, previousOwnerId);
      if (!changed.includes('owner_id')) return [updated];
      return [
        updated,
        this.events.ownerChanged(n, { previousOwnerId, reason: 'reassigned' }, c.actor, c.requestId),
      ];
    });
    this.p.written('account', next._id);
    return next;
  }

  /** The tier rules in force and their version (0 while an admin never set any). */
  async tierRules(): Promise<TierRuleSet & { version: number }> {
    const s = await this.p.settings.get();
    return { rules: s?.rules ?? [], defaultTier: s?.defaultTier || DEFAULT_TIER, version: s?.version ?? 0 };
  }

  /** The parent is a live account the caller may see; an invisible one answers like an unknown one. */
  async requireParent(parentId: string, c: Caller): Promise<void> {
    const parent = await this.p.accounts.get(parentId);
    if (!parent || !parent.live || !canSee(c.actor, parent))
      throw new ValidationError([{ field: 'parentAccountId', description: 'is not an existing account' }]);
  }

  /** The new parent exists, the caller sees it, and walking up from it never reaches the account itself. */
  async checkParent(selfId: string, parentId: string, c: Caller): Promise<void> {
    if (!parentId) return;
    if (parentId === selfId) checkNoCycle(selfId, parentId, () => undefined);
    await this.requireParent(parentId, c);
    const parentOf = new Map<string, string>();
    let at = parentId;
    for (let depth = 0; at && at !== selfId && depth <= MAX_DEPTH; depth++) {
      const up = (await this.p.accounts.get(at))?.parentAccountId ?? '';
      parentOf.set(at, up);
      at = up;
    }
    checkNoCycle(selfId, parentId, (id) => parentOf.get(id));
  }
}
