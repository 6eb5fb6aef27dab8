import {
  type Actor,
  collapseSpace,
  ConflictError,
  ForbiddenError,
  hasRole,
  Roles,
  Violations,
} from '@crm/kit/domain';

export const CHANNELS = ['phone', 'email', 'web', 'chat', 'api'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
/** Statuses of tickets still being worked (resolved and closed ones are done). */
export const OPEN_STATUSES = ['new', 'open', 'pending'] as const;
export const PENDING_REASONS = ['customer', 'internal'] as const;
export const VISIBILITIES = ['public', 'internal'] as const;
export const LINK_KINDS = ['related', 'duplicate-of', 'caused-by'] as const;

export type Channel = (typeof CHANNELS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type TicketStatus = (typeof STATUSES)[number];
export type PendingReason = (typeof PENDING_REASONS)[number] | '';
export type Visibility = (typeof VISIBILITIES)[number];

/** Queue of a ticket nobody routed elsewhere; also the Keycloak group of the first-line agents. */
export const DEFAULT_QUEUE = 'support';

export interface TicketLink {
  ticketId: string;
  kind: string;
}

/** What is known of an attached file; the file itself is stored elsewhere (later). */
export interface Attachment {
  name: string;
  sizeBytes: number;
  contentType: string;
}

/** The fields of a ticket that staff edit (status, queue and assignee have their own moves). */
export interface TicketFields {
  accountId: string;
  contactId: string;
  subject: string;
  description: string;
  channel: string;
  category: string;
  priority: string;
  tags: string[];
  links: TicketLink[];
  attachments: Attachment[];
}

export interface Comment {
  id: string;
  visibility: Visibility;
  body: string;
  authorId: string;
  createdAt: Date;
  /** Set on a comment that came with a merged duplicate: the ticket it was written on. */
  mergedFromTicketId?: string;
}

export interface StatusChange {
  fromStatus: string;
  toStatus: TicketStatus;
  pendingReason: PendingReason;
  note: string;
  changedBy: string;
  changedAt: Date;
}

export interface Escalation {
  level: number;
  toQueue: string;
  reason: string;
  escalatedBy: string;
  escalatedAt: Date;
  /** The queue it was in before (unset on escalations recorded before queues were records). */
  fromQueue?: string;
  /** The support manager it went to when its queue has no senior queue. */
  toManagerId?: string;
}

const MAX_SUBJECT = 200;
const MAX_TEXT = 20_000;
const MAX_TAGS = 20;
const KEY = /^[a-z][a-z0-9-]{0,39}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

const oneOf = (list: readonly string[]) => `must be one of ${list.join(', ')}`;

/** Trims and validates a ticket's fields; throws ValidationError naming each problem. */
export function normaliseTicketFields(raw: TicketFields, selfId = ''): TicketFields {
  const v = new Violations();
  const t = collapseSpace;
  const f: TicketFields = {
    accountId: t(raw.accountId),
    contactId: t(raw.contactId),
    subject: t(raw.subject),
    description: (raw.description ?? '').trim(),
    channel: t(raw.channel).toLowerCase(),
    category: t(raw.category).toLowerCase(),
    priority: t(raw.priority).toLowerCase(),
    tags: [...new Set((raw.tags ?? []).map((x) => t(x).toLowerCase()).filter(Boolean))],
    links: (raw.links ?? []).map((l) => ({ ticketId: t(l.ticketId), kind: t(l.kind) || 'related' })),
    attachments: (raw.attachments ?? []).map((a) => ({
      name: t(a.name),
      sizeBytes: a.sizeBytes,
      contentType: t(a.contentType).toLowerCase(),
    })),
  };
  if (!f.accountId) v.add('accountId', 'is required');
  else if (!ID.test(f.accountId)) v.add('accountId', 'is not an id');
  if (f.contactId && !ID.test(f.contactId)) v.add('contactId', 'is not an id');
  if (!f.subject) v.add('subject', 'is required');
  else if (f.subject.length > MAX_SUBJECT) v.add('subject', `must be at most ${MAX_SUBJECT} characters`);
  if (f.description.length > MAX_TEXT) v.add('description', `must be at most ${MAX_TEXT} characters`);
  if (!(CHANNELS as readonly string[]).includes(f.channel)) v.add('channel', oneOf(CHANNELS));
  if (f.category && !KEY.test(f.category)) v.add('category', 'must be a key such as billing');
  if (!(PRIORITIES as readonly string[]).includes(f.priority)) v.add('priority', oneOf(PRIORITIES));
  if (f.tags.length > MAX_TAGS) v.add('tags', `at most ${MAX_TAGS}`);
  f.tags.forEach((tag, i) => {
    if (!KEY.test(tag)) v.add(`tags[${i}]`, 'must be lower-case letters, digits and dashes');
  });
  f.links.forEach((l, i) => {
    if (!ID.test(l.ticketId)) v.add(`links[${i}].ticketId`, 'is not an id');
    else if (l.ticketId === selfId) v.add(`links[${i}].ticketId`, 'a ticket cannot link to itself');
    if (!(LINK_KINDS as readonly string[]).includes(l.kind)) v.add(`links[${i}].kind`, oneOf(LINK_KINDS));
  });
  f.attachments.forEach((a, i) => {
    if (!a.name || a.name.length > 255)
      v.add(`attachments[${i}].name`, 'is required, at most 255 characters');
    if (!Number.isSafeInteger(a.sizeBytes) || a.sizeBytes < 0)
      v.add(`attachments[${i}].sizeBytes`, 'must be a whole, non-negative number');
    if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(a.contentType))
      v.add(`attachments[${i}].contentType`, 'must be a media type such as image/png');
  });
  v.throwIfAny();
  return f;
}

export function normaliseQueue(raw: string, field = 'queue'): string {
  const q = collapseSpace(raw).toLowerCase();
  const v = new Violations();
  if (!KEY.test(q)) v.add(field, 'must be a queue key such as support');
  v.throwIfAny();
  return q;
}

/** The statuses each status may move to by ChangeStatus, resolve, close or reopen. */
const MOVES: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'resolved'],
  open: ['pending', 'resolved'],
  pending: ['open', 'pending', 'resolved'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

/**
 * One status move, checked against the workflow new -> open -> pending -> resolved -> closed.
 * An illegal move is a conflict with the ticket's state (409), not bad input.
 */
export function moveStatus(
  from: TicketStatus,
  to: TicketStatus,
  pendingReason: string,
  note: string,
  by: string,
  at: Date,
): StatusChange {
  if (to === 'closed' && from !== 'resolved')
    throw new ConflictError(`a ${from} ticket cannot be closed: resolve it first`);
  if (!MOVES[from].includes(to)) throw new ConflictError(`a ${from} ticket cannot move to ${to}`);
  const reason = to === 'pending' ? pendingReason.trim() : '';
  if (to === 'pending' && !(PENDING_REASONS as readonly string[]).includes(reason))
    new Violations().add('pendingReason', oneOf(PENDING_REASONS)).throwIfAny();
  return {
    fromStatus: from,
    toStatus: to,
    pendingReason: reason as PendingReason,
    note,
    changedBy: by,
    changedAt: at,
  };
}

export function requireText(value: string, field: string, max = MAX_TEXT): string {
  const text = (value ?? '').trim();
  const v = new Violations();
  if (!text) v.add(field, 'is required');
  else if (text.length > max) v.add(field, `must be at most ${max} characters`);
  v.throwIfAny();
  return text;
}

export function requireVisibility(raw: string): Visibility {
  const v = raw.trim().toLowerCase();
  if (!(VISIBILITIES as readonly string[]).includes(v))
    new Violations().add('visibility', oneOf(VISIBILITIES)).throwIfAny();
  return v as Visibility;
}

/** Who works tickets: support agents (in their queues), support managers and admins (all of them). */
export const isSupportStaff = (a: Actor) => hasRole(a, Roles.agent, Roles.supportManager, Roles.admin);
/** Who sees and works every queue (integrations raise tickets from other systems). */
export const worksEveryQueue = (a: Actor) => hasRole(a, Roles.supportManager, Roles.admin, Roles.integrator);

/**
 * The queues an agent works: the Keycloak groups they belong to (a queue's key is the group's name;
 * the agent in group /support works queue "support"). Managers and admins work every queue.
 */
export function worksQueue(a: Actor, queue: string): boolean {
  return worksEveryQueue(a) || (hasRole(a, Roles.agent) && a.teams.includes(queue));
}

/** A change to a ticket (reply, status, assignment) needs someone who works its queue. */
export function requireWorker(a: Actor, ticket: { queue: string }): void {
  if (!worksQueue(a, ticket.queue))
    throw new ForbiddenError(`only support staff of queue ${ticket.queue} work this ticket`);
}

/** What a customer may see of the comments: public replies only, never internal notes. */
export const customerVisible = (comments: readonly Comment[]) =>
  comments.filter((c) => c.visibility === 'public');
