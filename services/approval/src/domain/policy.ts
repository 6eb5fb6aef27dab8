import { APPROVAL_SNAPSHOT_FIELDS, Roles, Violations } from '@crm/kit/domain';
import { conditionHolds, parseCondition } from './condition';

/** One step of a policy: who approves, how many of them, and what happens when it waits too long. */
export interface PolicyStep {
  name: string;
  userIds: string[];
  roles: string[];
  /** The sales managers of the requester's teams (Keycloak groups). */
  requesterManager: boolean;
  /** any: one approval decides the step; all: every approver must approve. */
  mode: 'any' | 'all';
  /** 0: never escalates. */
  timeLimitMinutes: number;
  /** '' when the step has no time limit. */
  escalateTo: '' | 'next-level' | 'user';
  escalateToUserId: string;
}

/** A policy as an admin writes it. */
export interface PolicyInput {
  name: string;
  subjectType: string;
  condition: string;
  /** Snapshot fields the condition may read besides the subject type's known ones. */
  snapshotFields: string[];
  priority: number;
  active: boolean;
  steps: PolicyStep[];
}

/**
 * The snapshot fields the CRM's own requesters send (kit: one list with the opportunity service). A
 * type another service registers lists its fields in the policy (snapshotFields).
 */
export const KNOWN_SNAPSHOT_FIELDS: Record<string, readonly string[]> = APPROVAL_SNAPSHOT_FIELDS;

export const SUBJECT_TYPE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const CRM_ROLES: readonly string[] = Object.values(Roles);
const MAX_MINUTES = 60 * 24 * 90;

/** A policy as it arrives: anything may be missing until validated. */
export type RawPolicyInput = Partial<Omit<PolicyInput, 'steps'>> & { steps?: Partial<PolicyStep>[] };

/** Validates a whole policy, every problem at once (field paths as the REST body has them). */
export function normalisePolicyInput(raw: RawPolicyInput): PolicyInput {
  const v = new Violations();
  const name = (raw.name ?? '').trim();
  if (!name || name.length > 200) v.add('name', 'is required (at most 200 characters)');
  const subjectType = (raw.subjectType ?? '').trim();
  if (!SUBJECT_TYPE.test(subjectType) || subjectType.length > 64)
    v.add('subjectType', 'must be a lower-case kebab-case type such as quote or opportunity-close');
  const snapshotFields = [...new Set((raw.snapshotFields ?? []).map((f) => f.trim()))];
  snapshotFields.forEach((f, i) => {
    if (!FIELD_NAME.test(f)) v.add(`snapshotFields[${i}]`, 'must be a field name (letters, digits, _)');
  });
  const condition = (raw.condition ?? '').trim();
  if (condition.length > 1000) v.add('condition', 'is longer than 1000 characters');
  else if (condition) {
    const parsed = parseCondition(condition);
    if ('error' in parsed) v.add('condition', parsed.error);
    else {
      const known = new Set([...(KNOWN_SNAPSHOT_FIELDS[subjectType] ?? []), ...snapshotFields]);
      const unknown = parsed.fields.filter((f) => !known.has(f));
      if (unknown.length)
        v.add(
          'condition',
          `reads ${unknown.join(', ')}, not a field of ${subjectType || 'this subject type'}` +
            (known.size ? ` (known: ${[...known].join(', ')})` : '; list it in snapshotFields'),
        );
    }
  }
  const priority = raw.priority ?? 100;
  if (!Number.isInteger(priority) || priority < 0 || priority > 10_000)
    v.add('priority', 'must be a whole number from 0 to 10000');
  const rawSteps = raw.steps ?? [];
  if (rawSteps.length === 0 || rawSteps.length > 10) v.add('steps', 'must have 1 to 10 steps');
  const steps = rawSteps.map((s, i) => normaliseStep(s, `steps[${i}]`, v));
  v.throwIfAny();
  return { name, subjectType, condition, snapshotFields, priority, active: raw.active ?? true, steps };
}

function normaliseStep(s: Partial<PolicyStep>, at: string, v: Violations): PolicyStep {
  const userIds = [...new Set((s.userIds ?? []).map((u) => u.trim()).filter(Boolean))];
  const roles = [...new Set((s.roles ?? []).map((r) => r.trim()).filter(Boolean))];
  roles.forEach((r, i) => {
    if (!CRM_ROLES.includes(r)) v.add(`${at}.roles[${i}]`, `must be one of ${CRM_ROLES.join(', ')}`);
  });
  const requesterManager = s.requesterManager ?? false;
  if (!userIds.length && !roles.length && !requesterManager)
    v.add(at, 'names no approver: give userIds, roles or requesterManager');
  const mode = s.mode ?? 'any';
  if (mode !== 'any' && mode !== 'all') v.add(`${at}.mode`, 'must be any or all');
  const timeLimitMinutes = s.timeLimitMinutes ?? 0;
  if (!Number.isInteger(timeLimitMinutes) || timeLimitMinutes < 0 || timeLimitMinutes > MAX_MINUTES)
    v.add(`${at}.timeLimitMinutes`, `must be a whole number of minutes from 0 to ${MAX_MINUTES}`);
  let escalateTo = s.escalateTo ?? '';
  const escalateToUserId = (s.escalateToUserId ?? '').trim();
  if (timeLimitMinutes > 0) {
    escalateTo ||= 'next-level';
    if (escalateTo !== 'next-level' && escalateTo !== 'user')
      v.add(`${at}.escalateTo`, 'must be next-level or user');
    if (escalateTo === 'user' && !escalateToUserId)
      v.add(`${at}.escalateToUserId`, 'is required when escalateTo is user');
  } else if (escalateTo) v.add(`${at}.escalateTo`, 'needs a timeLimitMinutes above 0');
  return {
    name: (s.name ?? '').trim() || `Step ${Number(at.replace(/\D/g, '')) + 1}`,
    userIds,
    roles,
    requesterManager,
    mode,
    timeLimitMinutes,
    escalateTo,
    escalateToUserId: escalateTo === 'user' ? escalateToUserId : '',
  };
}

/** A saved policy at its latest version, as the matcher sees it. */
export interface VersionedPolicy {
  id: string;
  version: number;
  policy: PolicyInput;
}

/** The policy a subject falls under: active, of its type, condition true; lowest priority first. */
export function choosePolicy(
  policies: VersionedPolicy[],
  subjectType: string,
  snapshot: Record<string, unknown>,
): VersionedPolicy | undefined {
  return policies
    .filter((p) => p.policy.active && p.policy.subjectType === subjectType)
    .sort((a, b) => a.policy.priority - b.policy.priority || a.id.localeCompare(b.id))
    .find((p) => conditionHolds(p.policy.condition, snapshot));
}

/** A snapshot is a flat record of plain values; anything deeper is refused so conditions stay simple. */
export function checkSnapshot(snapshot: Record<string, unknown>): void {
  const v = new Violations();
  const keys = Object.keys(snapshot);
  if (keys.length > 100) v.add('snapshot', 'has more than 100 fields');
  for (const k of keys) {
    if (!FIELD_NAME.test(k)) v.add(`snapshot.${k}`, 'is not a field name (letters, digits, _)');
    const val = snapshot[k];
    if (val !== null && !['string', 'number', 'boolean'].includes(typeof val))
      v.add(`snapshot.${k}`, 'must be a string, number, boolean or null');
  }
  v.throwIfAny();
}
