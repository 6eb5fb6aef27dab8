import { type Actor, outboxEntry, type OutboxEntry } from '@crm/kit';
import { serviceTicketQueueEvents as pb } from '@crm/proto';
import type { TicketAssignment } from '../domain/queue';
import { toProtoQueue } from '../grpc/queue.mapper';
import { toProtoAssignment, toProtoTicket } from '../grpc/ticket.mapper';
import type { QueueDoc } from '../store/queue.model';
import type { TicketDoc } from '../store/ticket.model';

/** Outbox entries of queue and assignment events (subjects crm.serviceticket.v1.QueueSaved, ...). */
export const queueEvents = {
  saved(q: QueueDoc, actor: Actor, requestId: string): OutboxEntry {
    return outboxEntry({
      eventType: 'crm.serviceticket.v1.QueueSaved',
      payload: pb.QueueSaved.encode({ queue: toProtoQueue(q) }).finish(),
      aggregateType: 'queue',
      aggregateId: q._id,
      aggregateVersion: q.version,
      actor,
      requestId,
    });
  },
  assigned(t: TicketDoc, assignment: TicketAssignment, actor: Actor, requestId: string): OutboxEntry {
    return outboxEntry({
      eventType: 'crm.serviceticket.v1.TicketAssigned',
      payload: pb.TicketAssigned.encode({
        ticket: toProtoTicket(t),
        assignment: toProtoAssignment(assignment),
      }).finish(),
      aggregateType: 'ticket',
      aggregateId: t._id,
      aggregateVersion: t.version,
      actor,
      requestId,
    });
  },
};
