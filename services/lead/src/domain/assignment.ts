import { type Actor, Violations } from '@crm/kit/domain';
import type { LeadInput } from './lead';

/** Where unowned leads wait when no rule routes them. */
export const DEFAULT_QUEUE = 'unassigned';

/** One change of hands in a lead's assignment history. */
export interface AssignmentRecord {
  ownerId: string;
  teamId: string;
  queue: string;
  assignedBy: string;
  reason: string;
  ruleId: string;
  at: Date;
}

export interface RuleMatch {
  regions: string[];
  industries: string[];
  sources: string[];
  contactLevels: string[];
  companySizeMin?: number;
  companySizeMax?: number;
}

/** Routes matching leads round-robin among a team's members, optionally capped by open leads per rep. */
export interface AssignmentRule {
  id: string;
  name: string;
  match: RuleMatch;
  teamId: string;
  members: string[];
  maxOpenLeadsPerRep?: number;
}

export function validateAssignmentRules(rules: AssignmentRule[], defaultQueue: string): void {
  const v = new Violations();
  const ids = new Set<string>();
  if (!defaultQueue.trim()) v.add('defaultQueue', 'is required');
  rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!r.id) v.add(`${at}.id`, 'is required');
    if (ids.has(r.id)) v.add(`${at}.id`, 'must be unique');
    ids.add(r.id);
    if (!r.name.trim()) v.add(`${at}.name`, 'is required');
    if (!r.teamId) v.add(`${at}.teamId`, 'is required');
    if (r.members.length === 0) v.add(`${at}.members`, 'needs at least one member');
    if (new Set(r.members).size !== r.members.length) v.add(`${at}.members`, 'must not repeat a member');
    if (r.maxOpenLeadsPerRep != null && r.maxOpenLeadsPerRep < 1)
      v.add(`${at}.maxOpenLeadsPerRep`, 'must be at least 1');
    const { companySizeMin: lo, companySizeMax: hi } = r.match;
    if (lo != null && hi != null && lo > hi)
      v.add(`${at}.match.companySizeMin`, 'must not exceed companySizeMax');
  });
  if (rules.length > 500) v.add('rules', 'at most 500 rules');
  v.throwIfAny();
}

const anyOf = (list: string[], value: string) =>
  list.length === 0 || list.some((x) => x.toLowerCase() === value.toLowerCase());

/** First rule that matches wins; an empty criterion matches anything. */
export function findRule(lead: LeadInput, rules: AssignmentRule[]): AssignmentRule | undefined {
  return rules.find((r) => {
    const m = r.match;
    const size = lead.companySize;
    if (m.companySizeMin != null && (size == null || size < m.companySizeMin)) return false;
    if (m.companySizeMax != null && (size == null || size > m.companySizeMax)) return false;
    return (
      anyOf(m.regions, lead.region) &&
      anyOf(m.industries, lead.industry) &&
      anyOf(m.sources, lead.source) &&
      anyOf(m.contactLevels, lead.contactLevel)
    );
  });
}

/**
 * Picks the next member in round-robin order starting at the rule's cursor, skipping members at their
 * cap of open leads. Returns undefined when everyone is full (the lead then waits in the default queue).
 */
export function pickMember(
  rule: AssignmentRule,
  cursor: number,
  openLeads: (userId: string) => number,
): { member: string; nextCursor: number } | undefined {
  const n = rule.members.length;
  for (let i = 0; i < n; i++) {
    const idx = (cursor + i) % n;
    const member = rule.members[idx]!;
    if (rule.maxOpenLeadsPerRep == null || openLeads(member) < rule.maxOpenLeadsPerRep) {
      return { member, nextCursor: idx + 1 };
    }
  }
  return undefined;
}

/** A rep's own new lead stays with the rep. */
export function ownedByCreator(actor: Actor, at: Date): AssignmentRecord {
  return {
    ownerId: actor.userId,
    teamId: actor.teams[0] ?? '',
    queue: '',
    assignedBy: actor.userId,
    reason: 'created by the owner',
    ruleId: '',
    at,
  };
}

/** A lead routed by the rules: to the picked member, or to the queue when nobody could take it. */
export function routed(
  rule: AssignmentRule | undefined,
  member: string | undefined,
  queue: string,
  at: Date,
): AssignmentRecord {
  const base = { assignedBy: 'system', at };
  if (!rule)
    return { ...base, ownerId: '', teamId: '', queue, reason: 'no assignment rule matched', ruleId: '' };
  if (!member)
    return {
      ...base,
      ownerId: '',
      teamId: rule.teamId,
      queue,
      reason: `every member of rule ${rule.name} is at the cap`,
      ruleId: rule.id,
    };
  return {
    ...base,
    ownerId: member,
    teamId: rule.teamId,
    queue: '',
    reason: `rule ${rule.name}`,
    ruleId: rule.id,
  };
}

/** A manual change of owner or team by a manager or admin; without an owner it waits in `queue`. */
export function reassigned(
  ownerId: string,
  teamId: string,
  reason: string,
  by: Actor,
  at: Date,
  queue = DEFAULT_QUEUE,
): AssignmentRecord {
  return {
    ownerId,
    teamId,
    queue: ownerId ? '' : queue || DEFAULT_QUEUE,
    assignedBy: by.userId,
    reason: reason.trim(),
    ruleId: '',
    at,
  };
}
