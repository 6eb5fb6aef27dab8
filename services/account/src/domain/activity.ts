import { type Actor, hasRole, Roles, Violations } from '@crm/kit/domain';

export type ActivityKind = 'task' | 'call' | 'visit' | 'meeting';
export const ACTIVITY_KINDS: ActivityKind[] = ['task', 'call', 'visit', 'meeting'];
export type Priority = 'low' | 'normal' | 'high';
export const PRIORITIES: Priority[] = ['low', 'normal', 'high'];
export type RelatedType = 'lead' | 'account' | 'contact' | 'opportunity';
export const RELATED_TYPES: RelatedType[] = ['lead', 'account', 'contact', 'opportunity'];

export interface RelatedRecord {
  type: RelatedType;
  id: string;
}

export interface ActivityInput {
  kind: ActivityKind;
  relatedTo: RelatedRecord;
  subject: string;
  description: string;
  /** Task only. */
  dueAt?: Date;
  /** Task only ('' for other kinds). */
  priority: Priority | '';
  /** Task only ('' for other kinds). */
  assigneeId: string;
  /** Call, visit, meeting only. */
  occurredAt?: Date;
  participantContactIds: string[];
  outcome: string;
  nextStep: string;
  /** The deal the activity is about ('' for none); implied by an opportunity as relatedTo. */
  opportunityId?: string;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * How far ahead a logged activity may be dated: a meeting written up the evening before, not a call in
 * 2099 that would make its record look active for ever (and keep it out of the public pool).
 */
export const MAX_OCCURRED_AHEAD_MS = 24 * 60 * 60 * 1000;

/** A logged activity's time: a valid time, at most a day ahead of now. */
export function validOccurredAt(d: Date | undefined, v: Violations, now = new Date()): Date | undefined {
  const at = validDate(d, 'occurredAt', v);
  if (at && at.getTime() > now.getTime() + MAX_OCCURRED_AHEAD_MS)
    v.add('occurredAt', 'must be at most one day ahead of now');
  return at;
}

/**
 * Validates an activity and drops what does not belong to its kind: a task has a due date, priority and
 * assignee (default: the caller); a call, visit or meeting has a time (default: now), participants,
 * outcome and next step.
 */
export function normaliseActivityInput(raw: ActivityInput, actorId: string, now = new Date()): ActivityInput {
  const v = new Violations();
  const t = (s: string | undefined) => (s ?? '').trim();
  const kind = raw.kind;
  if (!ACTIVITY_KINDS.includes(kind)) v.add('kind', `must be one of ${ACTIVITY_KINDS.join(', ')}`);
  const relatedTo = { type: t(raw.relatedTo?.type).toLowerCase(), id: t(raw.relatedTo?.id) } as RelatedRecord;
  if (!RELATED_TYPES.includes(relatedTo.type))
    v.add('relatedTo.type', `must be one of ${RELATED_TYPES.join(', ')}`);
  if (!ID.test(relatedTo.id)) v.add('relatedTo.id', 'is required and must be an id');
  const a: ActivityInput = {
    kind,
    relatedTo,
    subject: t(raw.subject),
    description: t(raw.description),
    priority: '',
    assigneeId: '',
    participantContactIds: [],
    outcome: '',
    nextStep: '',
    opportunityId: dealOf(relatedTo, t(raw.opportunityId), v),
  };
  if (!a.subject) v.add('subject', 'is required');
  if (a.subject.length > 300) v.add('subject', 'must be at most 300 characters');
  if (a.description.length > 10_000) v.add('description', 'must be at most 10000 characters');
  if (kind === 'task') {
    a.dueAt = validDate(raw.dueAt, 'dueAt', v);
    a.priority = raw.priority || 'normal';
    if (!PRIORITIES.includes(a.priority)) v.add('priority', `must be one of ${PRIORITIES.join(', ')}`);
    a.assigneeId = t(raw.assigneeId) || actorId;
    if (!ID.test(a.assigneeId)) v.add('assigneeId', 'must be a user id');
  } else {
    a.occurredAt = validOccurredAt(raw.occurredAt, v, now) ?? now;
    a.participantContactIds = [...new Set((raw.participantContactIds ?? []).map(t).filter(Boolean))];
    if (a.participantContactIds.length > 100) v.add('participantContactIds', 'at most 100 participants');
    if (a.participantContactIds.some((id) => !ID.test(id)))
      v.add('participantContactIds', 'must be contact ids');
    a.outcome = t(raw.outcome);
    a.nextStep = t(raw.nextStep);
    if (a.outcome.length > 2000) v.add('outcome', 'must be at most 2000 characters');
    if (a.nextStep.length > 2000) v.add('nextStep', 'must be at most 2000 characters');
  }
  v.throwIfAny();
  return a;
}

/** The deal of an activity: the related opportunity itself, or one named next to an account or contact. */
function dealOf(relatedTo: RelatedRecord, opportunityId: string, v: Violations): string {
  if (opportunityId && !ID.test(opportunityId)) v.add('opportunityId', 'must be an opportunity id');
  if (relatedTo.type === 'opportunity') {
    if (opportunityId && opportunityId !== relatedTo.id)
      v.add('opportunityId', 'must be relatedTo.id (or left out) when the activity is about an opportunity');
    return relatedTo.id;
  }
  // A lead has no account yet, so no deal of that account can be checked against it.
  if (relatedTo.type === 'lead' && opportunityId)
    v.add('opportunityId', 'cannot be set on a lead activity: relate it to the account or the opportunity');
  return opportunityId;
}

function validDate(d: Date | undefined, field: string, v: Violations): Date | undefined {
  if (d === undefined) return undefined;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    v.add(field, 'is not a valid time');
    return undefined;
  }
  return d;
}

/** The time an activity is filed under: a task's due date (or creation), a logged activity's time. */
export const activityAt = (a: {
  kind: ActivityKind;
  dueAt?: Date;
  occurredAt?: Date;
  createdAt: Date;
}): Date => (a.kind === 'task' ? a.dueAt : a.occurredAt) ?? a.createdAt;

/** Does this activity count as contact with the customer (moves lastActivityAt)? */
export const isLogged = (kind: ActivityKind) => kind !== 'task';

interface OwnedActivity {
  ownerId: string;
  teamId: string;
  assigneeId: string;
}

/**
 * Who sees an activity by its own ownership (used for activities of leads and opportunities, whose
 * records live in other services): admins and integrators all, the owner and the assignee theirs, a
 * sales manager those of their teams and unowned ones.
 */
export function canSeeActivity(actor: Actor, a: OwnedActivity): boolean {
  if (hasRole(actor, Roles.admin, Roles.integrator)) return true;
  if (a.ownerId === actor.userId || a.assigneeId === actor.userId) return true;
  if (hasRole(actor, Roles.manager)) return !a.ownerId || (!!a.teamId && actor.teams.includes(a.teamId));
  return false;
}

/** The same rule as a query filter (undefined = no restriction). */
export function activityVisibilityFilter(actor: Actor): Record<string, unknown> | undefined {
  if (hasRole(actor, Roles.admin, Roles.integrator)) return undefined;
  const mine = [{ ownerId: actor.userId }, { assigneeId: actor.userId }];
  if (hasRole(actor, Roles.manager))
    return { $or: [...mine, { ownerId: { $in: ['', null] } }, { teamId: { $in: actor.teams } }] };
  return { $or: mine };
}
