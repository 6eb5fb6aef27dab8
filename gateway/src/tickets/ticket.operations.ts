import type { serviceTicket as pb } from '@crm/proto';
import { z } from 'zod';
import { type GrpcOptions, operation, type Operation, type Reply } from '../api/operation';
import type { TicketClient } from '../grpc';
import { CONFIRMATION_PATH } from './public-confirmation';
import { HttpProblem } from '../http/problem';
import { changesSomething } from '../http/validate';
import {
  AssignBody,
  CloseBody,
  Calendar,
  CalendarBody,
  calendarToJson,
  CommentBody,
  CreateTicketBody,
  EscalateBody,
  IdParams,
  KeyParams,
  PatchTicketBody,
  patchToProto,
  Policy,
  PolicyBody,
  policyToJson,
  ReopenBody,
  ResolvedTicket,
  ResolveBody,
  StatusBody,
  Ticket,
  TicketList,
  TicketListQuery,
  ticketToJson,
} from './schemas';

const ticketReply = (t: pb.Ticket, status = 200): Reply => ({
  status,
  body: ticketToJson(t),
  etag: t.version,
});
const theTicket = { 200: { description: 'The ticket', schema: Ticket, headers: ['ETag' as const] } };

/** A POST /tickets/{id}/<action>: optional If-Match, the ticket as it is afterwards. */
function action<B extends z.ZodObject>(o: {
  name: string;
  operationId: string;
  summary: string;
  description: string;
  body: B;
  rpc: (
    client: TicketClient,
    req: { id: string; expectedVersion: string },
    body: z.output<B>,
  ) => (opts: GrpcOptions) => Promise<pb.Ticket>;
}): Operation {
  return operation({
    method: 'post',
    path: `/tickets/{id}/${o.name}`,
    operationId: o.operationId,
    tag: 'Tickets',
    summary: o.summary,
    description: o.description,
    permission: 'ticket.work',
    params: IdParams,
    body: o.body,
    ifMatch: true,
    responses: theTicket,
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const req = { id: params.id, expectedVersion: expectedVersion() };
      return ticketReply(await call(o.rpc(deps.clients.serviceTicket, req, body as z.output<B>)));
    },
  });
}

/** Service tickets: support staff work them in their queues; sellers read those of their accounts. */
export const ticketOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/tickets',
    operationId: 'createTicket',
    tag: 'Tickets',
    summary: 'Open a ticket',
    description:
      'For an account (and optionally one of its contacts), both checked with the account service. The ticket ' +
      'starts `new` in the queue given (default `support`); the caller must work that queue.',
    permission: 'ticket.work',
    body: CreateTicketBody,
    responses: { 201: { description: 'Created', schema: Ticket, headers: ['ETag', 'Location'] } },
    async handler({ body, call, deps }) {
      const { queue, slaPolicyId, ...fields } = body;
      const t = await call((o) =>
        deps.clients.serviceTicket.createTicket(
          { fields: patchToProto(fields), queue: queue ?? '', slaPolicyId: slaPolicyId ?? '' },
          o,
        ),
      );
      return { ...ticketReply(t, 201), location: `/api/v1/tickets/${encodeURIComponent(t.id)}` };
    },
  }),
  operation({
    method: 'get',
    path: '/tickets',
    operationId: 'listTickets',
    tag: 'Tickets',
    summary: 'List tickets',
    description:
      'Newest first. Support agents see the tickets of their queues, support managers every queue; sales roles ' +
      'list the tickets of one account they can see (`accountId` required). `assigneeId=me` for my tickets.',
    permission: 'ticket.read',
    query: TicketListQuery,
    responses: { 200: { description: 'A page of tickets', schema: TicketList } },
    async handler({ query: q, actor, call, deps }) {
      const reply = await call((o) =>
        deps.clients.serviceTicket.listTickets(
          {
            status: q.status ?? '',
            queue: q.queue ?? '',
            assigneeId: q.assigneeId === 'me' ? actor.userId : (q.assigneeId ?? ''),
            priority: q.priority ?? '',
            accountId: q.accountId ?? '',
            slaState: q.slaState ?? '',
            sort: q.sort,
            limit: q.limit,
            cursor: q.cursor ?? '',
          },
          o,
        ),
      );
      return { body: { items: reply.tickets.map(ticketToJson), nextCursor: reply.nextCursor || null } };
    },
  }),
  operation({
    method: 'get',
    path: '/tickets/{id}',
    operationId: 'getTicket',
    tag: 'Tickets',
    summary: 'Get a ticket',
    description:
      'With its replies, internal notes, status history and escalations; the ETag carries its version.',
    permission: 'ticket.read',
    params: IdParams,
    responses: theTicket,
    async handler({ params, call, deps }) {
      return ticketReply(await call((o) => deps.clients.serviceTicket.getTicket({ id: params.id }, o)));
    },
  }),
  operation({
    method: 'patch',
    path: '/tickets/{id}',
    operationId: 'updateTicket',
    tag: 'Tickets',
    summary: 'Update a ticket',
    description:
      'Changes the fields present in the body; a list given replaces the stored one. Status, queue and assignee ' +
      'change through their own operations.',
    permission: 'ticket.work',
    params: IdParams,
    body: PatchTicketBody,
    ifMatch: true,
    responses: theTicket,
    async handler({ params, body, call, deps, expectedVersion }) {
      if (!changesSomething(body)) throw new HttpProblem(400, 'The patch changes nothing.');
      const t = await call((o) =>
        deps.clients.serviceTicket.updateTicket(
          { id: params.id, expectedVersion: expectedVersion(), patch: patchToProto(body) },
          o,
        ),
      );
      return ticketReply(t);
    },
  }),
  operation({
    method: 'post',
    path: '/tickets/{id}/comments',
    operationId: 'addTicketComment',
    tag: 'Tickets',
    summary: 'Reply or add an internal note',
    description:
      'A public reply is seen by the customer; the first one records `firstRespondedAt` and moves a new ticket ' +
      'to open. An internal note is for staff and never appears in anything the customer sees.',
    permission: 'ticket.work',
    params: IdParams,
    body: CommentBody,
    responses: { 201: { description: 'The ticket with the comment', schema: Ticket, headers: ['ETag'] } },
    errors: [404],
    async handler({ params, body, call, deps }) {
      const t = await call((o) => deps.clients.serviceTicket.addComment({ id: params.id, ...body }, o));
      return ticketReply(t, 201);
    },
  }),
  action({
    name: 'assign',
    operationId: 'assignTicket',
    summary: 'Take, hand over or move a ticket',
    description: 'Without `assigneeId` the caller takes it; with `queue` it moves to that queue.',
    body: AssignBody,
    rpc: (client, req, b) => (o) =>
      client.assignTicket({ ...req, assigneeId: b.assigneeId ?? '', queue: b.queue ?? '' }, o),
  }),
  action({
    name: 'escalate',
    operationId: 'escalateTicket',
    summary: 'Escalate a ticket',
    description:
      'Raises the support level by one with the reason recorded; with `toQueue` it moves to that (senior) queue ' +
      'unassigned. A resolved or closed ticket is not escalated (400).',
    body: EscalateBody,
    rpc: (client, req, b) => (o) =>
      client.escalateTicket({ ...req, reason: b.reason, toQueue: b.toQueue ?? '' }, o),
  }),
  action({
    name: 'status',
    operationId: 'changeTicketStatus',
    summary: 'Open a ticket or set it pending',
    description:
      '`pending` needs `pendingReason` (`customer` or `internal`). 409 when the workflow does not allow the move ' +
      '(new -> open -> pending -> resolved -> closed).',
    body: StatusBody,
    rpc: (client, req, b) => (o) =>
      client.changeStatus({ ...req, status: b.status, pendingReason: b.pendingReason ?? '' }, o),
  }),
  operation({
    method: 'post',
    path: '/tickets/{id}/resolve',
    operationId: 'resolveTicket',
    tag: 'Tickets',
    summary: 'Resolve a ticket',
    description:
      'Needs the resolution text. Answers the ticket with `customerConfirmationUrl`: a signed, single-use link ' +
      '(expiring after the configured days) to a public page where the customer confirms (the ticket closes) or ' +
      'rejects (it reopens with their comment), with a CSAT score 1-5. Unanswered, the ticket closes itself after ' +
      'the configured days. 409 for a ticket that is already resolved or closed.',
    permission: 'ticket.work',
    params: IdParams,
    body: ResolveBody,
    ifMatch: true,
    responses: {
      200: {
        description: 'The resolved ticket and the link for the customer',
        schema: ResolvedTicket,
        headers: ['ETag'],
      },
    },
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion, req }) {
      const t = await call((o) =>
        deps.clients.serviceTicket.resolveTicket(
          { id: params.id, expectedVersion: expectedVersion(), resolution: body.resolution },
          o,
        ),
      );
      // An integrator calling from inside the cluster must still get a link the customer can open.
      const base = deps.publicBaseUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host')}`;
      const url = `${base}${CONFIRMATION_PATH}?token=${encodeURIComponent(t.customerConfirmationToken)}`;
      return { body: { ...ticketToJson(t), customerConfirmationUrl: url }, etag: t.version };
    },
  }),
  action({
    name: 'close',
    operationId: 'closeTicket',
    summary: 'Close a resolved ticket',
    description: '409 for a ticket that is not resolved: resolve it first.',
    body: CloseBody,
    rpc: (client, req) => (o) => client.closeTicket(req, o),
  }),
  action({
    name: 'reopen',
    operationId: 'reopenTicket',
    summary: 'Reopen a resolved or closed ticket',
    description: 'Back to open with the reason recorded in the status history.',
    body: ReopenBody,
    rpc: (client, req, b) => (o) => client.reopenTicket({ ...req, reason: b.reason }, o),
  }),
];

/** Business calendars and SLA policies: read by whoever reads tickets, changed by support managers. */
export const slaOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/business-calendars',
    operationId: 'listBusinessCalendars',
    tag: 'Tickets',
    summary: 'List the business calendars',
    description: 'Working days, hours and holidays in a time zone; SLA targets are measured in them.',
    permission: 'ticket.read',
    responses: { 200: { description: 'The calendars', schema: z.object({ items: z.array(Calendar) }) } },
    async handler({ call, deps }) {
      const reply = await call((o) => deps.clients.sla.listBusinessCalendars({}, o));
      return { body: { items: reply.calendars.map(calendarToJson) } };
    },
  }),
  operation({
    method: 'put',
    path: '/business-calendars/{id}',
    operationId: 'saveBusinessCalendar',
    tag: 'Tickets',
    summary: 'Create or replace a business calendar',
    description: 'The id is a key such as `china-office`. 400: an unknown time zone, closing before opening.',
    permission: 'support.manage',
    params: KeyParams,
    body: CalendarBody,
    ifMatch: true,
    responses: { 200: { description: 'The calendar', schema: Calendar, headers: ['ETag'] } },
    async handler({ params, body, call, deps, expectedVersion }) {
      const c = await call((o) =>
        deps.clients.sla.saveBusinessCalendar(
          {
            calendar: { ...body, id: params.id, version: '0', updatedBy: '' },
            expectedVersion: expectedVersion(),
          },
          o,
        ),
      );
      return { body: calendarToJson(c), etag: c.version };
    },
  }),
  operation({
    method: 'get',
    path: '/sla-policies',
    operationId: 'listSlaPolicies',
    tag: 'Tickets',
    summary: 'List the SLA policies',
    description: 'First-response and resolution targets by priority and account tier, in business minutes.',
    permission: 'ticket.read',
    responses: { 200: { description: 'The policies', schema: z.object({ items: z.array(Policy) }) } },
    async handler({ call, deps }) {
      const reply = await call((o) => deps.clients.sla.listSlaPolicies({}, o));
      return { body: { items: reply.policies.map(policyToJson) } };
    },
  }),
  operation({
    method: 'put',
    path: '/sla-policies/{id}',
    operationId: 'saveSlaPolicy',
    tag: 'Tickets',
    summary: 'Create or replace an SLA policy',
    description:
      'The policy `default` measures tickets that name none. A target naming the tier wins over the one for any ' +
      'tier. New targets apply to tickets opened afterwards.',
    permission: 'support.manage',
    params: KeyParams,
    body: PolicyBody,
    ifMatch: true,
    responses: { 200: { description: 'The policy', schema: Policy, headers: ['ETag'] } },
    async handler({ params, body, call, deps, expectedVersion }) {
      const p = await call((o) =>
        deps.clients.sla.saveSlaPolicy(
          {
            policy: { ...body, id: params.id, version: '0', updatedBy: '' },
            expectedVersion: expectedVersion(),
          },
          o,
        ),
      );
      return { body: policyToJson(p), etag: p.version };
    },
  }),
];
