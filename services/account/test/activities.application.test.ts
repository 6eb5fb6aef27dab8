import { ConflictError, NotFoundError, ValidationError, VersionMismatchError } from '@crm/kit';
import type { ActivityInput } from '../src/domain/activity';
import {
  type AccountApp,
  accountApp,
  as,
  newAccount,
  newContact,
  plain,
  users,
} from './support/account-use-cases';
import { newActivity } from './support/inputs';

let app: AccountApp;
let accountId: string;
let contactId: string;
beforeEach(async () => {
  app = await accountApp();
  accountId = (await app.accounts.create(newAccount('Acme'), plain, as('rep1'))).account._id;
  contactId = (await app.contacts.create(accountId, newContact('Li'), false, '', as('rep1'))).contact._id;
});

const activity = (over: Partial<ActivityInput>) =>
  newActivity({ relatedTo: { type: 'account', id: accountId }, ...over });
const day = (d: number) => new Date(Date.UTC(2025, 11, d, 9));

describe('the record an activity is about', () => {
  const onLead = (id: string) => activity({ relatedTo: { type: 'lead', id } });

  it("must exist and be visible to the caller: another rep's lead answers like an unknown one", async () => {
    app.leads.set('lead-2', { ownerId: users.rep2.userId, teamId: 'team-west' });
    await expect(app.activities.create(onLead('lead-2'), as('rep1'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.activities.create(onLead('no-such-lead'), as('rep1'))).rejects.toThrow(
      'lead no-such-lead not found',
    );
    const logged = await app.activities.create(onLead('lead-2'), as('rep2'));
    expect(logged).toMatchObject({ relatedTo: { type: 'lead', id: 'lead-2' }, createdBy: users.rep2.userId });
    expect(app.db.activities.subjects()).toEqual(['ActivityLogged']);
  });

  it('about a deal: filed under the deal’s account, so the account’s history shows it', async () => {
    app.deals.set('deal-1', { ownerId: users.rep1.userId, teamId: 'team-east', accountId });
    const onDeal = activity({ relatedTo: { type: 'opportunity', id: 'deal-1' } });
    const logged = await app.activities.create(onDeal, as('rep1'));
    expect(logged).toMatchObject({ accountId, opportunityId: 'deal-1' });
    const ofAccount = await app.activities.list(list({ accountId }), as('rep1'));
    expect(ofAccount.activities.map((a) => a._id)).toEqual([logged._id]);
  });

  it('a deal the caller cannot see answers like an unknown one (404)', async () => {
    app.deals.set('deal-2', { ownerId: users.rep2.userId, teamId: 'team-west', accountId });
    for (const id of ['deal-2', 'no-such-deal']) {
      await expect(
        app.activities.create(activity({ relatedTo: { type: 'opportunity', id } }), as('rep1')),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(app.activities.create(activity({ opportunityId: id }), as('rep1'))).rejects.toThrow(
        `opportunity ${id} not found`,
      );
    }
    expect(app.db.activities.all()).toEqual([]);
  });

  it('a deal named next to an account must be a deal of that account (400 naming opportunityId)', async () => {
    const otherId = (await app.accounts.create(newAccount('Globex'), plain, as('rep1'))).account._id;
    app.deals.set('deal-globex', { ownerId: users.rep1.userId, teamId: 'team-east', accountId: otherId });
    app.deals.set('deal-acme', { ownerId: users.rep1.userId, teamId: 'team-east', accountId });
    await expect(
      app.activities.create(activity({ opportunityId: 'deal-globex' }), as('rep1')),
    ).rejects.toThrow('opportunityId: is a deal of another account than the activity');
    const onContact = activity({ relatedTo: { type: 'contact', id: contactId }, opportunityId: 'deal-acme' });
    expect(await app.activities.create(onContact, as('rep1'))).toMatchObject({
      relatedTo: { type: 'contact', id: contactId },
      opportunityId: 'deal-acme',
    });
  });

  it('a lead activity names no deal, and a deal activity no other deal', async () => {
    app.leads.set('lead-1', { ownerId: users.rep1.userId, teamId: 'team-east' });
    app.deals.set('deal-1', { ownerId: users.rep1.userId, teamId: 'team-east', accountId });
    const tries = [
      activity({ relatedTo: { type: 'lead', id: 'lead-1' }, opportunityId: 'deal-1' }),
      activity({ relatedTo: { type: 'opportunity', id: 'deal-1' }, opportunityId: 'deal-9' }),
    ];
    for (const input of tries)
      await expect(app.activities.create(input, as('rep1'))).rejects.toBeInstanceOf(ValidationError);
  });

  it("a deal's history lists what was logged on it or named it, for whoever sees the deal", async () => {
    app.deals.set('deal-1', {
      ownerId: users.rep1.userId,
      teamId: 'team-east',
      accountId,
      memberIds: [users.rep2.userId],
    });
    const onDeal = await app.activities.create(
      activity({ relatedTo: { type: 'opportunity', id: 'deal-1' }, occurredAt: day(2) }),
      as('rep1'),
    );
    const named = await app.activities.create(
      activity({ opportunityId: 'deal-1', occurredAt: day(1) }),
      as('rep1'),
    );
    await app.activities.create(activity({ occurredAt: day(3) }), as('rep1'));
    const byDeal = list({ relatedTo: { type: 'opportunity', id: 'deal-1' } });
    // rep2 is on the deal team but does not see the account: the deal's history is theirs to read.
    const seen = await app.activities.list(byDeal, as('rep2'));
    expect(seen.activities.map((a) => a._id)).toEqual([onDeal._id, named._id]);
    app.deals.set('deal-1', { ownerId: users.rep1.userId, teamId: 'team-east', accountId });
    await expect(app.activities.list(byDeal, as('rep2'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a logged activity is dated at most a day ahead, also when edited', async () => {
    const in2099 = new Date('2099-01-01T00:00:00Z');
    await expect(app.activities.create(activity({ occurredAt: in2099 }), as('rep1'))).rejects.toBeInstanceOf(
      ValidationError,
    );
    const call = await app.activities.create(activity({ occurredAt: day(1) }), as('rep1'));
    await expect(
      app.activities.update(call._id, 0, { occurredAt: in2099 }, as('rep1')),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await app.accounts.get(accountId, as('rep1'))).lastActivityAt).toEqual(day(1));
  });
});

describe('logged calls, visits and meetings', () => {
  it('logging a visit moves the last activity of the account and of the contacts who took part', async () => {
    const visit = await app.activities.create(
      activity({ kind: 'visit', occurredAt: day(3), participantContactIds: [contactId] }),
      as('rep1'),
    );
    expect(visit).toMatchObject({ accountId, ownerId: users.rep1.userId, createdBy: users.rep1.userId });
    expect((await app.accounts.get(accountId, as('rep1'))).lastActivityAt).toEqual(day(3));
    expect((await app.contacts.get(contactId, as('rep1'))).contact.lastActivityAt).toEqual(day(3));
    // an earlier call does not move it back, and the account's version stays (no If-Match goes stale)
    await app.activities.create(activity({ occurredAt: day(1) }), as('rep1'));
    expect(await app.accounts.get(accountId, as('rep1'))).toMatchObject({
      lastActivityAt: day(3),
      version: 2,
    });
    expect(app.db.activities.subjects()).toEqual(['ActivityLogged', 'ActivityLogged']);
  });

  it('participants must be contacts of the account; task fields do not apply to a call', async () => {
    const other = (await app.accounts.create(newAccount('Globex'), plain, as('rep1'))).account._id;
    const outsider = (await app.contacts.create(other, newContact('Out'), false, '', as('rep1'))).contact._id;
    await expect(
      app.activities.create(activity({ participantContactIds: [outsider] }), as('rep1')),
    ).rejects.toBeInstanceOf(ValidationError);
    const call = await app.activities.create(activity({}), as('rep1'));
    await expect(app.activities.update(call._id, 0, { dueAt: day(9) }, as('rep1'))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(app.activities.complete(call._id, 0, as('rep1'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('activities of a contact are visible to whoever sees its account, not to another rep', async () => {
    const call = await app.activities.create(
      activity({ relatedTo: { type: 'contact', id: contactId } }),
      as('rep1'),
    );
    expect(call.accountId).toBe(accountId);
    await expect(app.activities.get(call._id, as('rep2'))).rejects.toBeInstanceOf(NotFoundError);
    expect((await app.activities.get(call._id, as('manager')))._id).toBe(call._id);
    await expect(
      app.activities.create(activity({ relatedTo: { type: 'account', id: accountId } }), as('rep2')),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('tasks', () => {
  it('completing a task records who and when, tells TaskCompleted and moves the last activity', async () => {
    const task = await app.activities.create(
      activity({ kind: 'task', subject: 'Send quote', dueAt: day(5) }),
      as('rep1'),
    );
    expect(task).toMatchObject({
      assigneeId: users.rep1.userId,
      priority: 'normal',
      done: false,
      at: day(5),
    });
    const done = await app.activities.complete(task._id, 1, as('rep1'));
    expect(done).toMatchObject({ done: true, doneBy: users.rep1.userId, version: 2 });
    expect(app.db.activities.subjects()).toEqual(['ActivityLogged', 'ActivityUpdated', 'TaskCompleted']);
    expect((await app.accounts.get(accountId, as('rep1'))).lastActivityAt).toEqual(done.doneAt);
    // completing again changes nothing; at a stale version it is a 412
    expect((await app.activities.complete(task._id, 0, as('rep1'))).version).toBe(2);
    await expect(app.activities.complete(task._id, 1, as('rep1'))).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
  });

  it("a rep's due list: their open tasks in a due window, earliest first", async () => {
    const task = (subject: string, dueAt: Date, assigneeId = '') =>
      app.activities.create(activity({ kind: 'task', subject, dueAt, assigneeId }), as('rep1'));
    await task('late', day(20));
    await task('first', day(2));
    const second = await task('second', day(4));
    await task('for rep2', day(3), users.rep2.userId);
    const closed = await task('closed', day(3));
    await app.activities.complete(closed._id, 0, as('rep1'));
    const due = await app.activities.list(
      { ...dueList(users.rep1.userId), openOnly: true, dueTo: day(10), sort: 'at', limit: 1 },
      as('rep1'),
    );
    expect(due.activities.map((a) => a.subject)).toEqual(['first']);
    const next = await app.activities.list(
      {
        ...dueList(users.rep1.userId),
        openOnly: true,
        dueTo: day(10),
        sort: 'at',
        limit: 1,
        cursor: due.nextCursor,
      },
      as('rep1'),
    );
    expect(next.activities.map((a) => a.subject)).toEqual(['second']);
    expect(next.activities[0]?._id).toBe(second._id);
  });

  it("tasks about a lead are seen by their owner, assignee and the team's manager only", async () => {
    app.leads.set('lead-1', { ownerId: users.rep1.userId, teamId: 'team-east' });
    const assigned = await app.activities.create(
      activity({ kind: 'task', relatedTo: { type: 'lead', id: 'lead-1' }, assigneeId: users.rep2.userId }),
      as('rep1'),
    );
    const own = await app.activities.create(
      activity({ kind: 'task', relatedTo: { type: 'lead', id: 'lead-1' } }),
      as('rep1'),
    );
    const byLead = { ...dueList(''), relatedTo: { type: '', id: 'lead-1' } };
    const ids = async (who: Parameters<typeof as>[0]) =>
      (await app.activities.list(byLead, as(who))).activities.map((a) => a._id).sort();
    expect(await ids('rep2')).toEqual([assigned._id]);
    expect(await ids('manager')).toEqual([assigned._id, own._id].sort());
    await expect(app.activities.get(own._id, as('rep2'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a list needs exactly one scope and a known sort', async () => {
    await expect(app.activities.list({ ...dueList(''), accountId: '' }, as('rep1'))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      app.activities.list({ ...dueList(users.rep1.userId), sort: 'subject' }, as('rep1')),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

function dueList(assigneeId: string) {
  return { accountId: '', assigneeId, kinds: [], openOnly: false, sort: '', limit: 50, cursor: '' };
}

function list(over: { accountId?: string; relatedTo?: { type: string; id: string } }) {
  return { ...dueList(''), ...over };
}
