import { randomUUID } from 'node:crypto';
import {
  type Actor,
  allows,
  ConflictError,
  changedFields,
  checkVersion,
  ForbiddenError,
  NotFoundError,
  pageLimit,
  retryOnVersionMismatch,
  stripUndefined,
  ValidationError,
  VersionMismatchError,
  Violations,
} from '@crm/kit';
import {
  DEFAULT_QUEUE,
  isSupportStaff,
  moveStatus,
  normaliseQueue,
  normaliseTicketFields,
  PRIORITIES,
  requireText,
  requireVisibility,
  STATUSES,
  type StatusChange,
  type TicketFields,
  type TicketStatus,
  worksEveryQueue,
  worksQueue,
} from '../domain/ticket';
import type { TicketAssignment } from '../domain/queue';
import { targetFor } from '../domain/sla';
import { followStatus, NEVER, slaIndex, startClock } from '../domain/sla-clock';
import { businessMinutesSpent, retargetClock } from '../domain/sla-retarget';
import { queueEvents } from '../events/queue-events';
import { ticketEvents as events } from '../events/ticket-events';
import type { TicketDoc } from '../store/ticket.model';
import type { AccountSummary, Caller, TicketPorts } from './ports';
import type { Queues } from './queues';
import { settingsInForce } from './service-settings';
import { DEFAULT_ID, type SlaSettings } from './sla-settings';

/** What a caller sends to create or change a ticket; undefined leaves a field as it is. */
export type TicketPatch = Partial<TicketFields> & { customFields?: Record<string, unknown> };

export interface TicketListRequest {
  status: string;
  queue: string;
  assigneeId: string;
  priority: string;
  accountId: string;
  slaState: string;
  sort: string;
  limit: number;
  cursor: string;
}

const SLA_STATES = ['none', 'ok', 'warning', 'breached', 'paused'];

/** Fields compared for TicketUpdated.changed_fields (comments and history have their own events). */
const TRACKED: (keyof TicketDoc)[] = [
  'accountId',
  'contactId',
  'subject',
  'description',
  'channel',
  'category',
  'priority',
  'tags',
  'links',
  'attachments',
  'customFields',
  'queue',
  'assigneeId',
  'status',
  'pendingReason',
];

const EMPTY_FIELDS: TicketFields = {
  accountId: '',
  contactId: '',
  subject: '',
  description: '',
  channel: 'web',
  category: '',
  priority: 'normal',
  tags: [],
  links: [],
  attachments: [],
};

/**
 * Service tickets: support staff create and work them in their queues (reply, note, assign, escalate,
 * move through the workflow); sellers read the tickets of the accounts they can see. Every change is a
 * compare-and-set carrying its events.
 */
export class Tickets {
  constructor(
    private readonly p: TicketPorts,
    private readonly sla: SlaSettings,
    /**
     * Queue records: routing, assignment, membership, escalation targets. Without them (unit tests of
     * other parts) a ticket stays in the queue it was put in and access comes from Keycloak groups only.
     */
    private readonly queues?: Queues,
  ) {}

  async create(patch: TicketPatch, queue: string, c: Caller, slaPolicyId = ''): Promise<TicketDoc> {
    mayWork(c);
    const { customFields, ...fields } = patch;
    const input = normaliseTicketFields({ ...EMPTY_FIELDS, ...stripUndefined(fields) });
    // A ticket given no queue is routed by the assignment rules; whoever opens it need not work there.
    const routed = !queue.trim() && !!this.queues;
    let q = normaliseQueue(queue || DEFAULT_QUEUE);
    if (!routed && !(await this.works(c.actor, q)))
      throw new ForbiddenError(`only support staff of queue ${q} create tickets in it`);
    if (!routed) await this.queues?.requireQueue(q, 'queue');
    const values = await this.p.customFields.validateCreate('ticket', customFields ?? {});
    const account = await this.requireAccountAndContact(input, c);
    const tier = account.tier;
    if (routed) q = (await this.queues!.route({ ...input, accountTier: tier })).queue;
    const policy = await this.sla.policy(slaPolicyId.trim() || DEFAULT_ID);
    if (!policy) throw new ValidationError([{ field: 'slaPolicyId', description: 'is not an SLA policy' }]);
    const calendar = await this.sla.calendar(policy.calendarId);
    const now = new Date();
    const clock = startClock(
      now,
      await this.clockPolicy(policy),
      targetFor(policy, input.priority, tier),
      calendar,
    );
    const doc: TicketDoc = {
      _id: randomUUID(),
      version: 1,
      ...input,
      customFields: values,
      queue: q,
      assigneeId: '',
      status: 'new',
      pendingReason: '',
      resolution: '',
      level: 1,
      comments: [],
      statusHistory: [moveFromNothing(c.actor.userId, now)],
      escalations: [],
      csatScore: 0,
      csatComment: '',
      autoCloseAt: NEVER,
      accountTier: tier,
      accountName: account.name,
      sla: clock,
      slaEvents: [],
      ...slaIndex({ status: 'new', sla: clock }),
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    const picked = await this.queues?.pickAgent(q, doc._id, now);
    const assignment: TicketAssignment | undefined = picked && {
      assigneeId: picked.agentId,
      previousAssigneeId: '',
      queue: q,
      method: picked.method,
      assignedBy: ASSIGNMENT.userId,
      assignedAt: now,
    };
    if (assignment) Object.assign(doc, { assigneeId: assignment.assigneeId, assignments: [assignment] });
    doc.outbox = [
      events.created(doc, c.actor, c.requestId),
      ...(assignment ? [queueEvents.assigned(doc, assignment, ASSIGNMENT, c.requestId)] : []),
    ];
    await this.p.tickets.insert(doc);
    this.p.written(doc._id);
    return doc;
  }

  /**
   * Staff see the tickets of their queues (and those assigned to them); sellers those of accounts they
   * can see. NotFound otherwise, so ids of other tickets tell nothing.
   */
  async get(id: string, c: Caller): Promise<TicketDoc> {
    mayRead(c);
    const doc = await this.p.tickets.get(id);
    if (!doc || !(await this.maySee(doc, c))) throw new NotFoundError('ticket', id);
    return doc;
  }

  async list(req: TicketListRequest, c: Caller): Promise<{ tickets: TicketDoc[]; nextCursor: string }> {
    mayRead(c);
    const v = new Violations();
    const status = req.status.trim();
    const priority = req.priority.trim();
    const accountId = req.accountId.trim();
    if (status && !(STATUSES as readonly string[]).includes(status))
      v.add('status', `must be one of ${STATUSES.join(', ')}`);
    if (priority && !(PRIORITIES as readonly string[]).includes(priority))
      v.add('priority', `must be one of ${PRIORITIES.join(', ')}`);
    const slaState = req.slaState.trim();
    if (slaState && !SLA_STATES.includes(slaState))
      v.add('slaState', `must be one of ${SLA_STATES.join(', ')}`);
    const sort = req.sort.trim() || 'created';
    if (sort !== 'created' && sort !== 'sla') v.add('sort', 'must be created or sla');
    let queuesIn: string[] | undefined;
    const seller = !worksEveryQueue(c.actor) && !isSupportStaff(c.actor);
    if (!worksEveryQueue(c.actor)) {
      if (isSupportStaff(c.actor))
        queuesIn = [...new Set([...c.actor.teams, ...((await this.queues?.memberOf(c.actor.userId)) ?? [])])];
      // A seller reads the tickets of one account at a time, an account they can see.
      else if (!accountId) v.add('accountId', 'is required for sales roles (the tickets of one account)');
    }
    v.throwIfAny();
    if (seller) await this.requireVisibleAccount(accountId, c);
    return this.p.tickets.list({
      queuesIn,
      status,
      queue: req.queue.trim(),
      assigneeId: req.assigneeId.trim(),
      priority,
      accountId,
      slaState,
      sort,
      limit: pageLimit(req.limit),
      cursor: req.cursor,
    });
  }

  /** Without If-Match (expected version 0) a concurrent write makes it read again: last writer wins, field by field. */
  update(id: string, expectedVersion: number, patch: TicketPatch, c: Caller): Promise<TicketDoc> {
    return this.change(id, expectedVersion, c, async (current, now) => {
      const { customFields, ...fields } = stripUndefined(patch);
      const input = normaliseTicketFields({ ...pickFields(current), ...fields }, current._id);
      const values =
        customFields === undefined
          ? current.customFields
          : await this.p.customFields.validatePatch('ticket', current.customFields, customFields);
      const set: Partial<TicketDoc> = { ...input, customFields: values };
      if (input.accountId !== current.accountId || input.contactId !== current.contactId) {
        const account = await this.requireAccountAndContact(input, c);
        if (input.accountId !== current.accountId) set.accountName = account.name;
      }
      if (input.priority === current.priority) return { set };
      const { sla, change } = await this.retarget(current, input.priority, c.actor.userId, now);
      Object.assign(set, { sla, slaChanges: [...(current.slaChanges ?? []), change] });
      return { set, events: (n) => [events.slaRetargeted(n, change, c.actor, c.requestId)] };
    });
  }

  /**
   * The clock against the targets of a new priority, from the policy the ticket is measured by (the
   * default one when no target applied before); the time already spent and the breaches stay.
   */
  private async retarget(current: TicketDoc, priority: string, by: string, now: Date) {
    const policy =
      (await this.sla.policy(current.sla.policyId || DEFAULT_ID)) ?? (await this.sla.policy(DEFAULT_ID));
    const target = policy && targetFor(policy, priority, current.accountTier);
    const sla = policy
      ? retargetClock(
          current.sla,
          await this.clockPolicy(policy),
          target,
          await this.sla.calendar(policy.calendarId),
        )
      : current.sla;
    const change = {
      fromPriority: current.priority,
      toPriority: priority,
      firstResponseDueAt: sla.firstResponseDueAt,
      resolutionDueAt: sla.resolutionDueAt,
      changedBy: by,
      changedAt: now,
    };
    return { sla, change };
  }

  /** What a clock keeps of its policy; a policy without a warning percentage takes the service default. */
  private async clockPolicy(policy: { _id: string; warnAtPercent: number; calendarId: string }) {
    const warnAtPercent = policy.warnAtPercent || (await settingsInForce(this.p)).defaultWarnAtPercent;
    return { id: policy._id, warnAtPercent, calendarId: policy.calendarId };
  }

  /** Business minutes the ticket's clock ran until `at` (tickets without an SLA: the default calendar). */
  private async businessMinutes(t: TicketDoc, at: Date): Promise<number> {
    return businessMinutesSpent(t.sla, at, await this.sla.calendar(t.sla.calendarId || DEFAULT_ID));
  }

  /** Adds one tag (kept once) to the tags the ticket has. */
  addTag(id: string, tag: string, c: Caller): Promise<TicketDoc> {
    return this.change(id, 0, c, async (current) => {
      const input = normaliseTicketFields(
        { ...pickFields(current), tags: [...current.tags, tag] },
        current._id,
      );
      return { set: { tags: input.tags } };
    });
  }

  /** A public reply (the first one is the first response, and opens a new ticket) or an internal note. */
  async addComment(id: string, visibility: string, body: string, c: Caller): Promise<TicketDoc> {
    const kind = requireVisibility(visibility);
    const text = requireText(body, 'body');
    return this.change(id, 0, c, async (current, now) => {
      const comment = {
        id: randomUUID(),
        visibility: kind,
        body: text,
        authorId: c.actor.userId,
        createdAt: now,
      };
      const set: Partial<TicketDoc> = { comments: [...current.comments, comment] };
      const first = kind === 'public' && !current.firstRespondedAt;
      if (first) set.firstRespondedAt = now;
      const toRespond = first ? await this.businessMinutes(current, now) : 0;
      if (kind === 'public' && current.status === 'new') {
        const move = moveStatus('new', 'open', '', 'first reply', c.actor.userId, now);
        Object.assign(set, statusSet(current, move));
      }
      return {
        set,
        events: (n) => [
          events.commented(n, comment, c.actor, c.requestId),
          ...(first ? [events.firstResponded(n, toRespond, c.actor, c.requestId)] : []),
        ],
      };
    });
  }

  /** Gives the ticket to an agent (nobody named: the caller takes it) and/or hands it to another queue. */
  assign(
    id: string,
    expectedVersion: number,
    assigneeId: string,
    queue: string,
    c: Caller,
  ): Promise<TicketDoc> {
    return this.change(id, expectedVersion, c, async (current, now) => {
      const to = assigneeId.trim() || c.actor.userId;
      const set: Partial<TicketDoc> = { assigneeId: to };
      if (queue.trim()) set.queue = normaliseQueue(queue);
      const target = set.queue ?? current.queue;
      if (set.queue) await this.queues?.requireQueue(target, 'queue');
      // A hand-over goes to a member of the queue; taking it yourself needs only that you work the queue.
      if (to !== c.actor.userId && this.queues && !(await this.queues.isMember(target, to)))
        throw new ValidationError([
          { field: 'assigneeId', description: `is not a member of queue ${target}` },
        ]);
      if (to === current.assigneeId && target === current.queue) return { set };
      const assignment: TicketAssignment = {
        assigneeId: to,
        previousAssigneeId: current.assigneeId,
        queue: target,
        method: to === c.actor.userId ? 'take' : 'hand-over',
        assignedBy: c.actor.userId,
        assignedAt: now,
      };
      set.assignments = [...(current.assignments ?? []), assignment];
      return { set, events: (n) => [queueEvents.assigned(n, assignment, c.actor, c.requestId)] };
    });
  }

  async escalate(
    id: string,
    expectedVersion: number,
    reason: string,
    toQueue: string,
    c: Caller,
  ): Promise<TicketDoc> {
    const why = requireText(reason, 'reason', 2000);
    return this.change(id, expectedVersion, c, async (current, now) => {
      if (current.status === 'closed' || current.status === 'resolved')
        throw new ValidationError([
          { field: 'status', description: `a ${current.status} ticket is not escalated` },
        ]);
      // Without a queue named it goes where the ticket's queue escalates to (senior queue or manager).
      const target = toQueue.trim()
        ? { queue: normaliseQueue(toQueue, 'toQueue'), managerId: '' }
        : ((await this.queues?.escalationTarget(current.queue)) ?? { queue: '', managerId: '' });
      if (toQueue.trim()) await this.queues?.requireQueue(target.queue, 'toQueue');
      const { queue, managerId } = target;
      const escalation = {
        level: current.level + 1,
        toQueue: queue,
        reason: why,
        escalatedBy: c.actor.userId,
        escalatedAt: now,
        fromQueue: current.queue,
        toManagerId: managerId,
      };
      const set: Partial<TicketDoc> = {
        level: escalation.level,
        escalations: [...current.escalations, escalation],
      };
      // A ticket handed to a senior queue waits for someone there to take it.
      if (queue && queue !== current.queue) Object.assign(set, { queue, assigneeId: '' });
      else if (managerId) set.assigneeId = managerId;
      return { set, events: (n) => [events.escalated(n, escalation, c.actor, c.requestId)] };
    });
  }

  /** Moves to open or pending (resolve, close and reopen have their own operations). */
  async changeStatus(
    id: string,
    expectedVersion: number,
    status: string,
    pendingReason: string,
    c: Caller,
  ): Promise<TicketDoc> {
    const to = status.trim();
    if (to !== 'open' && to !== 'pending')
      throw new ValidationError([
        {
          field: 'status',
          description: 'must be open or pending (resolve, close and reopen have their own operations)',
        },
      ]);
    return this.change(id, expectedVersion, c, async (current, now) => ({
      set: statusSet(current, moveStatus(current.status, to, pendingReason, '', c.actor.userId, now)),
    }));
  }

  /** Resolves with a resolution text and opens the customer's confirmation link (its token is returned once). */
  async resolve(
    id: string,
    expectedVersion: number,
    resolution: string,
    c: Caller,
  ): Promise<{ ticket: TicketDoc; confirmationToken: string }> {
    const text = requireText(resolution, 'resolution');
    const nonce = randomUUID();
    const loop = await settingsInForce(this.p);
    const ticket = await this.change(id, expectedVersion, c, async (current, now) => {
      const set: Partial<TicketDoc> = {
        ...statusSet(current, moveStatus(current.status, 'resolved', '', '', c.actor.userId, now)),
        resolution: text,
        resolvedAt: now,
        confirmation: { nonce, expiresAt: afterDays(now, loop.confirmationLinkDays) },
        autoCloseAt: afterDays(now, loop.autoCloseDays),
      };
      // Measured on the clock as it stands after this move (a pause on the customer ends with it).
      const clock = { ...current, sla: (await this.clockAfter(current, set, now)).sla! };
      const toResolve = await this.businessMinutes(clock, now);
      return { set, events: (n) => [events.resolved(n, toResolve, c.actor, c.requestId)] };
    });
    const confirmationToken = await this.p.confirmations.issue(
      ticket._id,
      nonce,
      ticket.confirmation!.expiresAt,
    );
    return { ticket, confirmationToken };
  }

  close(id: string, expectedVersion: number, c: Caller): Promise<TicketDoc> {
    return this.change(id, expectedVersion, c, async (current, now) => ({
      set: {
        ...statusSet(current, moveStatus(current.status, 'closed', '', '', c.actor.userId, now)),
        ...LOOP_DONE,
        closedAt: now,
      },
      events: (n) => [events.closed(n, c.actor, c.requestId)],
    }));
  }

  async reopen(id: string, expectedVersion: number, reason: string, c: Caller): Promise<TicketDoc> {
    const why = requireText(reason, 'reason', 2000);
    return this.change(id, expectedVersion, c, async (current, now) => {
      if (current.status !== 'resolved' && current.status !== 'closed')
        throw new ValidationError([
          { field: 'status', description: 'only a resolved or closed ticket is reopened' },
        ]);
      const window = (await settingsInForce(this.p)).reopenWindowDays;
      if (current.status === 'closed' && current.closedAt && afterDays(current.closedAt, window) <= now)
        throw new ConflictError(`closed more than ${window} days ago: open a new ticket and link this one`);
      return {
        set: {
          ...statusSet(current, moveStatus(current.status, 'open', '', why, c.actor.userId, now)),
          ...LOOP_DONE,
        },
        events: (n) => [events.reopened(n, why, c.actor, c.requestId)],
      };
    });
  }

  /** What the customer sees behind a confirmation link: never internal notes. */
  async confirmation(token: string, c: Caller): Promise<CustomerConfirmation> {
    mayAnswerForCustomers(c);
    const { ticket, nonce } = await this.byToken(token);
    return customerView(ticket, nonce);
  }

  /**
   * The customer's answer: confirm closes the ticket, reject reopens it with their comment; the score
   * is kept either way. The link's nonce is forgotten in the same write, so a link answers once.
   */
  async answerConfirmation(
    token: string,
    decision: string,
    csatScore: number,
    comment: string,
    c: Caller,
  ): Promise<CustomerConfirmation> {
    mayAnswerForCustomers(c);
    const v = new Violations();
    if (decision !== 'confirm' && decision !== 'reject') v.add('decision', 'must be confirm or reject');
    if (!Number.isInteger(csatScore) || csatScore < 1 || csatScore > 5)
      v.add('csatScore', 'must be a whole number from 1 to 5');
    const said = (comment ?? '').trim();
    if (said.length > 2000) v.add('comment', 'must be at most 2000 characters');
    if (decision === 'reject' && !said) v.add('comment', 'says what is still wrong (required to reject)');
    v.throwIfAny();
    const once = async () => {
      const { ticket: current, nonce } = await this.byToken(token);
      if (customerView(current, nonce).answered) throw new ConflictError('this link was answered already');
      const now = new Date();
      const confirmed = decision === 'confirm';
      const move = moveStatus(
        'resolved',
        confirmed ? 'closed' : 'open',
        '',
        confirmed ? '' : said,
        CUSTOMER.userId,
        now,
      );
      const set: Partial<TicketDoc> = {
        ...statusSet(current, move),
        ...LOOP_DONE,
        csatScore,
        csatComment: said,
        ...(confirmed ? { closedAt: now } : {}),
      };
      Object.assign(set, await this.clockAfter(current, set, now));
      const rid = `confirmation-${current._id}`;
      const next = await this.p.tickets.save(current, set, CUSTOMER, (n) => [
        events.csatReceived(n, csatScore, said, confirmed, CUSTOMER, rid),
        confirmed ? events.closed(n, CUSTOMER, rid) : events.reopened(n, said, CUSTOMER, rid),
      ]);
      this.p.written(current._id);
      return customerView(next, nonce);
    };
    return retryOnVersionMismatch(once);
  }

  /** Closes resolved tickets the customer did not answer in time (run by a DurableSchedule). */
  async autoClose(now: Date): Promise<number> {
    let closed = 0;
    for (const t of await this.p.tickets.dueForAutoClose(now, 200)) {
      const set: Partial<TicketDoc> = {
        ...statusSet(
          t,
          moveStatus(t.status, 'closed', '', 'no answer from the customer', AUTO_CLOSE.userId, now),
        ),
        ...LOOP_DONE,
        closedAt: now,
      };
      Object.assign(set, await this.clockAfter(t, set, now));
      try {
        await this.p.tickets.save(t, set, AUTO_CLOSE, (n) => [
          events.closed(n, AUTO_CLOSE, `auto-close-${t._id}`),
        ]);
      } catch (err) {
        // Someone answered or reopened it meanwhile; the next run looks again.
        if (err instanceof VersionMismatchError) continue;
        throw err;
      }
      this.p.written(t._id);
      closed++;
    }
    return closed;
  }

  private async byToken(token: string): Promise<{ ticket: TicketDoc; nonce: string }> {
    const claim = await this.p.confirmations.verify((token ?? '').trim());
    const ticket = claim && (await this.p.tickets.get(claim.ticketId));
    if (!claim || !ticket)
      throw new ValidationError([
        { field: 'token', description: 'is not a valid confirmation link (changed, or expired)' },
      ]);
    return { ticket, nonce: claim.nonce };
  }

  /**
   * One read-check-write of a ticket by someone who works its queue: the step computes what to set and
   * which events to add besides TicketUpdated (written when tracked fields changed).
   */
  private change(
    id: string,
    expectedVersion: number,
    c: Caller,
    step: (
      current: TicketDoc,
      now: Date,
    ) => Promise<{
      set: Partial<TicketDoc>;
      events?: (next: TicketDoc) => ReturnType<typeof events.created>[];
    }>,
  ): Promise<TicketDoc> {
    const once = async () => {
      mayWork(c);
      const current = await this.get(id, c);
      checkVersion(expectedVersion, current.version);
      if (!(await this.works(c.actor, current.queue)))
        throw new ForbiddenError(`only support staff of queue ${current.queue} work this ticket`);
      const now = new Date();
      const { set, events: more } = await step(current, now);
      Object.assign(set, await this.clockAfter(current, set, now));
      const next = await this.p.tickets.save(current, set, c.actor, (n) => {
        const changed = changedFields(current, n, TRACKED);
        return [
          ...(changed.length ? [events.updated(n, changed, c.actor, c.requestId)] : []),
          ...(more?.(n) ?? []),
        ];
      });
      this.p.written(id);
      return next;
    };
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  /** The clock after a change: pending on the customer pauses it; the derived index fields follow. */
  private async clockAfter(
    current: TicketDoc,
    set: Partial<TicketDoc>,
    now: Date,
  ): Promise<Partial<TicketDoc>> {
    const merged = { ...current, ...set };
    let sla = set.sla ?? current.sla;
    if (set.status !== undefined && sla.policyId) {
      const calendar = sla.pausedSince ? await this.sla.calendar(sla.calendarId) : undefined;
      sla = followStatus(sla, merged.status, merged.pendingReason, now, calendar);
    }
    return { sla, ...slaIndex({ ...merged, sla }) };
  }

  private async maySee(doc: TicketDoc, c: Caller): Promise<boolean> {
    if (await this.works(c.actor, doc.queue)) return true;
    if (doc.assigneeId === c.actor.userId) return true;
    if (isSupportStaff(c.actor)) return false;
    // A seller sees the tickets of the accounts they can see.
    return this.p.accounts.isVisible(doc.accountId, c);
  }

  /** Works the queue by Keycloak group (or role), or as a member of the queue's record. */
  private async works(actor: Actor, queue: string): Promise<boolean> {
    if (worksQueue(actor, queue)) return true;
    return isSupportStaff(actor) && !!this.queues && (await this.queues.isMember(queue, actor.userId));
  }

  private async requireVisibleAccount(accountId: string, c: Caller): Promise<AccountSummary> {
    const account = await this.p.accounts.summaryOf(accountId, c);
    if (account === undefined)
      throw new ValidationError([{ field: 'accountId', description: 'is not an account you can see' }]);
    return account;
  }

  /** The account's name and tier, once the account and the contact check out. */
  private async requireAccountAndContact(input: TicketFields, c: Caller): Promise<AccountSummary> {
    const account = await this.requireVisibleAccount(input.accountId, c);
    if (input.contactId && (await this.p.accounts.accountOfContact(input.contactId, c)) !== input.accountId)
      throw new ValidationError([
        { field: 'contactId', description: "is not a contact of the ticket's account" },
      ]);
    return account;
  }
}

/** Who writes the customer's answer, and who closes unanswered tickets (recorded as updatedBy). */
const CUSTOMER: Actor = {
  userId: 'customer',
  username: 'customer (confirmation link)',
  roles: [],
  teams: [],
};
const AUTO_CLOSE: Actor = { userId: 'auto-close', username: 'auto-close', roles: [], teams: [] };
/** Who hands out new tickets by the queue's method. */
const ASSIGNMENT: Actor = { userId: 'assignment', username: 'assignment', roles: [], teams: [] };
/** A closed, reopened or answered ticket has no open link and no auto-close. */
const LOOP_DONE = { confirmation: { nonce: '', expiresAt: NEVER }, autoCloseAt: NEVER };

const afterDays = (from: Date, days: number) => new Date(from.getTime() + days * 86_400_000);

export interface CustomerConfirmation {
  ticketId: string;
  subject: string;
  resolution: string;
  status: string;
  answered: boolean;
  csatScore: number;
  expiresAt?: Date;
}

/** The link is open while the ticket still holds its nonce (resolving again issues a new one). */
function customerView(t: TicketDoc, nonce: string): CustomerConfirmation {
  return {
    ticketId: t._id,
    subject: t.subject,
    resolution: t.resolution,
    status: t.status,
    answered: !(t.status === 'resolved' && t.confirmation?.nonce === nonce),
    csatScore: t.csatScore ?? 0,
    expiresAt: t.confirmation?.nonce === nonce ? t.confirmation.expiresAt : undefined,
  };
}

function mayAnswerForCustomers(c: Caller): void {
  if (!allows(c.actor.roles, 'ticket.confirm'))
    throw new ForbiddenError('only the gateway answers for customers through confirmation links');
}

function mayRead(c: Caller): void {
  if (!allows(c.actor.roles, 'ticket.read')) throw new ForbiddenError('this role does not read tickets');
}

function mayWork(c: Caller): void {
  if (!allows(c.actor.roles, 'ticket.work')) throw new ForbiddenError('this role does not work tickets');
}

function moveFromNothing(by: string, at: Date): StatusChange {
  return { fromStatus: '', toStatus: 'new', pendingReason: '', note: '', changedBy: by, changedAt: at };
}

function statusSet(current: TicketDoc, move: StatusChange): Partial<TicketDoc> {
  return {
    status: move.toStatus as TicketStatus,
    pendingReason: move.pendingReason,
    statusHistory: [...current.statusHistory, move],
  };
}

const pickFields = (t: TicketDoc): TicketFields => ({
  accountId: t.accountId,
  contactId: t.contactId,
  subject: t.subject,
  description: t.description,
  channel: t.channel,
  category: t.category,
  priority: t.priority,
  tags: t.tags,
  links: t.links,
  attachments: t.attachments,
});
