import type { opportunity as pb } from '@crm/proto';
import { operation, type Operation, type Reply } from '../api/operation';
import { customFieldEntries } from '../custom-fields/schemas';
import { HttpProblem } from '../http/problem';
import { changesSomething } from '../http/validate';
import type { RouteDeps } from '../route-deps';
import { directoryUsers } from '../users/directory';
import {
  CloseOpportunityBody,
  CloseOpportunityResult,
  CreateOpportunityBody,
  DealTeam,
  DealTeamBody,
  dealTeamToJson,
  IdParams,
  LossReasons,
  LossReasonsBody,
  lossReasonsToJson,
  MoveStageBody,
  Opportunity,
  OpportunityList,
  OpportunityListQuery,
  opportunityToJson,
  PatchOpportunityBody,
  patchToProto,
  Pipeline,
  PipelineBody,
  PipelineList,
  pipelineToJson,
  ReopenOpportunityBody,
} from './schemas';

const opportunityReply = (o: pb.Opportunity, status = 200): Reply => ({
  status,
  body: opportunityToJson(o),
  etag: o.version,
});
const pipelineReply = (p: pb.Pipeline, status = 200): Reply => ({
  status,
  body: pipelineToJson(p),
  etag: p.version,
});
const theOpportunity = {
  200: { description: 'The opportunity', schema: Opportunity, headers: ['ETag' as const] },
};
const thePipeline = { 200: { description: 'The pipeline', schema: Pipeline, headers: ['ETag' as const] } };

/** Pipelines (admin-configured stages) and the opportunities that move through them. */
export const opportunityOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/pipelines',
    operationId: 'listPipelines',
    tag: 'Pipelines',
    summary: 'List the pipelines',
    description: 'Every pipeline with its stages in order, the default one first.',
    permission: 'pipeline.read',
    responses: { 200: { description: 'The pipelines', schema: PipelineList } },
    async handler({ call, deps }) {
      const reply = await call((o) => deps.clients.pipeline.listPipelines({}, o));
      return { body: { items: reply.pipelines.map(pipelineToJson) } };
    },
  }),
  operation({
    method: 'post',
    path: '/pipelines',
    operationId: 'createPipeline',
    tag: 'Pipelines',
    summary: 'Create a pipeline',
    description:
      'Stages in order: open stages first, then closed ones (exactly one won at 100%, at least one lost at 0%). ' +
      'Exit criteria name the opportunity fields a deal needs before it leaves the stage.',
    permission: 'settings.write',
    body: PipelineBody,
    responses: { 201: { description: 'Created', schema: Pipeline, headers: ['ETag', 'Location'] } },
    async handler({ body, call, deps }) {
      const p = await call((o) =>
        deps.clients.pipeline.savePipeline(
          { id: '', expectedVersion: '0', name: body.name, stages: body.stages, moveDeals: {} },
          o,
        ),
      );
      return { ...pipelineReply(p, 201), location: `/api/v1/pipelines/${encodeURIComponent(p.id)}` };
    },
  }),
  operation({
    method: 'get',
    path: '/pipelines/{id}',
    operationId: 'getPipeline',
    tag: 'Pipelines',
    summary: 'Get a pipeline',
    description: 'The pipeline `default` always exists.',
    permission: 'pipeline.read',
    params: IdParams,
    responses: thePipeline,
    async handler({ params, call, deps }) {
      return pipelineReply(await call((o) => deps.clients.pipeline.getPipeline({ id: params.id }, o)));
    },
  }),
  operation({
    method: 'put',
    path: '/pipelines/{id}',
    operationId: 'replacePipeline',
    tag: 'Pipelines',
    summary: 'Replace a pipeline',
    description:
      'A removed stage that holds open deals needs `moveDeals` naming where they go (an open stage kept from ' +
      'the current pipeline; each move is recorded in the deal’s stageHistory); without it, 409.',
    permission: 'settings.write',
    params: IdParams,
    body: PipelineBody,
    ifMatch: true,
    responses: thePipeline,
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const p = await call((o) =>
        deps.clients.pipeline.savePipeline(
          { id: params.id, expectedVersion: expectedVersion(), ...body, moveDeals: body.moveDeals ?? {} },
          o,
        ),
      );
      return pipelineReply(p);
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities',
    operationId: 'createOpportunity',
    tag: 'Opportunities',
    summary: 'Create an opportunity',
    description:
      'The deal starts in the first stage of its pipeline, owned by the caller unless a manager names another.',
    permission: 'opportunity.use',
    body: CreateOpportunityBody,
    responses: { 201: { description: 'Created', schema: Opportunity, headers: ['ETag', 'Location'] } },
    async handler({ body, call, deps }) {
      const { pipelineId, sourceLeadId, ...fields } = body;
      const o = await call((opts) =>
        deps.clients.opportunity.createOpportunity(
          { fields: patchToProto(fields), pipelineId: pipelineId ?? '', sourceLeadId: sourceLeadId ?? '' },
          opts,
        ),
      );
      return { ...opportunityReply(o, 201), location: `/api/v1/opportunities/${encodeURIComponent(o.id)}` };
    },
  }),
  operation({
    method: 'get',
    path: '/opportunities',
    operationId: 'listOpportunities',
    tag: 'Opportunities',
    summary: 'List opportunities',
    description:
      'The deals the caller may see, newest first unless sorted. Filters: stage, owner, team, account, ' +
      'pipeline, expected close date range, amount range (minor units, any currency), forecast category, and ' +
      'custom fields with `cf.<key>=value` (parsed by the field type; a multi-enum field matches deals whose ' +
      'list holds the value; a date yyyy-mm-dd matches that day). A range whose end is before its start is 400.',
    permission: 'opportunity.use',
    query: OpportunityListQuery,
    customFilters: true,
    responses: { 200: { description: 'A page of opportunities', schema: OpportunityList } },
    async handler({ query: q, actor, call, deps }) {
      const reply = await call((o) =>
        deps.clients.opportunity.listOpportunities(
          {
            stageKey: q.stage ?? '',
            ownerId: q.ownerId === 'me' ? actor.userId : (q.ownerId ?? ''),
            teamId: q.teamId ?? '',
            accountId: q.accountId ?? '',
            pipelineId: q.pipelineId ?? '',
            closeDateFrom: q.closeDateFrom ?? '',
            closeDateTo: q.closeDateTo ?? '',
            amountMinMinor: q.amountMinMinor === undefined ? undefined : String(q.amountMinMinor),
            amountMaxMinor: q.amountMaxMinor === undefined ? undefined : String(q.amountMaxMinor),
            forecastCategory: q.forecastCategory ?? '',
            sort: q.sort ?? '',
            customFilters: customFieldEntries(q),
            limit: q.limit,
            cursor: q.cursor ?? '',
          },
          o,
        ),
      );
      return {
        body: { items: reply.opportunities.map(opportunityToJson), nextCursor: reply.nextCursor || null },
      };
    },
  }),
  operation({
    method: 'get',
    path: '/opportunities/{id}',
    operationId: 'getOpportunity',
    tag: 'Opportunities',
    summary: 'Get an opportunity',
    description: 'With its stage history and forecast changes; the ETag carries its version for If-Match.',
    permission: 'opportunity.use',
    params: IdParams,
    responses: theOpportunity,
    async handler({ params, call, deps }) {
      return opportunityReply(
        await call((o) => deps.clients.opportunity.getOpportunity({ id: params.id }, o)),
      );
    },
  }),
  operation({
    method: 'patch',
    path: '/opportunities/{id}',
    operationId: 'updateOpportunity',
    tag: 'Opportunities',
    summary: 'Update an opportunity',
    description:
      'Changes the fields present in the body. Amount and expected close date changes are recorded in ' +
      'forecastChanges. The stage moves with POST /opportunities/{id}/stage.',
    permission: 'opportunity.use',
    params: IdParams,
    body: PatchOpportunityBody,
    ifMatch: true,
    responses: theOpportunity,
    async handler({ params, body, call, deps, expectedVersion }) {
      if (!changesSomething(body)) throw new HttpProblem(400, 'The patch changes nothing.');
      const o = await call((opts) =>
        deps.clients.opportunity.updateOpportunity(
          { id: params.id, expectedVersion: expectedVersion(), patch: patchToProto(body) },
          opts,
        ),
      );
      return opportunityReply(o);
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/stage',
    operationId: 'moveOpportunityStage',
    tag: 'Opportunities',
    summary: 'Move an opportunity to another stage',
    description:
      'Forward or backward within its pipeline; recorded in stageHistory (from, to, who, when, days in stage). ' +
      '400: not a stage of the pipeline. 422: the current stage needs fields filled first (named in errors). ' +
      '409: the deal is closed, or the target is a closed stage (closing has its own operation).',
    permission: 'opportunity.use',
    params: IdParams,
    body: MoveStageBody,
    ifMatch: true,
    responses: theOpportunity,
    errors: [404, 409, 422],
    async handler({ params, body, call, deps, expectedVersion }) {
      const o = await call((opts) =>
        deps.clients.opportunity.moveStage(
          { id: params.id, expectedVersion: expectedVersion(), stageKey: body.stageKey },
          opts,
        ),
      );
      return opportunityReply(o);
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/close',
    operationId: 'closeOpportunity',
    tag: 'Opportunities',
    summary: 'Close an opportunity as won or lost',
    description:
      'lost: needs `lossReason`, a key of GET /loss-reasons (400 otherwise); `competitor` optional. ' +
      'won: asks the approval engine (subject `opportunity-close`); 200 when won at once, 202 ' +
      '`pending-approval` when a policy applies: the deal becomes won when the approval is given, and ' +
      'stays open (recorded in closeHistory) when it is rejected. A closed deal is read-only (409) ' +
      'until a manager reopens it; 503 when the approval engine cannot be reached.',
    permission: 'opportunity.use',
    params: IdParams,
    body: CloseOpportunityBody,
    ifMatch: true,
    responses: {
      200: { description: 'Won or lost', schema: CloseOpportunityResult, headers: ['ETag'] },
      202: { description: 'Waiting for approval', schema: CloseOpportunityResult, headers: ['ETag'] },
    },
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const r = await call((o) =>
        deps.clients.opportunity.closeOpportunity(
          {
            id: params.id,
            expectedVersion: expectedVersion(),
            outcome: body.outcome,
            lossReason: body.lossReason ?? '',
            competitor: body.competitor ?? '',
          },
          o,
        ),
      );
      const o = r.opportunity!;
      return {
        status: r.result === 'pending-approval' ? 202 : 200,
        body: { result: r.result, approvalRequestId: r.approvalRequestId, opportunity: opportunityToJson(o) },
        etag: o.version,
      };
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/reopen',
    operationId: 'reopenOpportunity',
    tag: 'Opportunities',
    summary: 'Reopen a won or lost opportunity',
    description:
      'Sales managers and admins only (403 otherwise): the deal goes back to the stage it was closed from, ' +
      'recorded in closeHistory and stageHistory. 409 when it is open.',
    permission: 'opportunity.reopen',
    params: IdParams,
    body: ReopenOpportunityBody,
    ifMatch: true,
    responses: theOpportunity,
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const o = await call((opts) =>
        deps.clients.opportunity.reopenOpportunity(
          { id: params.id, expectedVersion: expectedVersion(), reason: body.reason ?? '' },
          opts,
        ),
      );
      return opportunityReply(o);
    },
  }),
  operation({
    method: 'get',
    path: '/loss-reasons',
    operationId: 'getLossReasons',
    tag: 'Pipelines',
    summary: 'Get the loss reasons',
    description:
      'The reasons a seller picks from when closing a deal as lost (built in until an admin saves a list).',
    permission: 'pipeline.read',
    responses: { 200: { description: 'The loss reasons', schema: LossReasons, headers: ['ETag'] } },
    async handler({ call, deps }) {
      const r = await call((o) => deps.clients.opportunity.getLossReasons({}, o));
      return { body: lossReasonsToJson(r), etag: r.version };
    },
  }),
  operation({
    method: 'put',
    path: '/loss-reasons',
    operationId: 'putLossReasons',
    tag: 'Pipelines',
    summary: 'Replace the loss reasons',
    description: 'Admins only. Keys are lower-case kebab-case and unique; deals already lost keep theirs.',
    permission: 'settings.write',
    body: LossReasonsBody,
    ifMatch: true,
    responses: { 200: { description: 'The loss reasons', schema: LossReasons, headers: ['ETag'] } },
    async handler({ body, call, deps, expectedVersion }) {
      const r = await call((o) =>
        deps.clients.opportunity.putLossReasons(
          { expectedVersion: expectedVersion(), reasons: body.reasons },
          o,
        ),
      );
      return { body: lossReasonsToJson(r), etag: r.version };
    },
  }),
  operation({
    method: 'get',
    path: '/opportunities/{id}/team',
    operationId: 'getDealTeam',
    tag: 'Opportunities',
    summary: 'Get the deal team',
    description: 'The people who work the deal with its owner, with their roles. Members read the deal.',
    permission: 'opportunity.use',
    params: IdParams,
    responses: { 200: { description: 'The deal team', schema: DealTeam, headers: ['ETag'] } },
    async handler({ params, call, deps }) {
      const o = await call((opts) => deps.clients.opportunity.getOpportunity({ id: params.id }, opts));
      return { body: dealTeamToJson(o), etag: o.version };
    },
  }),
  operation({
    method: 'put',
    path: '/opportunities/{id}/team',
    operationId: 'putDealTeam',
    tag: 'Opportunities',
    summary: 'Replace the deal team',
    description:
      'The whole team at once: each user once, roles owner (the deal owner only), presales, ' +
      'solution-specialist, implementation, customer-success, finance. The owner, their sales manager ' +
      'or an admin (403 for others, members included). Members read the deal and see it in their lists. ' +
      'A user joining the team must be in the user directory and able to sign in (400 naming ' +
      'members[i].userId otherwise); members already on the team stay even if they left since.',
    permission: 'opportunity.use',
    params: IdParams,
    body: DealTeamBody,
    ifMatch: true,
    responses: { 200: { description: 'The deal team', schema: DealTeam, headers: ['ETag'] } },
    errors: [404],
    async handler({ params, body, call, deps, expectedVersion }) {
      const current = await call((opts) => deps.clients.opportunity.getOpportunity({ id: params.id }, opts));
      await requireDirectoryUsers(
        deps,
        body.members,
        current.teamMembers.map((m) => m.userId),
      );
      const o = await call((opts) =>
        deps.clients.opportunity.setDealTeam(
          { id: params.id, expectedVersion: expectedVersion(), members: body.members },
          opts,
        ),
      );
      return { body: dealTeamToJson(o), etag: o.version };
    },
  }),
];

/**
 * People joining a deal team must be users of the directory who can sign in: a typo or a departed
 * colleague would otherwise hold read access nobody uses. Members already on the team are not re-checked,
 * so someone who left does not block every later change of the team.
 */
async function requireDirectoryUsers(
  deps: RouteDeps,
  members: { userId: string }[],
  alreadyOnTeam: string[],
): Promise<void> {
  const joining = members.map((m, i) => ({ ...m, i })).filter((m) => !alreadyOnTeam.includes(m.userId));
  if (!joining.length) return;
  const users = await directoryUsers(deps.users);
  const active = new Set(users.filter((u) => u.enabled).map((u) => u.id));
  const errors = joining
    .filter((m) => !active.has(m.userId))
    .map((m) => ({ field: `members[${m.i}].userId`, message: 'is not a user who can sign in' }));
  if (errors.length)
    throw new HttpProblem(400, 'Only users of the directory can join a deal team.', { errors });
}
