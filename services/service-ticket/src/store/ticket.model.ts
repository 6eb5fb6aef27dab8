import { type OutboxEntry, outboxSchema } from '@crm/kit';
import { type Connection, Schema } from 'mongoose';
import type { BusinessCalendar, SlaPolicyInput } from '../domain/sla';
import { NEVER, type SlaEvent, type SlaState, type TicketSla } from '../domain/sla-clock';
import type { SlaChange } from '../domain/sla-retarget';
import type { ServiceSettings } from '../domain/service-settings';
import type {
  Comment,
  Escalation,
  PendingReason,
  StatusChange,
  TicketFields,
  TicketStatus,
} from '../domain/ticket';
import type { TicketAssignment } from '../domain/queue';

/** A service ticket as stored, its comments and history with it. */
export interface TicketDoc extends TicketFields {
  _id: string;
  version: number;
  customFields: Record<string, unknown>;
  queue: string;
  assigneeId: string;
  status: TicketStatus;
  pendingReason: PendingReason;
  resolution: string;
  level: number;
  comments: Comment[];
  statusHistory: StatusChange[];
  escalations: Escalation[];
  firstRespondedAt?: Date;
  resolvedAt?: Date;
  closedAt?: Date;
  /** The open confirmation link of a resolved ticket: its nonce, until answered or superseded. */
  confirmation?: { nonce: string; expiresAt: Date };
  csatScore: number;
  csatComment: string;
  /** When a resolved ticket closes by itself; unset otherwise. */
  autoCloseAt?: Date;
  /** The account's tier when the ticket was opened (it picks the SLA target). */
  accountTier: string;
  /** The account's name when the ticket was opened or moved to it; absent on older tickets. */
  accountName?: string;
  sla: TicketSla;
  slaEvents: SlaEvent[];
  /** Derived from sla on every write, for the list filter. */
  slaState: SlaState;
  /** When the SLA timer looks at this ticket next; NEVER when nothing can fire. */
  slaCheckAt: Date;
  /** The nearest open due time, or NEVER, for sort=sla. */
  slaSortAt: Date;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
  /** Every assignment (routing, take, hand-over), oldest first; unset on tickets from before queues. */
  assignments?: TicketAssignment[];
  /** Set when this ticket was merged into another as a duplicate (it is closed then). */
  mergedIntoTicketId?: string;
  mergedAt?: Date;
  mergedBy?: string;
  /** The duplicates merged into this ticket. */
  mergedTickets?: MergedTicket[];
  /** SLA re-targetings after priority changes. */
  slaChanges?: SlaChange[];
}

export interface MergedTicket {
  ticketId: string;
  mergedBy: string;
  mergedAt: Date;
}

/** Settings documents (a calendar, a policy): keyed by id, changed by compare-and-set. */
export interface SettingsDoc {
  _id: string;
  version: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}
export type CalendarDoc = SettingsDoc & BusinessCalendar;
export type PolicyDoc = SettingsDoc & SlaPolicyInput;
/** The one document of service settings (id "service"). */
export type ServiceSettingsDoc = SettingsDoc & ServiceSettings;

const linkSchema = new Schema({ ticketId: String, kind: String }, { _id: false });
const attachmentSchema = new Schema({ name: String, sizeBytes: Number, contentType: String }, { _id: false });
const commentSchema = new Schema<Comment>(
  {
    id: String,
    visibility: String,
    body: String,
    authorId: String,
    createdAt: Date,
    mergedFromTicketId: String,
  },
  { _id: false },
);
const statusChangeSchema = new Schema<StatusChange>(
  {
    fromStatus: String,
    toStatus: String,
    pendingReason: String,
    note: String,
    changedBy: String,
    changedAt: Date,
  },
  { _id: false },
);
const escalationSchema = new Schema<Escalation>(
  {
    level: Number,
    toQueue: String,
    reason: String,
    escalatedBy: String,
    escalatedAt: Date,
    fromQueue: String,
    toManagerId: String,
  },
  { _id: false },
);

const slaSchema = new Schema<TicketSla>(
  {
    policyId: String,
    calendarId: String,
    warnAtPercent: Number,
    firstResponseMinutes: Number,
    resolutionMinutes: Number,
    startedAt: Date,
    pausedMinutes: Number,
    pausedSince: Date,
    firstResponseDueAt: Date,
    resolutionDueAt: Date,
    firstResponseWarnAt: Date,
    resolutionWarnAt: Date,
    firstResponseWarned: Boolean,
    resolutionWarned: Boolean,
    firstResponseBreached: Boolean,
    resolutionBreached: Boolean,
  },
  { _id: false },
);
const slaChangeSchema = new Schema<SlaChange>(
  {
    fromPriority: String,
    toPriority: String,
    firstResponseDueAt: Date,
    resolutionDueAt: Date,
    changedBy: String,
    changedAt: Date,
  },
  { _id: false },
);
const mergedTicketSchema = new Schema<MergedTicket>(
  { ticketId: String, mergedBy: String, mergedAt: Date },
  { _id: false },
);
const slaEventSchema = new Schema<SlaEvent>({ kind: String, target: String, at: Date }, { _id: false });

const ticketSchema = new Schema<TicketDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    accountId: { type: String, required: true },
    contactId: { type: String, default: '' },
    subject: String,
    description: { type: String, default: '' },
    channel: String,
    category: { type: String, default: '' },
    priority: String,
    tags: { type: [String], default: [] },
    links: { type: [linkSchema], default: [] },
    attachments: { type: [attachmentSchema], default: [] },
    customFields: { type: Schema.Types.Mixed, default: {} },
    queue: { type: String, required: true },
    assigneeId: { type: String, default: '' },
    status: { type: String, required: true },
    pendingReason: { type: String, default: '' },
    resolution: { type: String, default: '' },
    level: { type: Number, default: 1 },
    // Lists are only ever written whole ($set), never by position: FerretDB rejects positional updates.
    comments: { type: [commentSchema], default: [] },
    statusHistory: { type: [statusChangeSchema], default: [] },
    escalations: { type: [escalationSchema], default: [] },
    firstRespondedAt: Date,
    resolvedAt: Date,
    closedAt: Date,
    confirmation: new Schema({ nonce: String, expiresAt: Date }, { _id: false }),
    csatScore: { type: Number, default: 0 },
    csatComment: { type: String, default: '' },
    autoCloseAt: Date,
    accountTier: { type: String, default: '' },
    accountName: { type: String, default: '' },
    sla: slaSchema,
    slaEvents: { type: [slaEventSchema], default: [] },
    slaState: { type: String, default: 'none' },
    slaCheckAt: { type: Date, default: NEVER },
    slaSortAt: { type: Date, default: NEVER },
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
    assignments: {
      type: [
        new Schema<TicketAssignment>(
          {
            assigneeId: String,
            previousAssigneeId: String,
            queue: String,
            method: String,
            assignedBy: String,
            assignedAt: Date,
            reason: String,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    mergedIntoTicketId: String,
    mergedAt: Date,
    mergedBy: String,
    mergedTickets: { type: [mergedTicketSchema], default: [] },
    slaChanges: { type: [slaChangeSchema], default: [] },
  },
  { versionKey: false, minimize: false },
);
ticketSchema.index({ accountId: 1 });
ticketSchema.index({ queue: 1, status: 1 });
ticketSchema.index({ slaCheckAt: 1 });
ticketSchema.index({ status: 1, autoCloseAt: 1 });

const settings = {
  _id: String,
  version: { type: Number, required: true },
  createdAt: Date,
  createdBy: String,
  updatedAt: Date,
  updatedBy: String,
  outbox: [outboxSchema],
};
const calendarSchema = new Schema<CalendarDoc>(
  {
    ...settings,
    name: String,
    timeZone: String,
    workingDays: [Number],
    opensAt: String,
    closesAt: String,
    holidays: [String],
  },
  { versionKey: false, minimize: false },
);
const policySchema = new Schema<PolicyDoc>(
  {
    ...settings,
    name: String,
    calendarId: String,
    warnAtPercent: Number,
    targets: [
      new Schema(
        { priority: String, tier: String, firstResponseMinutes: Number, resolutionMinutes: Number },
        { _id: false },
      ),
    ],
  },
  { versionKey: false, minimize: false },
);

const serviceSettingsSchema = new Schema<ServiceSettingsDoc>(
  {
    ...settings,
    autoCloseDays: Number,
    reopenWindowDays: Number,
    confirmationLinkDays: Number,
    defaultWarnAtPercent: Number,
    followAccountTransfer: String,
  },
  { versionKey: false, minimize: false },
);

export function registerModels(db: Connection) {
  return {
    ServiceSettings: db.model<ServiceSettingsDoc>(
      'ServiceSettings',
      serviceSettingsSchema,
      'service_settings',
    ),
    Ticket: db.model<TicketDoc>('Ticket', ticketSchema, 'tickets'),
    Calendar: db.model<CalendarDoc>('BusinessCalendar', calendarSchema, 'business_calendars'),
    Policy: db.model<PolicyDoc>('SlaPolicy', policySchema, 'sla_policies'),
  };
}

export type TicketModels = ReturnType<typeof registerModels>;
