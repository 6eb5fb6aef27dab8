import { Router, type Response } from 'express';
import type { z } from 'zod';
import { account as pb } from '@crm/proto';
import { ROLES, requireRole } from '../auth';
import { IdParams } from '../accounts/schemas';
import { expectedVersion, setEtag } from '../http/etag';
import { idempotent } from '../http/idempotent';
import { HttpProblem } from '../http/problem';
import { validate } from '../http/validate';
import type { RouteDeps } from '../route-deps';
import { dueWindow, isTimeZone } from './due';
import { activityInputToProto, activityPatchToProto, activityToJson, kindToProto } from './mapping';
import { ActivityListQuery, CreateActivityBody, PatchActivityBody } from './schemas';

/** Tasks and logged calls, visits and meetings (hosted by the account service). */
export function activityRoutes(deps: RouteDeps): Router {
  const r = Router();
  const client = () => deps.clients.account;
  const { opts, call, actor: actorOf } = deps.rpc;
  const users = requireRole(...ROLES.accountUsers);
  const send = (res: Response, a: pb.Activity, status = 200) => {
    setEtag(res, a.version);
    res.status(status).json(activityToJson(a));
  };

  r.post(
    '/activities',
    users,
    validate({ body: CreateActivityBody }),
    idempotent(deps.idempotency, 'POST /activities'),
    async (req, res) => {
      const body = res.locals.body as z.infer<typeof CreateActivityBody>;
      const a = await call(req, () =>
        client().createActivity({ activity: activityInputToProto(body, actorOf(req).userId) }, opts(req)),
      );
      res.setHeader('Location', `/api/v1/activities/${encodeURIComponent(a.id)}`);
      send(res, a, 201);
    },
  );

  r.get('/activities', users, validate({ query: ActivityListQuery }), async (req, res) => {
    const q = res.locals.query as z.infer<typeof ActivityListQuery>;
    const me = actorOf(req).userId;
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
    const reply = await call(req, () =>
      client().listActivities(
        {
          relatedTo: q.relatedTo ? { type: q.relatedType ?? '', id: q.relatedTo } : undefined,
          accountId: q.accountId ?? '',
          assigneeId: q.assignee === 'me' ? me : (q.assignee ?? ''),
          kinds: q.type.map(kindToProto),
          // Due lists are about work still to do.
          openOnly: q.open === 'true' || !!q.due,
          dueFrom: window?.from,
          dueTo: window?.to,
          // Task lists read soonest first, histories newest first.
          sort: q.sort ?? (q.due ? 'at' : '-at'),
          page: { limit: q.limit, cursor: q.cursor ?? '' },
        },
        opts(req),
      ),
    );
    res.json({ items: reply.activities.map(activityToJson), nextCursor: reply.page?.nextCursor || null });
  });

  r.get('/activities/:id', users, validate({ params: IdParams }), async (req, res) => {
    const { id } = res.locals.params as z.infer<typeof IdParams>;
    send(res, await call(req, () => client().getActivity({ id }, opts(req))));
  });

  r.patch(
    '/activities/:id',
    users,
    validate({ params: IdParams, body: PatchActivityBody }),
    async (req, res) => {
      const { id } = res.locals.params as z.infer<typeof IdParams>;
      const body = res.locals.body as z.infer<typeof PatchActivityBody>;
      if (!Object.values(body).some((v) => v !== undefined))
        throw new HttpProblem(400, 'The patch changes nothing.');
      const expected = expectedVersion(req);
      send(
        res,
        await call(req, () =>
          client().updateActivity(
            { id, expectedVersion: expected, patch: activityPatchToProto(body, actorOf(req).userId) },
            opts(req),
          ),
        ),
      );
    },
  );

  return r;
}
