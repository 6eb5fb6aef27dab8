import { operation, type Operation } from '../api/operation';
import { IdParams, ticketToJson } from './schemas';
import {
  BulkBody,
  BulkResult,
  bulkToJson,
  MAX_BULK,
  MergeBody,
  MergeResult,
  ServiceSettings,
  ServiceSettingsBody,
  serviceSettingsToJson,
} from './ticket-ops.schemas';

/** Merging duplicates and bulk actions: the work of many tickets at once. */
export const ticketOpsOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/tickets/{id}/merge',
    operationId: 'mergeTicket',
    tag: 'Tickets',
    summary: 'Merge a duplicate into another ticket',
    description:
      'The ticket `{id}` is the duplicate: it is closed with `mergedIntoTicketId`, its SLA timers stop, and the ' +
      'ticket `intoTicketId` takes its replies, notes (marked `mergedFromTicketId`), links and attachment ' +
      'descriptions and lists it in `mergedTickets`. Both record who merged and when; the event ' +
      '`TicketMerged` tells the others. 400 for merging into itself or into a ticket of another account; 409 when ' +
      'either ticket is closed (a duplicate merged already is closed). If-Match applies to the duplicate.',
    permission: 'ticket.work',
    params: IdParams,
    body: MergeBody,
    ifMatch: true,
    responses: {
      200: { description: 'Both tickets after the merge', schema: MergeResult, headers: ['ETag'] },
    },
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const r = await call((o) =>
        deps.clients.serviceTicket.mergeTicket(
          { id: params.id, expectedVersion: expectedVersion(), intoTicketId: body.intoTicketId },
          o,
        ),
      );
      return {
        body: { duplicate: ticketToJson(r.duplicate!), target: ticketToJson(r.target!) },
        etag: r.duplicate!.version,
      };
    },
  }),
  operation({
    method: 'post',
    path: '/tickets/bulk',
    operationId: 'bulkUpdateTickets',
    tag: 'Tickets',
    summary: 'One action on many tickets',
    description:
      `For support managers and admins (agents: 403). Up to ${MAX_BULK} tickets (an id named twice counts once) ` +
      'get one action: `assign` (`assigneeId`, optionally `queue`), `status` (`open`, or `pending` with ' +
      '`pendingReason`) or `add-tag` (`tag`). Each ticket is changed on its own, with its own events and checks; ' +
      'the answer reports each one, ok with its new version or with the problem it alone would have answered ' +
      '(404, 409 ...). One ticket that fails never stops the others, so the answer is 200 even when some failed. ' +
      'A request that is wrong as a whole (unknown action, missing assignee) is 400 and changes nothing.',
    permission: 'support.manage',
    body: BulkBody,
    responses: { 200: { description: 'What happened to each ticket', schema: BulkResult } },
    async handler({ body, call, deps }) {
      const r = await call(
        (o) =>
          deps.clients.serviceTicket.bulkUpdateTickets(
            {
              ticketIds: body.ticketIds,
              action: body.action,
              assigneeId: body.action === 'assign' ? body.assigneeId : '',
              queue: body.action === 'assign' ? (body.queue ?? '') : '',
              status: body.action === 'status' ? body.status : '',
              pendingReason: body.action === 'status' ? (body.pendingReason ?? '') : '',
              tag: body.action === 'add-tag' ? body.tag : '',
            },
            o,
          ),
        // Two hundred changes one after another take longer than one.
        { deadlineMs: 60_000 },
      );
      return { body: bulkToJson(r) };
    },
  }),
  operation({
    method: 'get',
    path: '/service-settings',
    operationId: 'getServiceSettings',
    tag: 'Tickets',
    summary: 'The service settings',
    description:
      'Closed-loop durations (auto-close, reopen window, confirmation link), the default SLA warning ' +
      'percentage and whether tickets follow their account to its new owner (`followAccountTransfer`). `version` 0: the deployment defaults (environment) apply because nobody saved any yet.',
    permission: 'ticket.read',
    responses: { 200: { description: 'The settings in force', schema: ServiceSettings, headers: ['ETag'] } },
    async handler({ call, deps }) {
      const s = await call((o) => deps.clients.sla.getServiceSettings({}, o));
      return { body: serviceSettingsToJson(s), etag: s.version };
    },
  }),
  operation({
    method: 'put',
    path: '/service-settings',
    operationId: 'saveServiceSettings',
    tag: 'Tickets',
    summary: 'Change the service settings',
    description:
      'Support managers and admins. Replaces every setting; applies at once to what comes next (a ticket resolved ' +
      'now closes after the new auto-close days; already resolved ones keep their time). Each save is recorded ' +
      'with who made it (`ServiceSettingsChanged`, in the audit log). 400 for values out of range, a ' +
      'confirmation link shorter than the auto-close, or an unknown `followAccountTransfer` (left out, the ' +
      'saved value stays).',
    permission: 'support.manage',
    body: ServiceSettingsBody,
    ifMatch: true,
    responses: { 200: { description: 'The settings as saved', schema: ServiceSettings, headers: ['ETag'] } },
    async handler({ body, call, deps, expectedVersion }) {
      const s = await call((o) =>
        deps.clients.sla.saveServiceSettings(
          { settings: { ...body, version: '0', updatedBy: '' }, expectedVersion: expectedVersion() },
          o,
        ),
      );
      return { body: serviceSettingsToJson(s), etag: s.version };
    },
  }),
];
