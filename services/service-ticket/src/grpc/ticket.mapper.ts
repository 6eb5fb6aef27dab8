import { ValidationError } from '@crm/kit';
import { serviceTicket as pb } from '@crm/proto';
import type { TicketListRequest, TicketPatch } from '../application/tickets';
import type { Attachment, Comment, Escalation } from '../domain/ticket';
import type { TicketDoc } from '../store/ticket.model';

/** Stored custom field values as readers see them: archived fields left out (CustomFields.visibleNow). */
export type ShownFields = (values: unknown) => Record<string, unknown>;
const everyField: ShownFields = (v) => ({ ...(v as Record<string, unknown>) });

export const toProtoComment = (c: Comment): pb.Comment => ({ ...c });
export const toProtoEscalation = (e: Escalation): pb.Escalation => ({ ...e });

/** Events carry every stored value; readers get what `shown` keeps. */
export function toProtoTicket(t: TicketDoc, shown: ShownFields = everyField): pb.Ticket {
  return {
    id: t._id,
    version: String(t.version),
    accountId: t.accountId,
    contactId: t.contactId,
    subject: t.subject,
    description: t.description,
    channel: t.channel,
    category: t.category,
    priority: t.priority,
    queue: t.queue,
    assigneeId: t.assigneeId,
    tags: [...t.tags],
    customFields: shown(t.customFields ?? {}),
    links: t.links.map((l) => ({ ...l })),
    attachments: t.attachments.map((a) => ({ ...a, sizeBytes: String(a.sizeBytes) })),
    status: t.status,
    pendingReason: t.pendingReason,
    resolution: t.resolution,
    level: t.level,
    comments: t.comments.map(toProtoComment),
    statusHistory: t.statusHistory.map((s) => ({ ...s })),
    escalations: t.escalations.map(toProtoEscalation),
    firstRespondedAt: t.firstRespondedAt,
    resolvedAt: t.resolvedAt,
    closedAt: t.closedAt,
    createdAt: t.createdAt,
    createdBy: t.createdBy,
    updatedAt: t.updatedAt,
    updatedBy: t.updatedBy,
  };
}

function sizeOf(s: string, i: number): number {
  const n = /^\d{1,15}$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n))
    throw new ValidationError([
      { field: `attachments[${i}].sizeBytes`, description: 'must be a whole, non-negative number' },
    ]);
  return n;
}

export function fromProtoPatch(p: pb.TicketPatch | undefined): TicketPatch {
  if (!p) return {};
  const attachments: Attachment[] | undefined = p.setAttachments
    ? p.attachments.map((a, i) => ({
        name: a.name,
        contentType: a.contentType,
        sizeBytes: sizeOf(a.sizeBytes, i),
      }))
    : undefined;
  return {
    accountId: p.accountId,
    contactId: p.contactId,
    subject: p.subject,
    description: p.description,
    channel: p.channel,
    category: p.category,
    priority: p.priority,
    tags: p.setTags ? [...p.tags] : undefined,
    links: p.setLinks ? p.links.map((l) => ({ ...l })) : undefined,
    attachments,
    customFields: p.customFields && Object.keys(p.customFields).length ? { ...p.customFields } : undefined,
  };
}

export function fromProtoListRequest(r: pb.ListTicketsRequest): TicketListRequest {
  return {
    status: r.status,
    queue: r.queue,
    assigneeId: r.assigneeId,
    priority: r.priority,
    accountId: r.accountId,
    limit: r.limit,
    cursor: r.cursor,
  };
}
