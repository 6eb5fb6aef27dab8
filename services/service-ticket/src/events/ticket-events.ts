import { type Actor, eventPackage, type OutboxEntry } from '@crm/kit';
import { serviceTicketEvents as pb } from '@crm/proto';
import type { Comment, Escalation } from '../domain/ticket';
import type { SlaChange } from '../domain/sla-retarget';
import { toProtoComment, toProtoEscalation, toProtoSlaChange, toProtoTicket } from '../grpc/ticket.mapper';
import type { TicketDoc } from '../store/ticket.model';

const minutesBetween = (from: Date, to: Date) =>
  Math.max(0, Math.round((to.getTime() - from.getTime()) / 60_000));

/**
 * Outbox entries of the service-ticket service's events: subjects are the full proto names
 * (crm.serviceticket.v1.TicketCreated), all in the stream CRM_SERVICE_TICKET (crm.serviceticket.>).
 */
export const ticketEvents = {
  created(t: TicketDoc, actor: Actor, requestId: string): OutboxEntry {
    return entry(
      'TicketCreated',
      pb.TicketCreated.encode({ ticket: toProtoTicket(t) }).finish(),
      t,
      actor,
      requestId,
    );
  },
  updated(t: TicketDoc, changedFields: string[], actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.TicketUpdated.encode({ ticket: toProtoTicket(t), changedFields }).finish();
    return entry('TicketUpdated', payload, t, actor, requestId);
  },
  commented(t: TicketDoc, comment: Comment, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.TicketCommented.encode({ ticketId: t._id, comment: toProtoComment(comment) }).finish();
    return entry('TicketCommented', payload, t, actor, requestId);
  },
  /** businessMinutes: from creation to the reply in the ticket's calendar, pauses left out. */
  firstResponded(t: TicketDoc, businessMinutes: number, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.TicketFirstResponded.encode({
      ticket: toProtoTicket(t),
      minutesToRespond: String(minutesBetween(t.createdAt, t.firstRespondedAt ?? t.updatedAt)),
      businessMinutesToRespond: businessMinutes,
    }).finish();
    return entry('TicketFirstResponded', payload, t, actor, requestId);
  },
  escalated(t: TicketDoc, escalation: Escalation, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.TicketEscalated.encode({
      ticket: toProtoTicket(t),
      escalation: toProtoEscalation(escalation),
      fromQueue: escalation.fromQueue ?? t.queue,
      toQueue: t.queue,
    }).finish();
    return entry('TicketEscalated', payload, t, actor, requestId);
  },
  /** businessMinutes: from creation to resolution in the ticket's calendar, pauses left out. */
  resolved(t: TicketDoc, businessMinutes: number, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.TicketResolved.encode({
      ticket: toProtoTicket(t),
      minutesToResolve: String(minutesBetween(t.createdAt, t.resolvedAt ?? t.updatedAt)),
      businessMinutesToResolve: businessMinutes,
    }).finish();
    return entry('TicketResolved', payload, t, actor, requestId);
  },
  closed(t: TicketDoc, actor: Actor, requestId: string): OutboxEntry {
    return entry(
      'TicketClosed',
      pb.TicketClosed.encode({ ticket: toProtoTicket(t) }).finish(),
      t,
      actor,
      requestId,
    );
  },
  slaWarning(t: TicketDoc, target: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.SlaWarning.encode({ ticket: toProtoTicket(t), target }).finish();
    return entry('SlaWarning', payload, t, actor, requestId);
  },
  slaBreached(t: TicketDoc, target: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.SlaBreached.encode({ ticket: toProtoTicket(t), target }).finish();
    return entry('SlaBreached', payload, t, actor, requestId);
  },
  csatReceived(
    t: TicketDoc,
    score: number,
    comment: string,
    confirmed: boolean,
    actor: Actor,
    requestId: string,
  ): OutboxEntry {
    const payload = pb.CsatReceived.encode({ ticket: toProtoTicket(t), score, comment, confirmed }).finish();
    return entry('CsatReceived', payload, t, actor, requestId);
  },
  merged(t: TicketDoc, intoTicketId: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.TicketMerged.encode({ ticket: toProtoTicket(t), intoTicketId }).finish();
    return entry('TicketMerged', payload, t, actor, requestId);
  },
  slaRetargeted(t: TicketDoc, change: SlaChange, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.SlaRetargeted.encode({
      ticket: toProtoTicket(t),
      change: toProtoSlaChange(change),
    }).finish();
    return entry('SlaRetargeted', payload, t, actor, requestId);
  },
  reopened(t: TicketDoc, reason: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.TicketReopened.encode({ ticket: toProtoTicket(t), reason }).finish();
    return entry('TicketReopened', payload, t, actor, requestId);
  },
};

const ticketEvent = eventPackage<'ticket'>('crm.serviceticket.v1');
const entry = (name: string, payload: Uint8Array, t: TicketDoc, actor: Actor, requestId: string) =>
  ticketEvent(name, payload, 'ticket', t, actor, requestId);
