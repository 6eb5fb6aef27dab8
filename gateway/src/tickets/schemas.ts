import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { serviceTicket as pb } from '@crm/proto';
import { CustomFields } from '../accounts/schemas';

extendZodWithOpenApi(z);

export const CHANNELS = ['phone', 'email', 'web', 'chat', 'api'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
const PENDING_REASONS = ['customer', 'internal'] as const;
export const SLA_STATES = ['none', 'ok', 'warning', 'breached', 'paused'] as const;
const TIERS = ['strategic', 'A', 'B', 'C'] as const;
const LINK_KINDS = ['related', 'duplicate-of', 'caused-by'] as const;

export const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid id');
const key = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a key such as billing (a-z, 0-9 and -)');
const text = (max: number) => z.string().max(max);

export const IdParams = z.object({ id });

const Link = z
  .object({ ticketId: id, kind: z.enum(LINK_KINDS).default('related') })
  .strict()
  .openapi('TicketLink');
const Attachment = z
  .object({
    name: z.string().min(1).max(255),
    sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    contentType: z.string().regex(/^[A-Za-z0-9.+-]+\/[A-Za-z0-9.+-]+$/, 'a media type such as image/png'),
  })
  .strict()
  .openapi('TicketAttachment', { description: 'What is known of an attached file (storage comes later)' });

const fields = {
  accountId: id,
  contactId: z.union([id, z.literal('')]),
  subject: z.string().trim().min(1).max(200),
  description: text(20_000),
  channel: z.enum(CHANNELS),
  category: z.union([key, z.literal('')]),
  priority: z.enum(PRIORITIES),
  tags: z.array(key).max(20),
  links: z.array(Link).max(50),
  attachments: z.array(Attachment).max(50),
  customFields: CustomFields,
};

export const PatchTicketBody = z.object(fields).partial().strict().openapi('PatchTicket');

export const CreateTicketBody = PatchTicketBody.extend({
  accountId: id,
  subject: fields.subject,
  channel: fields.channel,
  queue: key.optional().openapi({ description: 'Queue to put it in; default `support`' }),
  slaPolicyId: key.optional().openapi({ description: 'SLA policy measuring it; default `default`' }),
}).openapi('CreateTicket');

export const CommentBody = z
  .object({
    visibility: z.enum(['public', 'internal']).openapi({
      description:
        '`public`: a reply the customer sees (the first one is the first response); `internal`: a note for staff',
    }),
    body: z.string().trim().min(1).max(20_000),
  })
  .strict()
  .openapi('TicketCommentInput');

export const AssignBody = z
  .object({
    assigneeId: text(64)
      .optional()
      .openapi({ description: 'Agent to give it to; omitted: the caller takes it' }),
    queue: key.optional().openapi({ description: 'Queue to hand it to; omitted: it stays' }),
  })
  .strict()
  .openapi('TicketAssignInput');

export const EscalateBody = z
  .object({
    reason: z.string().trim().min(1).max(2000),
    toQueue: key.optional().openapi({ description: 'A senior queue; omitted: it stays in its queue' }),
  })
  .strict()
  .openapi('TicketEscalateInput');

export const StatusBody = z
  .object({
    status: z.enum(['open', 'pending']),
    pendingReason: z.enum(PENDING_REASONS).optional().openapi({ description: 'Required for pending' }),
  })
  .strict()
  .openapi('TicketStatusInput');

export const ResolveBody = z
  .object({ resolution: z.string().trim().min(1).max(20_000) })
  .strict()
  .openapi('TicketResolveInput');

export const ReopenBody = z
  .object({ reason: z.string().trim().min(1).max(2000) })
  .strict()
  .openapi('TicketReopenInput');

export const CloseBody = z.object({}).strict().openapi('TicketCloseInput');

export const TicketListQuery = z
  .object({
    status: z.enum(STATUSES).optional(),
    queue: key.optional(),
    assigneeId: text(64).optional().openapi({ description: 'A user id or "me"' }),
    priority: z.enum(PRIORITIES).optional(),
    accountId: id.optional().openapi({ description: 'Required for sales roles' }),
    slaState: z.enum(SLA_STATES).optional(),
    sort: z
      .enum(['created', 'sla'])
      .default('created')
      .openapi({ description: '`created`: newest first; `sla`: nearest open due time first' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: text(1000).optional(),
  })
  .strict();

const iso = z.string().nullable();

export const Comment = z
  .object({
    id: z.string(),
    visibility: z.enum(['public', 'internal']),
    body: z.string(),
    authorId: z.string(),
    createdAt: iso,
    mergedFromTicketId: z
      .string()
      .openapi({ description: 'The merged duplicate it was written on; empty when written here' }),
  })
  .openapi('TicketComment');

export const Ticket = z
  .object({
    id: z.string(),
    version: z.number().int(),
    accountId: z.string(),
    contactId: z.string(),
    subject: z.string(),
    description: z.string(),
    channel: z.enum(CHANNELS),
    category: z.string(),
    priority: z.enum(PRIORITIES),
    queue: z.string(),
    assigneeId: z.string(),
    tags: z.array(z.string()),
    customFields: z.record(z.string(), z.unknown()).openapi({
      description: 'Values of custom fields by key (archived fields are left out)',
    }),
    links: z.array(z.object({ ticketId: z.string(), kind: z.string() })),
    attachments: z.array(
      z.object({ name: z.string(), sizeBytes: z.number().int(), contentType: z.string() }),
    ),
    status: z.enum(STATUSES),
    pendingReason: z.enum(['', ...PENDING_REASONS]),
    resolution: z.string(),
    level: z.number().int().openapi({ description: 'Support level: 1 first line, +1 per escalation' }),
    comments: z.array(Comment).openapi({ description: 'Replies and internal notes, oldest first' }),
    statusHistory: z.array(
      z.object({
        fromStatus: z.string(),
        toStatus: z.string(),
        pendingReason: z.string(),
        note: z.string(),
        changedBy: z.string(),
        changedAt: iso,
      }),
    ),
    escalations: z.array(
      z.object({
        level: z.number().int(),
        toQueue: z.string(),
        reason: z.string(),
        escalatedBy: z.string(),
        escalatedAt: iso,
        fromQueue: z.string().openapi({ description: 'The queue it was in before' }),
        toManagerId: z.string().openapi({
          description: "The queue's support manager it went to (no senior queue); empty otherwise",
        }),
      }),
    ),
    firstRespondedAt: iso.openapi({ description: 'When the first public reply was written' }),
    resolvedAt: iso,
    closedAt: iso,
    createdAt: iso,
    createdBy: z.string(),
    updatedAt: iso,
    updatedBy: z.string(),
    accountTier: z.string().openapi({ description: 'The account tier when the ticket was opened' }),
    accountName: z.string().nullable().openapi({
      description: 'The account name when the ticket was opened; null on tickets older than this field',
    }),
    sla: z
      .object({
        policyId: z.string().openapi({ description: 'Empty when no target applies' }),
        firstResponseDueAt: iso,
        resolutionDueAt: iso,
        firstRespondedAt: iso,
        firstResponseRemainingMinutes: z
          .number()
          .openapi({ description: 'Business minutes left (negative when overdue; 0 once responded)' }),
        resolutionRemainingMinutes: z
          .number()
          .openapi({ description: 'Business minutes left (negative when overdue; 0 once resolved)' }),
        paused: z.boolean().openapi({ description: 'True while pending on the customer' }),
        pausedMinutes: z.number(),
        firstResponseWarned: z.boolean(),
        resolutionWarned: z.boolean(),
        firstResponseBreached: z.boolean(),
        resolutionBreached: z.boolean(),
        state: z.enum(SLA_STATES),
      })
      .openapi('TicketSla'),
    slaEvents: z
      .array(
        z.object({
          kind: z.enum(['warning', 'breach']),
          target: z.enum(['first-response', 'resolution']),
          at: iso,
        }),
      )
      .openapi({ description: 'SLA warnings and breaches that fired, oldest first' }),
    csatScore: z
      .number()
      .int()
      .openapi({ description: "The customer's rating 1-5 from the confirmation; 0 if none" }),
    csatComment: z.string(),
    autoCloseAt: iso.openapi({ description: 'When a resolved ticket closes by itself without an answer' }),
    assignments: z
      .array(
        z.object({
          assigneeId: z.string(),
          previousAssigneeId: z.string(),
          queue: z.string(),
          method: z.enum(['round-robin', 'least-loaded', 'take', 'hand-over', 'follow-account']),
          assignedBy: z.string().openapi({ description: 'Who assigned it; "assignment" when routed' }),
          assignedAt: iso,
          reason: z.string().openapi({
            description:
              'Why, for a ticket that followed its account (`follow-account`): the account, its previous ' +
              'and new owner and the ownership transfer; empty otherwise',
          }),
        }),
      )
      .openapi({
        description:
          'Every assignment (routed when created, taken, handed over, following its account), oldest first',
      }),
    mergedIntoTicketId: z.string().openapi({
      description: 'The ticket this duplicate was merged into (it is closed then); empty otherwise',
    }),
    mergedAt: iso,
    mergedBy: z.string(),
    mergedTickets: z
      .array(z.object({ ticketId: z.string(), mergedBy: z.string(), mergedAt: iso }))
      .openapi({ description: 'Duplicates merged into this ticket, oldest first' }),
    slaChanges: z
      .array(
        z.object({
          fromPriority: z.string(),
          toPriority: z.string(),
          firstResponseDueAt: iso,
          resolutionDueAt: iso,
          changedBy: z.string(),
          changedAt: iso,
        }),
      )
      .openapi({ description: 'SLA due times taken again after priority changes, oldest first' }),
  })
  .openapi('Ticket');

export const ResolvedTicket = Ticket.extend({
  customerConfirmationUrl: z.string().openapi({
    description: 'The signed, single-use link to send the customer (shown once; not stored in the ticket)',
  }),
}).openapi('ResolvedTicket');

export const TicketList = z
  .object({ items: z.array(Ticket), nextCursor: z.string().nullable() })
  .openapi('TicketList');

const at = (d: Date | undefined) => d?.toISOString() ?? null;

export const ticketToJson = (t: pb.Ticket): z.input<typeof Ticket> => ({
  id: t.id,
  version: Number(t.version),
  accountId: t.accountId,
  contactId: t.contactId,
  subject: t.subject,
  description: t.description,
  channel: t.channel as never,
  category: t.category,
  priority: t.priority as never,
  queue: t.queue,
  assigneeId: t.assigneeId,
  tags: t.tags,
  customFields: t.customFields ?? {},
  links: t.links.map((l) => ({ ...l })),
  attachments: t.attachments.map((a) => ({ ...a, sizeBytes: Number(a.sizeBytes) })),
  status: t.status as never,
  pendingReason: t.pendingReason as never,
  resolution: t.resolution,
  level: t.level,
  comments: t.comments.map((c) => ({
    ...c,
    visibility: c.visibility as never,
    createdAt: at(c.createdAt),
  })),
  statusHistory: t.statusHistory.map((s) => ({ ...s, changedAt: at(s.changedAt) })),
  escalations: t.escalations.map((e) => ({ ...e, escalatedAt: at(e.escalatedAt) })),
  firstRespondedAt: at(t.firstRespondedAt),
  resolvedAt: at(t.resolvedAt),
  closedAt: at(t.closedAt),
  createdAt: at(t.createdAt),
  createdBy: t.createdBy,
  updatedAt: at(t.updatedAt),
  updatedBy: t.updatedBy,
  accountTier: t.accountTier,
  accountName: t.accountName || null,
  sla: {
    policyId: t.sla?.policyId ?? '',
    firstResponseDueAt: at(t.sla?.firstResponseDueAt),
    resolutionDueAt: at(t.sla?.resolutionDueAt),
    firstRespondedAt: at(t.sla?.firstRespondedAt),
    firstResponseRemainingMinutes: t.sla?.firstResponseRemainingMinutes ?? 0,
    resolutionRemainingMinutes: t.sla?.resolutionRemainingMinutes ?? 0,
    paused: t.sla?.paused ?? false,
    pausedMinutes: t.sla?.pausedMinutes ?? 0,
    firstResponseWarned: t.sla?.firstResponseWarned ?? false,
    resolutionWarned: t.sla?.resolutionWarned ?? false,
    firstResponseBreached: t.sla?.firstResponseBreached ?? false,
    resolutionBreached: t.sla?.resolutionBreached ?? false,
    state: (t.sla?.state || 'none') as never,
  },
  slaEvents: t.slaEvents.map((e) => ({ kind: e.kind as never, target: e.target as never, at: at(e.at) })),
  csatScore: t.csatScore,
  csatComment: t.csatComment,
  autoCloseAt: at(t.autoCloseAt),
  assignments: (t.assignments ?? []).map((a) => ({
    ...a,
    method: a.method as never,
    assignedAt: at(a.assignedAt),
  })),
  mergedIntoTicketId: t.mergedIntoTicketId,
  mergedAt: at(t.mergedAt),
  mergedBy: t.mergedBy,
  mergedTickets: t.mergedTickets.map((m) => ({ ...m, mergedAt: at(m.mergedAt) })),
  slaChanges: t.slaChanges.map((c) => ({
    ...c,
    firstResponseDueAt: at(c.firstResponseDueAt),
    resolutionDueAt: at(c.resolutionDueAt),
    changedAt: at(c.changedAt),
  })),
});

export const KeyParams = z.object({ id: key });

export const CalendarBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    timeZone: z.string().min(1).max(100).openapi({ example: 'Asia/Shanghai' }),
    workingDays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .openapi({ description: 'ISO weekdays: 1 Monday ... 7 Sunday' }),
    opensAt: z.string().regex(/^\d{2}:\d{2}$/, 'a time HH:mm'),
    closesAt: z
      .string()
      .regex(/^\d{2}:\d{2}$/, 'a time HH:mm')
      .openapi({ description: '"24:00" for midnight' }),
    holidays: z
      .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date yyyy-mm-dd'))
      .max(1000)
      .default([]),
  })
  .strict()
  .openapi('BusinessCalendarInput');

// A fresh object over the body's fields, not .extend(): the document would say allOf the strict body
// (additionalProperties false) and these fields, which no answer can satisfy.
export const Calendar = z
  .object({
    ...CalendarBody.shape,
    id: z.string(),
    version: z.number().int(),
    updatedAt: iso,
    updatedBy: z.string(),
  })
  .openapi('BusinessCalendar');

const Target = z
  .object({
    priority: z.enum(PRIORITIES),
    tier: z
      .enum(['', ...TIERS])
      .default('')
      .openapi({ description: 'Empty for any tier' }),
    firstResponseMinutes: z.number().int().min(1).max(525_600).openapi({ description: 'Business minutes' }),
    resolutionMinutes: z.number().int().min(1).max(525_600).openapi({ description: 'Business minutes' }),
  })
  .strict()
  .openapi('SlaTarget');

export const PolicyBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    calendarId: key,
    warnAtPercent: z.number().int().min(0).max(99).openapi({
      description:
        'A warning fires at this share of a target; 0 takes the service default (`defaultWarnAtPercent` of /service-settings)',
    }),
    targets: z.array(Target).min(1).max(100),
  })
  .strict()
  .openapi('SlaPolicyInput');

export const Policy = z
  .object({
    ...PolicyBody.shape,
    id: z.string(),
    version: z.number().int(),
    updatedAt: iso,
    updatedBy: z.string(),
  })
  .openapi('SlaPolicy');

export const calendarToJson = (c: pb.BusinessCalendar): z.input<typeof Calendar> => ({
  id: c.id,
  version: Number(c.version),
  name: c.name,
  timeZone: c.timeZone,
  workingDays: c.workingDays,
  opensAt: c.opensAt,
  closesAt: c.closesAt,
  holidays: c.holidays,
  updatedAt: at(c.updatedAt),
  updatedBy: c.updatedBy,
});

export const policyToJson = (p: pb.SlaPolicy): z.input<typeof Policy> => ({
  id: p.id,
  version: Number(p.version),
  name: p.name,
  calendarId: p.calendarId,
  warnAtPercent: p.warnAtPercent,
  targets: p.targets.map((t) => ({ ...t, priority: t.priority as never, tier: t.tier as never })),
  updatedAt: at(p.updatedAt),
  updatedBy: p.updatedBy,
});

/** A REST patch as the proto patch: lists carry a "set" flag, so an omitted list stays as it is. */
export function patchToProto(b: z.output<typeof PatchTicketBody>): pb.TicketPatch {
  const { tags, links, attachments, customFields, ...scalars } = b;
  return {
    ...scalars,
    tags: tags ?? [],
    setTags: tags !== undefined,
    links: links ?? [],
    setLinks: links !== undefined,
    attachments: (attachments ?? []).map((a) => ({ ...a, sizeBytes: String(a.sizeBytes) })),
    setAttachments: attachments !== undefined,
    customFields,
  };
}
