import { Violations } from '@crm/kit/domain';
import type { LeadInput } from './lead';

/** An administrator's rule: points when a field matches values, lies in a range, or is present. */
export interface ScoringRule {
  id: string;
  field: ScoredField;
  values: string[];
  min?: number;
  max?: number;
  present: boolean;
  points: number;
}

export const SCORED_FIELDS = [
  'region',
  'industry',
  'source',
  'contactLevel',
  'companySize',
  'title',
  'email',
  'phone',
] as const;
export type ScoredField = (typeof SCORED_FIELDS)[number];

export function validateScoringRules(rules: ScoringRule[]): void {
  const v = new Violations();
  const ids = new Set<string>();
  rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!r.id) v.add(`${at}.id`, 'is required');
    if (ids.has(r.id)) v.add(`${at}.id`, 'must be unique');
    ids.add(r.id);
    if (!SCORED_FIELDS.includes(r.field)) v.add(`${at}.field`, `must be one of ${SCORED_FIELDS.join(', ')}`);
    if (!Number.isInteger(r.points) || Math.abs(r.points) > 1000)
      v.add(`${at}.points`, 'must be an integer within ±1000');
    const kinds = [r.values.length > 0, r.min != null || r.max != null, r.present].filter(Boolean).length;
    if (kinds !== 1) v.add(at, 'needs exactly one condition: values, a min/max range, or present');
    if ((r.min != null || r.max != null) && r.field !== 'companySize')
      v.add(`${at}.field`, 'a range applies to companySize only');
    if (r.min != null && r.max != null && r.min > r.max) v.add(`${at}.min`, 'must not exceed max');
  });
  if (rules.length > 200) v.add('rules', 'at most 200 rules');
  v.throwIfAny();
}

/** Sum of the points of every matching rule; recomputed whenever a lead changes. */
export function scoreLead(lead: LeadInput, rules: ScoringRule[]): number {
  let score = 0;
  for (const r of rules) {
    const value = lead[r.field];
    let hit: boolean;
    if (r.present) hit = value != null && value !== '';
    else if (r.min != null || r.max != null) {
      hit =
        typeof value === 'number' && (r.min == null || value >= r.min) && (r.max == null || value <= r.max);
    } else {
      const s = String(value ?? '').toLowerCase();
      hit = s !== '' && r.values.some((x) => x.toLowerCase() === s);
    }
    if (hit) score += r.points;
  }
  return score;
}
