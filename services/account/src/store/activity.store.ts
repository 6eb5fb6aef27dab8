import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, updateExclusively, ValidationError, Violations } from '@crm/kit';
import {
  type ActivityInput,
  type ActivityKind,
  activityAt,
  activityVisibilityFilter,
  canSeeActivity,
  isLogged,
  normaliseActivityInput,
  PRIORITIES,
  type Priority,
  type RelatedRecord,
} from '../domain/activity';
import { AccountEvents } from '../events/account-events';
import type { ActivityDoc } from './account.model';
import type { AccountStore } from './account.store';
import type { ContactStore } from './contact.store';
import {
  afterCursor,
  type Caller,
  casSave,
  changedFields,
  checkVersion,
  encodeCursor,
  pageLimit,
} from './common';

export interface ActivityListQuery {
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
 * ownership (owner, assignee, team manager, admin).
 */
export class ActivityStore {
  private readonly m: AccountStore['m'];

  constructor(
    private readonly accounts: AccountStore,
    private readonly contacts: ContactStore,
    private readonly onWrite: (model: 'activity', id: string) => void = () => undefined,
  ) {
    this.m = accounts.m;
  }

  async create(raw: ActivityInput, c: Caller): Promise<ActivityDoc> {
    const input = normaliseActivityInput(raw, c.actor.userId);
    const { relatedTo, accountId } = await this.resolve(input.relatedTo, c);
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
    doc.outbox = [AccountEvents.activityLogged(doc, c.actor, c.requestId)];
    await this.m.Activity.create(doc);
    this.onWrite('activity', doc._id);
    if (isLogged(doc.kind)) await this.touch(doc, doc.occurredAt ?? now);
    return doc;
  }

  async get(id: string, c: Caller): Promise<ActivityDoc> {
    const doc = await this.m.Activity.findById(id, { outbox: 0 }).lean<ActivityDoc>();
    if (!doc || !(await this.visible(doc, c))) throw new NotFoundError('activity', id);
    return doc;
  }

  async list(q: ActivityListQuery, c: Caller): Promise<{ activities: ActivityDoc[]; nextCursor: string }> {
    const scopes = [q.relatedTo?.id, q.accountId, q.assigneeId].filter(Boolean).length;
    if (scopes !== 1)
      throw new ValidationError([
        { field: 'relatedTo', description: 'exactly one of relatedTo, accountId or assigneeId is required' },
      ]);
    const and: Record<string, unknown>[] = [];
    if (q.relatedTo?.id) {
      const r = await this.resolveForRead(q.relatedTo, c);
      and.push(r.filter);
      if (r.byOwnership) {
        const f = activityVisibilityFilter(c.actor);
        if (f) and.push(f);
      }
    } else if (q.accountId) {
      const account = await this.accounts.get(q.accountId, c);
      and.push({ accountId: account._id });
    } else {
      and.push({ assigneeId: q.assigneeId, kind: 'task' });
      const f = activityVisibilityFilter(c.actor);
      if (f) and.push(f);
    }
    if (q.kinds.length) and.push({ kind: { $in: q.kinds } });
    if (q.openOnly) and.push({ kind: 'task', done: false });
    if (q.dueFrom) and.push({ dueAt: { $gte: q.dueFrom } });
    if (q.dueTo) and.push({ dueAt: { $lt: q.dueTo } });
    if (q.sort && q.sort !== 'at' && q.sort !== '-at')
      throw new ValidationError([{ field: 'sort', description: 'must be "at" or "-at"' }]);
    const desc = q.sort !== 'at';
    if (q.cursor) and.push(afterCursor(q.cursor, 'at', desc, true));
    const limit = pageLimit(q.limit);
    const dir = desc ? -1 : 1;
    const docs = await this.m.Activity.find({ $and: and }, { outbox: 0 })
      .sort({ at: dir, _id: dir })
      .limit(limit + 1)
      .lean<ActivityDoc[]>();
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return {
      activities: page,
      nextCursor: docs.length > limit && last ? encodeCursor(last.at, last._id) : '',
    };
  }

  async update(id: string, expectedVersion: number, patch: ActivityPatch, c: Caller): Promise<ActivityDoc> {
    const current = await this.get(id, c);
    checkVersion(expectedVersion, current.version);
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
    if (patch.assigneeId !== undefined) {
      set.assigneeId = t(patch.assigneeId) || c.actor.userId;
    }
    if (patch.occurredAt !== undefined) set.occurredAt = patch.occurredAt;
    if (patch.outcome !== undefined) set.outcome = t(patch.outcome);
    if (patch.nextStep !== undefined) set.nextStep = t(patch.nextStep);
    if (patch.participantContactIds !== undefined) {
      set.participantContactIds = [...new Set(patch.participantContactIds.map(t).filter(Boolean))];
      if (set.participantContactIds.length > 100) v.add('participantContactIds', 'at most 100 participants');
    }
    v.throwIfAny();
    if (set.participantContactIds?.length)
      await this.contacts.requireParticipants(set.participantContactIds, current.accountId, c);
    const completes = patch.done === true && !current.done;
    if (patch.done === true && !current.done)
      Object.assign(set, { done: true, doneAt: new Date(), doneBy: c.actor.userId });
    if (patch.done === false && current.done) Object.assign(set, { done: false, doneAt: null, doneBy: '' });
    set.at = activityAt({ ...current, ...set });
    const next = await casSave(this.m.Activity, current, set, c, (n) => {
      const changed = changedFields(current, n, TRACKED);
      const events = changed.length ? [AccountEvents.activityUpdated(n, changed, c.actor, c.requestId)] : [];
      if (completes) events.push(AccountEvents.taskCompleted(n, c.actor, c.requestId));
      return events;
    });
    this.onWrite('activity', id);
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

  /** Accounts and contacts must exist and be visible; lead and opportunity ids belong to other services. */
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
    return { relatedTo: r, accountId: '' };
  }

  /**
   * What a relatedTo filter means for this caller. Without a type, the id is looked up as an account, then
   * as a contact, else taken as a record of another service (filtered by activity ownership).
   */
  private async resolveForRead(
    r: { type: string; id: string },
    c: Caller,
  ): Promise<{ filter: Record<string, unknown>; byOwnership: boolean }> {
    let type = r.type;
    if (!type) {
      if (await this.m.Account.exists({ _id: r.id })) type = 'account';
      else if (await this.m.Contact.exists({ _id: r.id })) type = 'contact';
    }
    if (type === 'account') {
      const account = await this.accounts.get(r.id, c);
      return { filter: { 'relatedTo.type': type, 'relatedTo.id': account._id }, byOwnership: false };
    }
    if (type === 'contact') {
      const { contact } = await this.contacts.get(r.id, c);
      return { filter: { 'relatedTo.type': type, 'relatedTo.id': contact._id }, byOwnership: false };
    }
    if (type && !['lead', 'opportunity'].includes(type))
      throw new ValidationError([
        { field: 'relatedTo.type', description: 'must be one of lead, account, contact, opportunity' },
      ]);
    const types = type ? [type] : ['lead', 'opportunity'];
    return { filter: { 'relatedTo.type': { $in: types }, 'relatedTo.id': r.id }, byOwnership: true };
  }

  private async visible(doc: ActivityDoc, c: Caller): Promise<boolean> {
    if (canSeeActivity(c.actor, doc)) return true;
    return !!doc.accountId && (await this.accounts.canSeeAccount(doc.accountId, c));
  }

  /** Moves lastActivityAt of the account and of the contacts involved. */
  private async touch(doc: ActivityDoc, at: Date): Promise<void> {
    if (doc.accountId) await this.accounts.touchActivity(doc.accountId, at);
    const contactIds = new Set(doc.participantContactIds ?? []);
    if (doc.relatedTo.type === 'contact') contactIds.add(doc.relatedTo.id);
    for (const id of contactIds) {
      await updateExclusively(this.m.Contact, id, { $max: { lastActivityAt: at } });
    }
  }
}
