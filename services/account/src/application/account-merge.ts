import {
  canSee,
  ConflictError,
  mustAllow,
  NotFoundError,
  retryOnVersionMismatch,
  Violations,
} from '@crm/kit';
import type { AccountDoc } from '../store/account.model';
import type { AccountChanges } from './account-changes';
import type { AccountPorts, Caller } from './ports';

/**
 * Merging two accounts of the same company. There are no multi-document transactions, so the steps are
 * ordered for a retry to finish them: 1. the survivor takes over the merged account's duplicate keys
 * (and its primary contact if it has none); 2. the merged account becomes a redirect to the survivor and
 * carries AccountsMerged; 3. contacts, activities and child accounts move to the survivor, one record
 * at a time. A crash anywhere leaves a state from which repeating the call finishes the merge.
 */
export class AccountMerge {
  constructor(
    private readonly p: AccountPorts,
    private readonly changes: AccountChanges,
  ) {}

  async merge(survivorId: string, mergedId: string, c: Caller): Promise<AccountDoc> {
    mustAllow(c.actor.roles, 'account.merge', 'only a sales manager or an admin merges accounts');
    const v = new Violations();
    if (!survivorId) v.add('survivorId', 'is required');
    if (!mergedId) v.add('mergedId', 'is required');
    if (survivorId && survivorId === mergedId) v.add('mergedId', 'an account cannot be merged into itself');
    v.throwIfAny();
    const survivor = await this.p.accounts.get(survivorId);
    if (!survivor || survivor.discardedAt || !canSee(c.actor, survivor))
      throw new NotFoundError('account', survivorId);
    if (survivor.mergedInto)
      throw new ConflictError(
        `account ${survivorId} was merged into ${survivor.mergedInto}; merge into that one`,
      );
    const merged = await this.p.accounts.get(mergedId);
    if (!merged || merged.discardedAt || !canSee(c.actor, merged))
      throw new NotFoundError('account', mergedId);
    if (merged.mergedInto && merged.mergedInto !== survivorId)
      throw new ConflictError(`account ${mergedId} was already merged into ${merged.mergedInto}`);

    // Not yet redirected: steps 1 and 2. Already redirected: an earlier call got there; finish step 3.
    if (!merged.mergedInto) await this.redirect(survivorId, merged, c);
    await this.p.contacts.moveToAccount(mergedId, survivorId, c.actor);
    await this.p.activities.moveToAccount(mergedId, survivorId, c.actor);
    await this.p.accounts.reparent(mergedId, survivorId, c.actor);
    return this.changes.live(survivorId);
  }

  private async redirect(survivorId: string, merged: AccountDoc, c: Caller): Promise<void> {
    const keys = [...merged.dedupeKeys, ...(merged.aliasKeys ?? [])];
    await retryOnVersionMismatch(async () => {
      const s = await this.changes.live(survivorId);
      return this.changes.save(s, takeOver(s, merged, keys), c);
    });
    await this.p.keys.point(survivorId, keys);
    await this.p.accounts.save(
      merged,
      { live: false, mergedInto: survivorId, dedupeKeys: [], aliasKeys: [] },
      c.actor,
      (next) => [this.changes.events.merged(next, survivorId, c.actor, c.requestId)],
      { notMerged: true },
    );
    this.p.written('account', merged._id);
  }
}

/** What the survivor takes over from the merged account. */
function takeOver(s: AccountDoc, merged: AccountDoc, keys: string[]): Partial<AccountDoc> {
  const aliasKeys = [...new Set([...(s.aliasKeys ?? []), ...keys])].filter((k) => !s.dedupeKeys.includes(k));
  const set: Partial<AccountDoc> = { aliasKeys };
  if (!s.primaryContactId && merged.primaryContactId) {
    set.primaryContactId = merged.primaryContactId;
    set.primaryContact = merged.primaryContact ?? null;
  }
  if (s.parentAccountId === merged._id)
    set.parentAccountId = merged.parentAccountId === s._id ? '' : merged.parentAccountId;
  if (merged.lastActivityAt && (!s.lastActivityAt || merged.lastActivityAt > s.lastActivityAt))
    set.lastActivityAt = merged.lastActivityAt;
  return set;
}
