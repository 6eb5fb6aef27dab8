import {
  type Actor,
  afterCursor,
  nextCursorOf,
  type OutboxEntry,
  pageLimit,
  saveAtVersion,
  updateEach,
} from '@crm/kit';
import { activityVisibilityFilter } from '../domain/activity';
import type { ActivityQuery, ActivityRepository } from '../application/ports';
import type { AccountModels, ActivityDoc } from './account.model';
import { stamp } from './account.repository';

const NO_OUTBOX = { outbox: 0 } as const;

/** Activities in MongoDB: queries and writes only (the rules are in src/application). */
export class MongoActivityRepository implements ActivityRepository {
  constructor(private readonly m: AccountModels) {}

  async get(id: string): Promise<ActivityDoc | undefined> {
    return (await this.m.Activity.findById(id, NO_OUTBOX).lean<ActivityDoc>()) ?? undefined;
  }

  async insert(activity: ActivityDoc): Promise<void> {
    await this.m.Activity.create(activity);
  }

  async list(q: ActivityQuery): Promise<{ activities: ActivityDoc[]; nextCursor: string }> {
    const and: Record<string, unknown>[] = [];
    const s = q.scope;
    if ('relatedTo' in s)
      and.push({ 'relatedTo.type': { $in: s.relatedTo.types }, 'relatedTo.id': s.relatedTo.id });
    else if ('accountId' in s) and.push({ accountId: s.accountId });
    else if ('opportunityId' in s) and.push({ opportunityId: s.opportunityId });
    else and.push({ assigneeId: s.assigneeId, kind: 'task' });
    const visible = q.visibleTo && activityVisibilityFilter(q.visibleTo);
    if (visible) and.push(visible);
    if (q.kinds.length) and.push({ kind: { $in: q.kinds } });
    if (q.openTasksOnly) and.push({ kind: 'task', done: false });
    if (q.dueFrom) and.push({ dueAt: { $gte: q.dueFrom } });
    if (q.dueTo) and.push({ dueAt: { $lt: q.dueTo } });
    if (q.cursor) and.push(afterCursor(q.cursor, 'at', q.descending, 'date'));
    const limit = pageLimit(q.limit);
    const dir = q.descending ? -1 : 1;
    const docs = await this.m.Activity.find({ $and: and }, NO_OUTBOX)
      .sort({ at: dir, _id: dir })
      .limit(limit + 1)
      .lean<ActivityDoc[]>();
    const { page, nextCursor } = nextCursorOf(docs, limit, (d) => d.at);
    return { activities: page, nextCursor };
  }

  save(
    current: ActivityDoc,
    set: Partial<ActivityDoc>,
    actor: Actor,
    events: (next: ActivityDoc) => OutboxEntry[],
  ): Promise<ActivityDoc> {
    return saveAtVersion(this.m.Activity, current, set, actor, events);
  }

  async moveToAccount(fromAccountId: string, toAccountId: string, actor: Actor): Promise<number> {
    const moved = await updateEach(
      this.m.Activity,
      { accountId: fromAccountId },
      { $set: { accountId: toAccountId, ...stamp(actor) }, $inc: { version: 1 } },
    );
    // Activities about the merged account itself now are about the survivor.
    await updateEach(
      this.m.Activity,
      { 'relatedTo.type': 'account', 'relatedTo.id': fromAccountId },
      { $set: { 'relatedTo.id': toAccountId } },
    );
    return moved;
  }
}
