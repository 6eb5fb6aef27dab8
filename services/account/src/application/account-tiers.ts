import {
  allows,
  checkVersion,
  ForbiddenError,
  mustAllow,
  retryOnVersionMismatch,
  stripUndefined,
  UnavailableError,
} from '@crm/kit';
import {
  checkOverride,
  computeTier,
  DEFAULT_TIER,
  effectiveTier,
  retierPending,
  retierSettled,
  type Tier,
  tierIsStale,
  type TierRuleSet,
  validateTierRules,
} from '../domain/tier';
import type { AccountDoc, SettingsDoc } from '../store/account.model';
import type { AccountChanges } from './account-changes';
import { mayWork } from './accounts';
import type { AccountPorts, Caller } from './ports';

/** An account's new RFM segment, as analytics published it ('' when no longer scored). */
export interface SegmentChange {
  accountId: string;
  segment: string;
  /** The segment's own version (the event's aggregate version), increasing per account. */
  version: number;
}

/** Accounts looked at per page of a re-tier pass. */
const RETIER_PAGE = 200;

/**
 * Tiers: the administrator's rules, a manager's manual override (who, why, when), and re-tiering the
 * existing accounts after the rules changed (see retierPending in domain/tier for why that is durable).
 */
export class AccountTiers {
  constructor(
    private readonly p: AccountPorts,
    private readonly changes: AccountChanges,
  ) {}

  async rules(c: Caller): Promise<SettingsDoc> {
    mayWork(c);
    return this.current();
  }

  /** New rules apply to new and edited accounts at once, and to the others with the next re-tier pass. */
  async putRules(set: TierRuleSet, expectedVersion: number, c: Caller): Promise<SettingsDoc> {
    if (!allows(c.actor.roles, 'settings.write'))
      throw new ForbiddenError('only an admin changes the tier rules');
    validateTierRules(set);
    const current = await this.current();
    checkVersion(expectedVersion, current.version);
    return this.p.settings.put(
      current.version,
      { rules: set.rules.map((r) => stripUndefined(r) as typeof r), defaultTier: set.defaultTier },
      c.actor,
    );
  }

  async setOverride(
    id: string,
    expectedVersion: number,
    tier: Tier,
    reason: string,
    c: Caller,
  ): Promise<AccountDoc> {
    mustAllow(c.actor.roles, 'account.tier.override', 'only a sales manager or an admin sets a tier by hand');
    checkOverride(tier, reason);
    const current = await this.changes.editable(id, expectedVersion, c);
    const tierOverride = { tier, reason: reason.trim(), setBy: c.actor.userId, setAt: new Date() };
    return this.changes.save(current, { tierOverride, tier }, c);
  }

  async clearOverride(id: string, expectedVersion: number, c: Caller): Promise<AccountDoc> {
    mustAllow(
      c.actor.roles,
      'account.tier.override',
      'only a sales manager or an admin clears a manual tier',
    );
    const current = await this.changes.editable(id, expectedVersion, c);
    if (!current.tierOverride) return current;
    return this.changes.save(current, { tierOverride: null, tier: current.computedTier }, c);
  }

  /**
   * One re-tier pass (run by a durable schedule): every live account whose tier came from older rules
   * gets the tier of the current ones. An account that fails stays stale and is tried again by the
   * next pass, which is also why the error is thrown (the schedule records it) after the others ran.
   * Returns how many accounts changed tier.
   */
  async retierStale(now = new Date()): Promise<number> {
    const s = await this.p.settings.get();
    if (!s || !retierPending(s)) return 0;
    const rules = { rules: s.rules ?? [], defaultTier: s.defaultTier || DEFAULT_TIER };
    // The change is recorded as made by the admin who changed the rules.
    const c: Caller = {
      actor: { userId: s.updatedBy ?? '', username: '', roles: [], teams: [] },
      requestId: `retier/${s.version}`,
    };
    let after = '';
    let seen = 0;
    let changed = 0;
    const failures: string[] = [];
    for (;;) {
      const page = await this.p.accounts.staleTiers(s.version, after, RETIER_PAGE);
      if (page.length === 0) break;
      for (const a of page) {
        seen++;
        try {
          if (await this.retier(a._id, rules, s.version, c)) changed++;
        } catch (err) {
          failures.push(`${a._id}: ${(err as Error).message}`);
        }
      }
      after = page[page.length - 1]!._id;
    }
    if (failures.length)
      throw new UnavailableError(
        `${failures.length} accounts keep their old tier until the next pass (${failures[0]})`,
      );
    if (seen === 0 && retierSettled(s, now)) await this.p.settings.markRetiered(s.version);
    return changed;
  }

  /**
   * Analytics scored the account into another RFM segment (AccountSegmentChanged): keep it, and give
   * the account the tier the current rules give it now, as a change by the event's actor. An event
   * older than the one the account has (by the segment's version) changes nothing, nor does one for
   * an account that is gone or merged (the survivor is scored on its own). Returns whether the
   * account changed.
   */
  applySegment(change: SegmentChange, c: Caller): Promise<boolean> {
    return retryOnVersionMismatch(async () => {
      const cur = await this.p.accounts.get(change.accountId);
      if (!cur || !cur.live || (cur.rfmSegmentVersion ?? 0) >= change.version) return false;
      const rules = await this.changes.tierRules();
      const t = computeTier({ ...cur, rfmSegment: change.segment }, rules);
      await this.changes.save(
        cur,
        {
          rfmSegment: change.segment,
          rfmSegmentVersion: change.version,
          computedTier: t.tier,
          tierRuleId: t.ruleId,
          tierRulesVersion: rules.version,
          tier: effectiveTier(t.tier, cur.tierOverride),
        },
        c,
      );
      return true;
    });
  }

  /** Re-tiers one account if it is still stale; true when its tier changed. */
  private retier(id: string, rules: TierRuleSet, version: number, c: Caller): Promise<boolean> {
    return retryOnVersionMismatch(async () => {
      const cur = await this.p.accounts.get(id);
      if (!cur || !cur.live || !tierIsStale(cur, version)) return false;
      const t = computeTier(cur, rules);
      if (t.tier === cur.computedTier && t.ruleId === cur.tierRuleId) {
        // Same tier: only remember the rules it was checked against (a later edit may race: the
        // stamp then misses, and the next pass looks at the account again).
        await this.p.accounts.stampTierRules(id, cur.version, version);
        return false;
      }
      const set = {
        computedTier: t.tier,
        tierRuleId: t.ruleId,
        tierRulesVersion: version,
        tier: effectiveTier(t.tier, cur.tierOverride),
      };
      await this.changes.save(cur, set, c);
      return true;
    });
  }

  private async current(): Promise<SettingsDoc> {
    return (await this.p.settings.get()) ?? { _id: 'tier', version: 0, rules: [], defaultTier: DEFAULT_TIER };
  }
}
