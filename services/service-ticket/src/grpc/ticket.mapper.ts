import { ValidationError } from '@crm/kit';
import { serviceTicket as pb } from '@crm/proto';
import type { TicketListRequest, TicketPatch } from '../application/tickets';
import type { BusinessCalendar, SlaPolicyInput } from '../domain/sla';
import { NEVER, NO_SLA, slaStateOf } from '../domain/sla-clock';
import type { Attachment, Comment, Escalation } from '../domain/ticket';
import type { TicketAssignment } from '../domain/queue';
import type { ServiceSettingsInput } from '../domain/service-settings';
import type { SlaChange } from '../domain/sla-retarget';
import type { EffectiveSettings } from '../application/service-settings';
import type { CalendarDoc, PolicyDoc, TicketDoc } from '../store/ticket.model';

/** Business minutes left of the two targets, computed when read. */
export interface Remaining {
  firstResponse: number;
  resolution: number;
}
const NOTHING_LEFT: Remaining = { firstResponse: 0, resolution: 0 };

/** Stored custom field values as readers see them: archived fields left out (CustomFields.visibleNow). */
export type ShownFields = (values: unknown) => Record<string, unknown>;
const everyField: ShownFields = (v) => ({ ...(v as Record<string, unknown>) });

export const toProtoComment = (c: Comment): pb.Comment => ({
  ...c,
  mergedFromTicketId: c.mergedFromTicketId ?? '',
});
export const toProtoEscalation = (e: Escalation): pb.Escalation => ({
  ...e,
  fromQueue: e.fromQueue ?? '',
  toManagerId: e.toManagerId ?? '',
});

/** Events carry every stored value; readers get what `shown` keeps. */
export function toProtoTicket(
  t: TicketDoc,
  shown: ShownFields = everyField,
  remaining: Remaining = NOTHING_LEFT,
): pb.Ticket {
  const sla = t.sla ?? { ...NO_SLA, startedAt: t.createdAt };
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
    accountTier: t.accountTier ?? '',
    accountName: t.accountName ?? '',
    sla: {
      policyId: sla.policyId,
      firstResponseDueAt: sla.firstResponseDueAt,
      resolutionDueAt: sla.resolutionDueAt,
      firstRespondedAt: t.firstRespondedAt,
      firstResponseRemainingMinutes: remaining.firstResponse,
      resolutionRemainingMinutes: remaining.resolution,
      paused: !!sla.pausedSince,
      firstResponseWarned: sla.firstResponseWarned,
      resolutionWarned: sla.resolutionWarned,
      firstResponseBreached: sla.firstResponseBreached,
      resolutionBreached: sla.resolutionBreached,
      state: slaStateOf({ ...t, sla }),
      pausedMinutes: sla.pausedMinutes,
    },
    slaEvents: (t.slaEvents ?? []).map((e) => ({ ...e })),
    customerConfirmationToken: '',
    csatScore: t.csatScore ?? 0,
    csatComment: t.csatComment ?? '',
    autoCloseAt: t.autoCloseAt && t.autoCloseAt.getTime() !== NEVER.getTime() ? t.autoCloseAt : undefined,
    assignments: (t.assignments ?? []).map(toProtoAssignment),
    mergedIntoTicketId: t.mergedIntoTicketId ?? '',
    mergedAt: t.mergedAt,
    mergedBy: t.mergedBy ?? '',
    mergedTickets: (t.mergedTickets ?? []).map((m) => ({ ...m })),
    slaChanges: (t.slaChanges ?? []).map(toProtoSlaChange),
  };
}

export const toProtoSlaChange = (c: SlaChange): pb.SlaChange => ({
  fromPriority: c.fromPriority,
  toPriority: c.toPriority,
  firstResponseDueAt: c.firstResponseDueAt,
  resolutionDueAt: c.resolutionDueAt,
  changedBy: c.changedBy,
  changedAt: c.changedAt,
});

/** An assignment as the timeline shows it ('' reason for those that need none). */
export const toProtoAssignment = (a: TicketAssignment): pb.Assignment => ({ ...a, reason: a.reason ?? '' });

export const toProtoServiceSettings = (s: EffectiveSettings): pb.ServiceSettings => ({
  version: String(s.version),
  autoCloseDays: s.autoCloseDays,
  reopenWindowDays: s.reopenWindowDays,
  confirmationLinkDays: s.confirmationLinkDays,
  defaultWarnAtPercent: s.defaultWarnAtPercent,
  followAccountTransfer: s.followAccountTransfer,
  updatedAt: s.updatedAt,
  updatedBy: s.updatedBy,
});

export const fromProtoServiceSettings = (s: pb.ServiceSettings | undefined): ServiceSettingsInput => ({
  autoCloseDays: s?.autoCloseDays ?? 0,
  reopenWindowDays: s?.reopenWindowDays ?? 0,
  confirmationLinkDays: s?.confirmationLinkDays ?? 0,
  defaultWarnAtPercent: s?.defaultWarnAtPercent ?? 0,
  followAccountTransfer: s?.followAccountTransfer ?? '',
});

export const toProtoCalendar = (c: CalendarDoc): pb.BusinessCalendar => ({
  id: c._id,
  version: String(c.version),
  name: c.name,
  timeZone: c.timeZone,
  workingDays: [...c.workingDays],
  opensAt: c.opensAt,
  closesAt: c.closesAt,
  holidays: [...c.holidays],
  updatedAt: c.updatedAt,
  updatedBy: c.updatedBy,
});

export const fromProtoCalendar = (c: pb.BusinessCalendar | undefined): BusinessCalendar => ({
  name: c?.name ?? '',
  timeZone: c?.timeZone ?? '',
  workingDays: [...(c?.workingDays ?? [])],
  opensAt: c?.opensAt ?? '',
  closesAt: c?.closesAt ?? '',
  holidays: [...(c?.holidays ?? [])],
});

export const toProtoPolicy = (p: PolicyDoc): pb.SlaPolicy => ({
  id: p._id,
  version: String(p.version),
  name: p.name,
  calendarId: p.calendarId,
  warnAtPercent: p.warnAtPercent,
  targets: p.targets.map((t) => ({ ...t })),
  updatedAt: p.updatedAt,
  updatedBy: p.updatedBy,
});

export const fromProtoPolicy = (p: pb.SlaPolicy | undefined): SlaPolicyInput => ({
  name: p?.name ?? '',
  calendarId: p?.calendarId ?? '',
  warnAtPercent: p?.warnAtPercent ?? 0,
  targets: (p?.targets ?? []).map((t) => ({ ...t })),
});

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
    slaState: r.slaState,
    sort: r.sort,
    limit: r.limit,
    cursor: r.cursor,
  };
}
