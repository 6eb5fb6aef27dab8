import type { Actor, OutboxEntry } from '@crm/kit';
import type { ActivityQuery, ActivityRepository } from '../../src/application/ports';
import { canSeeActivity } from '../../src/domain/activity';
import type { ActivityDoc } from '../../src/store/account.model';
import { type InMemoryDatabase, moved } from './in-memory-accounts';
import { pageOf } from './in-memory-records';

export class InMemoryActivityRepository implements ActivityRepository {
  constructor(private readonly db: InMemoryDatabase) {}

  async get(id: string) {
    return this.db.activities.get(id);
  }

  async insert(activity: ActivityDoc) {
    this.db.activities.insert(activity);
  }

  async list(q: ActivityQuery) {
    const s = q.scope;
    const inScope = (a: ActivityDoc) =>
      'relatedTo' in s
        ? s.relatedTo.types.includes(a.relatedTo.type) && a.relatedTo.id === s.relatedTo.id
        : 'accountId' in s
          ? a.accountId === s.accountId
          : 'opportunityId' in s
            ? a.opportunityId === s.opportunityId
            : a.assigneeId === s.assigneeId && a.kind === 'task';
    const found = this.db.activities
      .all()
      .filter(
        (a) =>
          inScope(a) &&
          (!q.visibleTo || canSeeActivity(q.visibleTo, a)) &&
          (!q.kinds.length || q.kinds.includes(a.kind)) &&
          (!q.openTasksOnly || (a.kind === 'task' && !a.done)) &&
          (!q.dueFrom || (!!a.dueAt && a.dueAt >= q.dueFrom)) &&
          (!q.dueTo || (!!a.dueAt && a.dueAt < q.dueTo)),
      );
    const { page, nextCursor } = pageOf(found, (a) => a.at, 'date', q);
    return { activities: page, nextCursor };
  }

  async save(
    current: ActivityDoc,
    set: Partial<ActivityDoc>,
    actor: Actor,
    events: (next: ActivityDoc) => OutboxEntry[],
  ) {
    return this.db.activities.save(current, set, actor, events);
  }

  async moveToAccount(fromAccountId: string, toAccountId: string, actor: Actor) {
    const all = this.db.activities.all();
    const moving = all.filter((a) => a.accountId === fromAccountId);
    for (const a of moving)
      this.db.activities.patch(a._id, (x) => ({ accountId: toAccountId, ...moved(x, actor) }));
    for (const a of all.filter((x) => x.relatedTo.type === 'account' && x.relatedTo.id === fromAccountId))
      this.db.activities.patch(a._id, (x) => ({ relatedTo: { ...x.relatedTo, id: toAccountId } }));
    return moving.length;
  }
}
