import { type Actor, collapseSpace, ForbiddenError, hasRole, Roles, Violations } from '@crm/kit/domain';

export const ASSIGNMENT_METHODS = ['round-robin', 'least-loaded'] as const;
export const AVAILABILITIES = ['available', 'away'] as const;

export type AssignmentMethod = (typeof ASSIGNMENT_METHODS)[number];
export type Availability = (typeof AVAILABILITIES)[number];

export interface QueueMember {
  userId: string;
  availability: Availability;
}

/**
 * How a ticket came to its agent: routed when created, taken, handed over, or following its account
 * to the account's new owner (where the service settings say so).
 */
export type AssignmentKind = AssignmentMethod | 'take' | 'hand-over' | 'follow-account';

/** One assignment of a ticket, for its timeline. */
export interface TicketAssignment {
  assigneeId: string;
  previousAssigneeId: string;
  queue: string;
  method: AssignmentKind;
  assignedBy: string;
  assignedAt: Date;
  /** Why, when the method does not say it all (the account and transfer a ticket followed). */
  reason?: string;
}

/** What a support manager sets on a queue. */
export interface QueueFields {
  name: string;
  members: QueueMember[];
  /** Key of the queue escalations go to; '' for none (then to the manager). */
  seniorQueue: string;
  /** The support manager escalations go to when there is no senior queue; '' for none. */
  managerId: string;
  assignmentMethod: AssignmentMethod;
  active: boolean;
}

const KEY = /^[a-z][a-z0-9-]{0,39}$/;
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_MEMBERS = 200;
const oneOf = (list: readonly string[]) => `must be one of ${list.join(', ')}`;

export const isQueueKey = (key: string) => KEY.test(key);

/** Trims and validates a queue; the senior queue's existence is checked by the use case. */
export function normaliseQueueFields(key: string, raw: QueueFields): QueueFields {
  const v = new Violations();
  const f: QueueFields = {
    name: collapseSpace(raw.name ?? ''),
    members: (raw.members ?? []).map((m) => ({
      userId: collapseSpace(m.userId ?? ''),
      availability: (collapseSpace(m.availability ?? '').toLowerCase() || 'available') as Availability,
    })),
    seniorQueue: collapseSpace(raw.seniorQueue ?? '').toLowerCase(),
    managerId: collapseSpace(raw.managerId ?? ''),
    assignmentMethod: (collapseSpace(raw.assignmentMethod ?? '').toLowerCase() ||
      'round-robin') as AssignmentMethod,
    active: raw.active ?? true,
  };
  if (!KEY.test(key)) v.add('key', 'must be a queue key such as billing');
  if (!f.name) v.add('name', 'is required');
  else if (f.name.length > 100) v.add('name', 'must be at most 100 characters');
  if (f.members.length > MAX_MEMBERS) v.add('members', `at most ${MAX_MEMBERS}`);
  const seen = new Set<string>();
  f.members.forEach((m, i) => {
    if (!USER_ID.test(m.userId)) v.add(`members[${i}].userId`, 'is not a user id');
    else if (seen.has(m.userId)) v.add(`members[${i}].userId`, 'is listed twice');
    seen.add(m.userId);
    if (!(AVAILABILITIES as readonly string[]).includes(m.availability))
      v.add(`members[${i}].availability`, oneOf(AVAILABILITIES));
  });
  if (f.seniorQueue && !KEY.test(f.seniorQueue)) v.add('seniorQueue', 'must be a queue key');
  else if (f.seniorQueue === key) v.add('seniorQueue', 'a queue cannot escalate to itself');
  if (f.managerId && !USER_ID.test(f.managerId)) v.add('managerId', 'is not a user id');
  if (!(ASSIGNMENT_METHODS as readonly string[]).includes(f.assignmentMethod))
    v.add('assignmentMethod', oneOf(ASSIGNMENT_METHODS));
  v.throwIfAny();
  return f;
}

export function requireAvailability(raw: string): Availability {
  const a = collapseSpace(raw ?? '').toLowerCase();
  if (!(AVAILABILITIES as readonly string[]).includes(a))
    new Violations().add('availability', oneOf(AVAILABILITIES)).throwIfAny();
  return a as Availability;
}

/** A member sets their own availability; a support manager or admin sets anyone's. */
export function requireMayChangeAvailability(actor: Actor, userId: string): void {
  if (userId !== actor.userId && !hasRole(actor, Roles.supportManager, Roles.admin))
    throw new ForbiddenError("only support managers set another member's availability");
}

export const isMember = (q: Pick<QueueFields, 'members'>, userId: string) =>
  q.members.some((m) => m.userId === userId);

/** The members who get new tickets now, in the queue's order. */
export const availableMembers = (q: Pick<QueueFields, 'members'>) =>
  q.members.filter((m) => m.availability === 'available').map((m) => m.userId);

/**
 * Round robin: the first available member after the one who got the previous ticket, in the queue's
 * member order (from the start when that one is gone). Undefined when nobody is available.
 */
export function nextInTurn(
  q: Pick<QueueFields, 'members'>,
  previous: string | undefined,
  eligible: ReadonlySet<string> = new Set(availableMembers(q)),
): string | undefined {
  const order = q.members.map((m) => m.userId);
  const start = previous === undefined ? -1 : order.indexOf(previous);
  for (let i = 1; i <= order.length; i++) {
    const candidate = order[(start + i) % order.length] as string;
    if (eligible.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Least loaded: the available member with the fewest open tickets; a tie goes to whoever is next in
 * turn, so equal loads still spread like round robin.
 */
export function leastLoaded(
  q: Pick<QueueFields, 'members'>,
  openTickets: ReadonlyMap<string, number>,
  previous: string | undefined,
): string | undefined {
  const available = availableMembers(q);
  if (!available.length) return undefined;
  const load = (u: string) => openTickets.get(u) ?? 0;
  const least = Math.min(...available.map(load));
  return nextInTurn(q, previous, new Set(available.filter((u) => load(u) === least)));
}

/**
 * Where an escalation goes: the queue's senior queue; without one the ticket stays and goes to the
 * queue's support manager (when it names one).
 */
export function escalationTarget(q: Pick<QueueFields, 'seniorQueue' | 'managerId'> | undefined): {
  queue: string;
  managerId: string;
} {
  if (q?.seniorQueue) return { queue: q.seniorQueue, managerId: '' };
  return { queue: '', managerId: q?.managerId ?? '' };
}
