import type { account as pb } from '@crm/proto';
import { operation, type Operation, type Reply } from '../api/operation';
import { IdParams } from '../accounts/schemas';
import { HttpProblem } from '../http/problem';
import { changesSomething } from '../http/validate';
import { dueWindow, isTimeZone } from './due';
import { activityInputToProto, activityPatchToProto, activityToJson, kindToProto } from './mapping';
import { Activity, ActivityList, ActivityListQuery, CreateActivityBody, PatchActivityBody } from './schemas';

const activityReply = (a: pb.Activity, status = 200): Reply => ({
  status,
  body: activityToJson(a),
  etag: a.version,
});
const theActivity = { 200: { description: 'The activity', schema: Activity, headers: ['ETag' as const] } };

/** Tasks and logged calls, visits and meetings (hosted by the account service). */
export const activityOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/activities',
    operationId: 'createActivity',
    tag: 'Activities',
    summary: 'Create a task or log a call, visit or meeting',
    description:
      'The activity belongs to a lead, account, contact or opportunity (relatedTo), which must exist and ' +
      'be visible to the caller: an unknown record and one the caller may not see are both 404 (a lead is ' +
      'checked with the lead service, an opportunity with the opportunity service). An activity about an ' +
      'opportunity is filed under the deal’s account. An activity on an account or contact may name the ' +
      'deal it is about (opportunityId): a deal of another account is 400. ' +
      'A logged activity may be dated at most one day ahead (occurredAt).',
    permission: 'account.use',
    body: CreateActivityBody,
    idempotent: true,
    responses: { 201: { description: 'Created', schema: Activity, headers: ['ETag', 'Location'] } },
    errors: [404],
    async handler({ body, actor, call, deps }) {
      const a = await call((o) =>
        deps.clients.account.createActivity({ activity: activityInputToProto(body, actor.userId) }, o),
      );
      return { ...activityReply(a, 201), location: `/api/v1/activities/${encodeURIComponent(a.id)}` };
    },
  }),
  operation({
    method: 'get',
    path: '/activities',
    operationId: 'listActivities',
    tag: 'Activities',
    summary: 'List activities',
    description:
      'Give exactly one of relatedTo=<id> (one record’s history), accountId=<id> (an account with its ' +
      'contacts) or assignee=<user id or me> (a task list, e.g. with due=today or due=overdue). ' +
      'relatedTo=<deal id>&relatedType=opportunity is the deal’s history: the activities about it and ' +
      'those that name it (opportunityId), for whoever sees the deal (its deal team too); 404 otherwise.',
    permission: 'account.use',
    query: ActivityListQuery,
    responses: { 200: { description: 'A page of activities', schema: ActivityList } },
    errors: [404],
    async handler({ query: q, actor, call, deps }) {
      const scopes = [q.relatedTo, q.accountId, q.assignee].filter(Boolean).length;
      if (scopes !== 1)
        throw new HttpProblem(400, 'Give exactly one of relatedTo, accountId or assignee.', {
          errors: [{ field: 'query.relatedTo', message: 'exactly one of relatedTo, accountId, assignee' }],
        });
      if (q.relatedType && !q.relatedTo)
        throw new HttpProblem(400, 'relatedType needs relatedTo.', {
          errors: [{ field: 'query.relatedType', message: 'needs relatedTo' }],
        });
      if (q.tz && !isTimeZone(q.tz))
        throw new HttpProblem(400, 'Unknown time zone.', {
          errors: [{ field: 'query.tz', message: 'not an IANA time zone' }],
        });
      const window = q.due ? dueWindow(q.due, new Date(), q.tz ?? 'UTC') : undefined;
      const reply = await call((o) =>
        deps.clients.account.listActivities(
          {
            relatedTo: q.relatedTo ? { type: q.relatedType ?? '', id: q.relatedTo } : undefined,
            accountId: q.accountId ?? '',
            assigneeId: q.assignee === 'me' ? actor.userId : (q.assignee ?? ''),
            kinds: q.type.map(kindToProto),
            // Due lists are about work still to do.
            openOnly: q.open === 'true' || !!q.due,
            dueFrom: window?.from,
            dueTo: window?.to,
            // Task lists read soonest first, histories newest first.
            sort: q.sort ?? (q.due ? 'at' : '-at'),
            page: { limit: q.limit, cursor: q.cursor ?? '' },
          },
          o,
        ),
      );
      return {
        body: { items: reply.activities.map(activityToJson), nextCursor: reply.page?.nextCursor || null },
      };
    },
  }),
  operation({
    method: 'get',
    path: '/activities/{id}',
    operationId: 'getActivity',
    tag: 'Activities',
    summary: 'Get an activity',
    description: 'The activity; the ETag carries its version for If-Match.',
    permission: 'account.use',
    params: IdParams,
    responses: theActivity,
    async handler({ params, call, deps }) {
      return activityReply(await call((o) => deps.clients.account.getActivity({ id: params.id }, o)));
    },
  }),
  operation({
    method: 'patch',
    path: '/activities/{id}',
    operationId: 'updateActivity',
    tag: 'Activities',
    summary: 'Update an activity',
    description: 'Changes the fields present in the body; done: true completes a task, false reopens it.',
    permission: 'account.use',
    params: IdParams,
    body: PatchActivityBody,
    ifMatch: true,
    responses: theActivity,
    async handler({ params, body, actor, call, deps, expectedVersion }) {
      if (!changesSomething(body)) throw new HttpProblem(400, 'The patch changes nothing.');
      const a = await call((o) =>
        deps.clients.account.updateActivity(
          {
            id: params.id,
            expectedVersion: expectedVersion(),
            patch: activityPatchToProto(body, actor.userId),
          },
          o,
        ),
      );
      return activityReply(a);
    },
  }),
];
