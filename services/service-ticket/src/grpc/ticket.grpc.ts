import { type CallerContext, callerOf, expectedVersionOf } from '@crm/kit';
import { serviceTicket as pb } from '@crm/proto';
import type { BulkActions } from '../application/bulk-actions';
import type { ServiceSettingsAdmin } from '../application/service-settings';
import type { SlaSettings } from '../application/sla-settings';
import type { TicketMerge } from '../application/ticket-merge';
import type { Tickets } from '../application/tickets';
import type { TicketDoc } from '../store/ticket.model';
import {
  fromProtoCalendar,
  fromProtoListRequest,
  fromProtoPatch,
  fromProtoPolicy,
  fromProtoServiceSettings,
  type ShownFields,
  toProtoCalendar,
  toProtoPolicy,
  toProtoServiceSettings,
  toProtoTicket,
} from './ticket.mapper';

type Ctx = CallerContext;

/** proto <-> application only; the rules live in the domain and the use cases. */
export function ticketGrpc(
  tickets: Tickets,
  settings: SlaSettings,
  shown: ShownFields,
  operations: { merge: TicketMerge; bulk: BulkActions },
): pb.TicketServiceImplementation<Ctx> {
  const outAll = async (ts: TicketDoc[]) => {
    const left = await settings.remainingOf(ts);
    return ts.map((t, i) => toProtoTicket(t, shown, left[i]));
  };
  const out = async (t: TicketDoc) => toProtoTicket(t, shown, (await settings.remainingOf([t]))[0]);
  const v = (s: string) => expectedVersionOf(s);
  return {
    async createTicket(req, ctx) {
      return out(await tickets.create(fromProtoPatch(req.fields), req.queue, callerOf(ctx), req.slaPolicyId));
    },
    async getTicket(req, ctx) {
      return out(await tickets.get(req.id, callerOf(ctx)));
    },
    async listTickets(req, ctx) {
      const { tickets: page, nextCursor } = await tickets.list(fromProtoListRequest(req), callerOf(ctx));
      return { tickets: await outAll(page), nextCursor };
    },
    async updateTicket(req, ctx) {
      return out(
        await tickets.update(req.id, v(req.expectedVersion), fromProtoPatch(req.patch), callerOf(ctx)),
      );
    },
    async addComment(req, ctx) {
      return out(await tickets.addComment(req.id, req.visibility, req.body, callerOf(ctx)));
    },
    async assignTicket(req, ctx) {
      return out(
        await tickets.assign(req.id, v(req.expectedVersion), req.assigneeId, req.queue, callerOf(ctx)),
      );
    },
    async escalateTicket(req, ctx) {
      return out(
        await tickets.escalate(req.id, v(req.expectedVersion), req.reason, req.toQueue, callerOf(ctx)),
      );
    },
    async changeStatus(req, ctx) {
      return out(
        await tickets.changeStatus(
          req.id,
          v(req.expectedVersion),
          req.status,
          req.pendingReason,
          callerOf(ctx),
        ),
      );
    },
    async resolveTicket(req, ctx) {
      const { ticket, confirmationToken } = await tickets.resolve(
        req.id,
        v(req.expectedVersion),
        req.resolution,
        callerOf(ctx),
      );
      return { ...(await out(ticket)), customerConfirmationToken: confirmationToken };
    },
    async getConfirmation(req, ctx) {
      return tickets.confirmation(req.token, callerOf(ctx));
    },
    async answerConfirmation(req, ctx) {
      return tickets.answerConfirmation(req.token, req.decision, req.csatScore, req.comment, callerOf(ctx));
    },
    async closeTicket(req, ctx) {
      return out(await tickets.close(req.id, v(req.expectedVersion), callerOf(ctx)));
    },
    async reopenTicket(req, ctx) {
      return out(await tickets.reopen(req.id, v(req.expectedVersion), req.reason, callerOf(ctx)));
    },
    async mergeTicket(req, ctx) {
      const { duplicate, target } = await operations.merge.merge(
        req.id,
        v(req.expectedVersion),
        req.intoTicketId,
        callerOf(ctx),
      );
      const [d, t] = await outAll([duplicate, target]);
      return { duplicate: d, target: t };
    },
    async bulkUpdateTickets(req, ctx) {
      const results = await operations.bulk.run(req, callerOf(ctx));
      return {
        results: results.map((r) =>
          r.ok
            ? { ticketId: r.ticketId, ok: true, version: String(r.version), errorKind: '', message: '' }
            : { ticketId: r.ticketId, ok: false, version: '0', errorKind: r.errorKind, message: r.message },
        ),
      };
    },
  };
}

export function slaGrpc(
  settings: SlaSettings,
  serviceSettings: ServiceSettingsAdmin,
): pb.SlaServiceImplementation<Ctx> {
  return {
    async getServiceSettings(_req, ctx) {
      return toProtoServiceSettings(await serviceSettings.get(callerOf(ctx)));
    },
    async saveServiceSettings(req, ctx) {
      const s = await serviceSettings.save(
        expectedVersionOf(req.expectedVersion),
        fromProtoServiceSettings(req.settings),
        callerOf(ctx),
      );
      return toProtoServiceSettings(s);
    },
    async listBusinessCalendars(_req, ctx) {
      return { calendars: (await settings.listCalendars(callerOf(ctx))).map(toProtoCalendar) };
    },
    async saveBusinessCalendar(req, ctx) {
      const c = await settings.saveCalendar(
        req.calendar?.id ?? '',
        expectedVersionOf(req.expectedVersion),
        fromProtoCalendar(req.calendar),
        callerOf(ctx),
      );
      return toProtoCalendar(c);
    },
    async listSlaPolicies(_req, ctx) {
      return { policies: (await settings.listPolicies(callerOf(ctx))).map(toProtoPolicy) };
    },
    async saveSlaPolicy(req, ctx) {
      const p = await settings.savePolicy(
        req.policy?.id ?? '',
        expectedVersionOf(req.expectedVersion),
        fromProtoPolicy(req.policy),
        callerOf(ctx),
      );
      return toProtoPolicy(p);
    },
  };
}
