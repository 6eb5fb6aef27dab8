import { collapseSpace, Violations } from '@crm/kit/domain';
import { isQueueKey } from './queue';
import { CHANNELS, DEFAULT_QUEUE, PRIORITIES } from './ticket';

export const TIERS = ['strategic', 'A', 'B', 'C'] as const;

/** What a rule looks at; an empty list matches any value. */
export interface RuleConditions {
  categories: string[];
  tiers: string[];
  channels: string[];
  priorities: string[];
}

export interface AssignmentRule {
  name: string;
  when: RuleConditions;
  queue: string;
}

/** The ordered rules (first match wins) and where a ticket goes when none matches. */
export interface AssignmentRulesInput {
  rules: AssignmentRule[];
  defaultQueue: string;
}

/** What routing knows of a new ticket. */
export interface RoutedTicket {
  category: string;
  accountTier: string;
  channel: string;
  priority: string;
}

const MAX_RULES = 100;
const CATEGORY = /^[a-z][a-z0-9-]{0,39}$/;
const oneOf = (list: readonly string[]) => `must each be one of ${list.join(', ')}`;

/** Trims and validates the rules; the queues' existence is checked by the use case. */
export function normaliseRules(raw: AssignmentRulesInput): AssignmentRulesInput {
  const v = new Violations();
  const list = (xs: string[] | undefined, lower = true) => [
    ...new Set((xs ?? []).map((x) => collapseSpace(x ?? '')).map((x) => (lower ? x.toLowerCase() : x))),
  ];
  const rules = (raw.rules ?? []).map((r) => ({
    name: collapseSpace(r.name ?? ''),
    when: {
      categories: list(r.when?.categories),
      // Tiers are spelled as the account service spells them: "strategic", "A", "B", "C".
      tiers: list(r.when?.tiers, false).map((t) =>
        t.toLowerCase() === 'strategic' ? 'strategic' : t.toUpperCase(),
      ),
      channels: list(r.when?.channels),
      priorities: list(r.when?.priorities),
    },
    queue: collapseSpace(r.queue ?? '').toLowerCase(),
  }));
  const defaultQueue = collapseSpace(raw.defaultQueue ?? '').toLowerCase() || DEFAULT_QUEUE;
  if (rules.length > MAX_RULES) v.add('rules', `at most ${MAX_RULES}`);
  rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!r.name) v.add(`${at}.name`, 'is required');
    else if (r.name.length > 100) v.add(`${at}.name`, 'must be at most 100 characters');
    if (!isQueueKey(r.queue)) v.add(`${at}.queue`, 'must be a queue key such as billing');
    if (r.when.categories.some((c) => !CATEGORY.test(c)))
      v.add(`${at}.when.categories`, 'must be category keys such as billing');
    if (r.when.tiers.some((t) => !(TIERS as readonly string[]).includes(t)))
      v.add(`${at}.when.tiers`, oneOf(TIERS));
    if (r.when.channels.some((c) => !(CHANNELS as readonly string[]).includes(c)))
      v.add(`${at}.when.channels`, oneOf(CHANNELS));
    if (r.when.priorities.some((p) => !(PRIORITIES as readonly string[]).includes(p)))
      v.add(`${at}.when.priorities`, oneOf(PRIORITIES));
  });
  if (!isQueueKey(defaultQueue)) v.add('defaultQueue', 'must be a queue key such as support');
  v.throwIfAny();
  return { rules, defaultQueue };
}

const matches = (allowed: string[], value: string) => !allowed.length || allowed.includes(value);

export function ruleMatches(rule: AssignmentRule, t: RoutedTicket): boolean {
  const w = rule.when;
  return (
    matches(w.categories, t.category) &&
    matches(w.tiers, t.accountTier) &&
    matches(w.channels, t.channel) &&
    matches(w.priorities, t.priority)
  );
}

/**
 * The queue of a new ticket: the first rule that matches whose queue takes tickets (exists and is
 * active), else the default queue.
 */
export function routeTicket(
  rules: AssignmentRulesInput,
  t: RoutedTicket,
  takesTickets: (queue: string) => boolean,
): { queue: string; rule?: string } {
  const rule = rules.rules.find((r) => ruleMatches(r, t) && takesTickets(r.queue));
  return rule ? { queue: rule.queue, rule: rule.name } : { queue: rules.defaultQueue };
}
