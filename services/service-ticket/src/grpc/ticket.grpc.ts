import { type CallerContext, callerOf, expectedVersionOf } from '@crm/kit';
import { serviceTicket as pb } from '@crm/proto';
import type { Tickets } from '../application/tickets';
import type { TicketDoc } from '../store/ticket.model';
import { fromProtoListRequest, fromProtoPatch, type ShownFields, toProtoTicket } from './ticket.mapper';

type Ctx = CallerContext;

/** proto <-> application only; the rules live in the domain and the use cases. */
export function ticketGrpc(tickets: Tickets, shown: ShownFields): pb.TicketServiceImplementation<Ctx> {
  const out = (t: TicketDoc) => toProtoTicket(t, shown);
  const v = (s: string) => expectedVersionOf(s);
  return {
    async createTicket(req, ctx) {
      return out(await tickets.create(fromProtoPatch(req.fields), req.queue, callerOf(ctx)));
    },
    async getTicket(req, ctx) {
      return out(await tickets.get(req.id, callerOf(ctx)));
    },
    async listTickets(req, ctx) {
      const { tickets: page, nextCursor } = await tickets.list(fromProtoListRequest(req), callerOf(ctx));
      return { tickets: page.map(out), nextCursor };
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
      return out(await tickets.resolve(req.id, v(req.expectedVersion), req.resolution, callerOf(ctx)));
    },
    async closeTicket(req, ctx) {
      return out(await tickets.close(req.id, v(req.expectedVersion), callerOf(ctx)));
    },
    async reopenTicket(req, ctx) {
      return out(await tickets.reopen(req.id, v(req.expectedVersion), req.reason, callerOf(ctx)));
    },
  };
}
