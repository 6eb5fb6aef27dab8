import { randomUUID } from 'node:crypto';
import {
  changedFields,
  checkVersion,
  ConflictError,
  NotFoundError,
  retryOnVersionMismatch,
  ValidationError,
  Violations,
} from '@crm/kit';
import {
  type ActivityInput,
  type ActivityKind,
  activityAt,
  canSeeActivity,
  isLogged,
  normaliseActivityInput,
  PRIORITIES,
  type Priority,
  type RelatedRecord,
  type RelatedType,
  validOccurredAt,
} from '../domain/activity';
import type { ActivityDoc } from '../store/account.model';
import { type Accounts, mayWork } from './accounts';
import type { Contacts } from './contacts';
import type { AccountPorts, ActivityQuery, Caller } from './ports';

export interface ActivityListRequest {
  relatedTo?: { type: string; id: string };
  accountId: string;
  assigneeId: string;
  kinds: ActivityKind[];
  openOnly: boolean;
  dueFrom?: Date;
  dueTo?: Date;
  sort: string;
  limit: number;
  cursor: string;
}

export interface ActivityPatch {
  subject?: string;
  description?: string;
  dueAt?: Date;
  priority?: Priority;
  assigneeId?: string;
  done?: boolean;
  occurredAt?: Date;
  participantContactIds?: string[];
  outcome?: string;
  nextStep?: string;
}

const TRACKED: (keyof ActivityDoc)[] = [
  'subject',
  'description',
  'dueAt',
  'priority',
  'assigneeId',
  'done',
  'occurredAt',
  'participantContactIds',
  'outcome',
  'nextStep',
];
const TASK_FIELDS: (keyof ActivityPatch)[] = ['dueAt', 'priority', 'assigneeId', 'done'];
const LOGGED_FIELDS: (keyof ActivityPatch)[] = ['occurredAt', 'participantContactIds', 'outcome', 'nextStep'];

/**
 * Tasks and logged calls, visits and meetings. Activities of an account or contact are visible to whoever
 * sees the account; activities of leads and opportunities (records of other services) by their own
 * ownership (owner, assignee, team manager, admin). A logged activity or a completed task moves the
 * last-activity time of the account and the contacts involved.
 */
export class Activities {
  constructor(
    private readonly p: AccountPorts,
    private readonly accounts: Accounts,
    private readonly contacts: Contacts,
  ) {}

  private get events() {
    return this.accounts.changes.events;
  }

  async create(raw: ActivityInput, c: Caller): Promise<ActivityDoc> {
    mayWork(c);
    const input = normaliseActivityInput(raw, c.actor.userId);
    const { relatedTo, accountId } = await this.resolve(input.relatedTo, c);
    if (input.opportunityId && relatedTo.type !== 'opportunity')
      await this.requireDealOf(accountId, input.opportunityId, c);
    if (input.participantContactIds.length)
      await this.contacts.requireParticipants(input.participantContactIds, accountId, c);
    const now = new Date();
    const doc: ActivityDoc = {
      _id: randomUUID(),
      version: 1,
      ...input,
      relatedTo,
      accountId,
      done: false,
      doneAt: null,
      doneBy: '',
      ownerId: c.actor.userId,
      teamId: c.actor.teams[0] ?? '',
      at: now,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.at = activityAt(doc);
    doc.outbox = [this.events.activityLogged(doc, c.actor, c.requestId)];
    await this.p.activities.insert(doc);
    this.p.written('activity', doc._id);
    if (isLogged(doc.kind)) await this.touch(doc, doc.occurredAt ?? now);
    return doc;
  }

  async get(id: string, c: Caller): Promise<ActivityDoc> {
    mayWork(c);
    const doc = await this.p.activities.get(id);
    if (!doc || !(await this.visible(doc, c))) throw new NotFoundError('activity', id);
    return doc;
  }

  async list(q: ActivityListRequest, c: Caller): Promise<{ activities: ActivityDoc[]; nextCursor: string }> {
    mayWork(c);
    const scopes = [q.relatedTo?.id, q.accountId, q.assigneeId].filter(Boolean).length;
    if (scopes !== 1)
      throw new ValidationError([
        { field: 'relatedTo', description: 'exactly one of relatedTo, accountId or assigneeId is required' },
      ]);
    if (q.sort && q.sort !== 'at' && q.sort !== '-at')
      throw new ValidationError([{ field: 'sort', description: 'must be "at" or "-at"' }]);
    let scope: ActivityQuery['scope'];
    // Activities of an account or contact are seen through the account; others by their own ownership.
    let byOwnership = true;
    if (q.relatedTo?.type === 'opportunity') {
      // Whoever sees the deal (its deal team too) reads its whole history, whoever logged it.
      if (!(await this.opportunities().accountOf(q.relatedTo.id, c)))
        throw new NotFoundError('opportunity', q.relatedTo.id);
      scope = { opportunityId: q.relatedTo.id };
      byOwnership = false;
    } else if (q.relatedTo?.id) {
      const r = await this.resolveForRead(q.relatedTo, c);
      scope = { relatedTo: r };
      byOwnership = r.types.every((t) => t === 'lead' || t === 'opportunity');
    } else if (q.accountId) {
      scope = { accountId: (await this.accounts.get(q.accountId, c))._id };
      byOwnership = false;
    } else scope = { assigneeId: q.assigneeId };
    return this.p.activities.list({
      scope,
      visibleTo: byOwnership ? c.actor : undefined,
      kinds: q.kinds,
      openTasksOnly: q.openOnly,
      dueFrom: q.dueFrom,
      dueTo: q.dueTo,
      descending: q.sort !== 'at',
      limit: q.limit,
      cursor: q.cursor,
    });
  }

  /** Without If-Match (expected version 0) a concurrent write makes it read again: last writer wins, field by field. */
  async update(id: string, expectedVersion: number, patch: ActivityPatch, c: Caller): Promise<ActivityDoc> {
    mayWork(c);
    const once = () => this.updateOnce(id, expectedVersion, patch, c);
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  private async updateOnce(
    id: string,
    expectedVersion: number,
    patch: ActivityPatch,
    c: Caller,
  ): Promise<ActivityDoc> {
    const current = await this.get(id, c);
    checkVersion(expectedVersion, current.version);
    const set = changesOf(current, patch, c.actor.userId);
    if (set.participantContactIds?.length)
      await this.contacts.requireParticipants(set.participantContactIds, current.accountId, c);
    const completes = patch.done === true && !current.done;
    if (completes) Object.assign(set, { done: true, doneAt: new Date(), doneBy: c.actor.userId });
    if (patch.done === false && current.done) Object.assign(set, { done: false, doneAt: null, doneBy: '' });
    set.at = activityAt({ ...current, ...set });
    const next = await this.p.activities.save(current, set, c.actor, (n) => {
      const changed = changedFields(current, n, TRACKED);
      const events = changed.length ? [this.events.activityUpdated(n, changed, c.actor, c.requestId)] : [];
      if (completes) events.push(this.events.taskCompleted(n, c.actor, c.requestId));
      return events;
    });
    this.p.written('activity', id);
    if (completes) await this.touch(next, next.doneAt ?? new Date());
    else if (isLogged(next.kind) && set.occurredAt) await this.touch(next, set.occurredAt);
    return next;
  }

  async complete(id: string, expectedVersion: number, c: Caller): Promise<ActivityDoc> {
    const current = await this.get(id, c);
    if (current.kind !== 'task')
      throw new ConflictError(`a ${current.kind} is not a task; only tasks are completed`);
    checkVersion(expectedVersion, current.version);
    if (current.done) return current;
    return this.update(id, current.version, { done: true }, c);
  }

  /**
   * The record must exist and the caller must see it: accounts and contacts here, leads and
   * opportunities asked of the service owning them. A type no service answers for yet is refused.
   */
  private async resolve(
    r: RelatedRecord,
    c: Caller,
  ): Promise<{ relatedTo: RelatedRecord; accountId: string }> {
    if (r.type === 'account') {
      const account = await this.accounts.get(r.id, c);
      return { relatedTo: { type: 'account', id: account._id }, accountId: account._id };
    }
    if (r.type === 'contact') {
      const { contact, account } = await this.contacts.get(r.id, c);
      return { relatedTo: { type: 'contact', id: contact._id }, accountId: account._id };
    }
    if (r.type === 'opportunity') {
      // Filed under the deal's account, so the account's history and overview show it too.
      const dealAccountId = await this.opportunities().accountOf(r.id, c);
      if (!dealAccountId) throw new NotFoundError('opportunity', r.id);
      return { relatedTo: r, accountId: dealAccountId };
    }
    const check = this.p.related[r.type];
    if (!check)
      throw new ValidationError([
        { field: 'relatedTo.type', description: `activities cannot be logged on ${r.type} records yet` },
      ]);
    // Unknown and invisible answer alike, so an activity tells nothing about others' records.
    if (!(await check.isVisible(r.id, c))) throw new NotFoundError(r.type, r.id);
    return { relatedTo: r, accountId: '' };
  }

  /** The deal named next to an account or contact must be visible (404) and of that account (400). */
  private async requireDealOf(accountId: string, opportunityId: string, c: Caller): Promise<void> {
    const dealAccountId = await this.opportunities().accountOf(opportunityId, c);
    if (!dealAccountId) throw new NotFoundError('opportunity', opportunityId);
    if (dealAccountId !== accountId)
      throw new ValidationError([
        { field: 'opportunityId', description: 'is a deal of another account than the activity' },
      ]);
  }

  private opportunities() {
    const check = this.p.opportunities;
    if (!check)
      throw new ValidationError([
        { field: 'relatedTo.type', description: 'activities cannot be logged on opportunity records yet' },
      ]);
    return check;
  }

  /**
   * What a relatedTo filter means for this caller. Without a type, the id is looked up as an account, then
   * as a contact, else taken as a record of another service (filtered by activity ownership).
   */
  private async resolveForRead(
    r: { type: string; id: string },
    c: Caller,
  ): Promise<{ types: RelatedType[]; id: string }> {
    const type = r.type || (await this.typeOf(r.id));
    if (type === 'account') return { types: ['account'], id: (await this.accounts.get(r.id, c))._id };
    if (type === 'contact') return { types: ['contact'], id: (await this.contacts.get(r.id, c)).contact._id };
    if (type && type !== 'lead' && type !== 'opportunity')
      throw new ValidationError([
        { field: 'relatedTo.type', description: 'must be one of lead, account, contact, opportunity' },
      ]);
    return { types: type ? [type as RelatedType] : ['lead', 'opportunity'], id: r.id };
  }

  /** 'account' or 'contact' when the id is one of this service's (merged or discarded too), else ''. */
  private async typeOf(id: string): Promise<string> {
    if (await this.p.accounts.get(id)) return 'account';
    return (await this.p.contacts.get(id)) ? 'contact' : '';
  }

  private async visible(doc: ActivityDoc, c: Caller): Promise<boolean> {
    if (canSeeActivity(c.actor, doc)) return true;
    return !!doc.accountId && (await this.accounts.isVisible(doc.accountId, c));
  }

  /** Moves lastActivityAt of the account and of the contacts involved. */
  private async touch(doc: ActivityDoc, at: Date): Promise<void> {
    if (doc.accountId) await this.p.accounts.touchActivity(doc.accountId, at);
    const contactIds = new Set(doc.participantContactIds ?? []);
    if (doc.relatedTo.type === 'contact') contactIds.add(doc.relatedTo.id);
    for (const id of contactIds) await this.p.contacts.touchActivity(id, at);
  }
}

/** The validated changes of a patch; fields of the other kind (a task's due date on a call) are refused. */
function changesOf(current: ActivityDoc, patch: ActivityPatch, actorId: string): Partial<ActivityDoc> {
  const v = new Violations();
  const wrong = current.kind === 'task' ? LOGGED_FIELDS : TASK_FIELDS;
  for (const f of wrong) if (patch[f] !== undefined) v.add(f, `does not apply to a ${current.kind}`);
  const set: Partial<ActivityDoc> = {};
  const t = (s: string) => s.trim();
  if (patch.subject !== undefined) {
    set.subject = t(patch.subject);
    if (!set.subject) v.add('subject', 'is required');
    else if (set.subject.length > 300) v.add('subject', 'must be at most 300 characters');
  }
  if (patch.description !== undefined) set.description = t(patch.description);
  if (patch.dueAt !== undefined) set.dueAt = patch.dueAt;
  if (patch.priority !== undefined) {
    if (!PRIORITIES.includes(patch.priority)) v.add('priority', `must be one of ${PRIORITIES.join(', ')}`);
    set.priority = patch.priority;
  }
  if (patch.assigneeId !== undefined) set.assigneeId = t(patch.assigneeId) || actorId;
  if (patch.occurredAt !== undefined) set.occurredAt = validOccurredAt(patch.occurredAt, v);
  if (patch.outcome !== undefined) set.outcome = t(patch.outcome);
  if (patch.nextStep !== undefined) set.nextStep = t(patch.nextStep);
  if (patch.participantContactIds !== undefined) {
    set.participantContactIds = [...new Set(patch.participantContactIds.map(t).filter(Boolean))];
    if (set.participantContactIds.length > 100) v.add('participantContactIds', 'at most 100 participants');
  }
  v.throwIfAny();
  return set;
}
