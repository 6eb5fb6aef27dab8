import { RFM_SEGMENTS, Violations } from '@crm/kit/domain';
import type { AccountInput } from './account';
import { atLeast, isDecimal, type Money } from './money';

export type Tier = 'strategic' | 'A' | 'B' | 'C';
export const TIERS: Tier[] = ['strategic', 'A', 'B', 'C'];
export const DEFAULT_TIER: Tier = 'C';

/** An administrator's rule: accounts meeting every set condition get `tier`; the first match wins. */
export interface TierRule {
  id: string;
  name: string;
  tier: Tier;
  annualRevenueMin?: Money;
  openPipelineMin?: Money;
  industries: string[];
  sizeMin?: number;
  sizeMax?: number;
  /** The account's RFM segment (scored by analytics) is one of these; empty means any. */
  rfmSegments?: string[];
}

export interface TierRuleSet {
  rules: TierRule[];
  defaultTier: Tier;
}

/** Who set a tier by hand, why and when; it wins over the rules until cleared. */
export interface TierOverride {
  tier: Tier;
  reason: string;
  setBy: string;
  setAt: Date;
}

export function validateTierRules(set: TierRuleSet): void {
  const v = new Violations();
  const ids = new Set<string>();
  if (!TIERS.includes(set.defaultTier)) v.add('defaultTier', `must be one of ${TIERS.join(', ')}`);
  set.rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!r.id) v.add(`${at}.id`, 'is required');
    else if (r.id.length > 64) v.add(`${at}.id`, 'must be at most 64 characters');
    if (ids.has(r.id)) v.add(`${at}.id`, 'must be unique');
    ids.add(r.id);
    if (r.name.length > 200) v.add(`${at}.name`, 'must be at most 200 characters');
    if (!TIERS.includes(r.tier)) v.add(`${at}.tier`, `must be one of ${TIERS.join(', ')}`);
    for (const [field, m] of [
      ['annualRevenueMin', r.annualRevenueMin],
      ['openPipelineMin', r.openPipelineMin],
    ] as const) {
      if (!m) continue;
      if (!/^[A-Z]{3}$/.test(m.currencyCode))
        v.add(`${at}.${field}.currencyCode`, 'must be an ISO 4217 code');
      if (!isDecimal(m.amount)) v.add(`${at}.${field}.amount`, 'must be a decimal number');
    }
    if (r.industries.length > 100) v.add(`${at}.industries`, 'at most 100 industries');
    for (const [field, n] of [
      ['sizeMin', r.sizeMin],
      ['sizeMax', r.sizeMax],
    ] as const) {
      if (n != null && (!Number.isInteger(n) || n < 0))
        v.add(`${at}.${field}`, 'must be a non-negative integer');
    }
    const segments = r.rfmSegments ?? [];
    const unknown = segments.filter((s) => !(RFM_SEGMENTS as readonly string[]).includes(s));
    if (unknown.length)
      v.add(`${at}.rfmSegments`, `unknown ${unknown.join(', ')}: must be of ${RFM_SEGMENTS.join(', ')}`);
    if (r.sizeMin != null && r.sizeMax != null && r.sizeMin > r.sizeMax)
      v.add(`${at}.sizeMin`, 'must not exceed sizeMax');
  });
  if (set.rules.length > 200) v.add('rules', 'at most 200 rules');
  v.throwIfAny();
}

type Tierable = Pick<AccountInput, 'annualRevenue' | 'openPipeline' | 'industry' | 'size'> & {
  /** The segment analytics last gave the account ('' or absent: not scored). */
  rfmSegment?: string;
};

function matches(a: Tierable, r: TierRule): boolean {
  if (r.annualRevenueMin && !atLeast(a.annualRevenue, r.annualRevenueMin)) return false;
  if (r.openPipelineMin && !atLeast(a.openPipeline, r.openPipelineMin)) return false;
  if (r.industries.length && !r.industries.some((x) => x.toLowerCase() === a.industry.toLowerCase()))
    return false;
  if (r.sizeMin != null && (a.size == null || a.size < r.sizeMin)) return false;
  if (r.sizeMax != null && (a.size == null || a.size > r.sizeMax)) return false;
  // Rules stored before segments existed have no list.
  if (r.rfmSegments?.length && !r.rfmSegments.includes(a.rfmSegment ?? '')) return false;
  return true;
}

/** The tier the rules give an account: the first matching rule's, else the default tier. */
export function computeTier(a: Tierable, set: TierRuleSet): { tier: Tier; ruleId: string } {
  const rule = set.rules.find((r) => matches(a, r));
  return rule ? { tier: rule.tier, ruleId: rule.id } : { tier: set.defaultTier || DEFAULT_TIER, ruleId: '' };
}

/** What the account shows: a manual override wins over the computed tier. */
export const effectiveTier = (computed: Tier, override?: TierOverride | null): Tier =>
  override?.tier ?? computed;

export function checkOverride(tier: string, reason: string): void {
  const v = new Violations();
  if (!TIERS.includes(tier as Tier)) v.add('tier', `must be one of ${TIERS.join(', ')}`);
  if (!reason.trim()) v.add('reason', 'is required');
  else if (reason.length > 1000) v.add('reason', 'must be at most 1000 characters');
  v.throwIfAny();
}

/**
 * Re-tiering after a rule change. Each account records the version of the rules its computed tier
 * came from (`tierRulesVersion`); the rules document records the version for which every account was
 * found current (`retieredVersion`). Changing the rules is thus by itself the durable mark "re-tier
 * everything": nothing is lost when the process stops before the re-tier ran.
 */
export interface TierRulesState {
  version: number;
  retieredVersion?: number;
  updatedAt?: Date;
}

/**
 * How long after a rule change a write that read the older rules may still land. A pass that finds
 * no stale account only closes the re-tier after this, so such a late write is still caught.
 */
export const RETIER_SETTLE_MS = 5 * 60_000;

/** Whether accounts may still carry tiers of older rules. */
export const retierPending = (s: TierRulesState): boolean => (s.retieredVersion ?? 0) !== s.version;

/** Whether this account's computed tier came from older rules than these. */
export const tierIsStale = (a: { tierRulesVersion?: number }, rulesVersion: number): boolean =>
  (a.tierRulesVersion ?? 0) < rulesVersion;

/** After a pass that found every account current: may the re-tier of these rules be closed? */
export const retierSettled = (s: TierRulesState, now: Date): boolean =>
  !s.updatedAt || now.getTime() - s.updatedAt.getTime() >= RETIER_SETTLE_MS;
