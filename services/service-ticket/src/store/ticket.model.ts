import { type OutboxEntry, outboxSchema } from '@crm/kit';
import { type Connection, Schema } from 'mongoose';
import type {
  Comment,
  Escalation,
  PendingReason,
  StatusChange,
  TicketFields,
  TicketStatus,
} from '../domain/ticket';

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
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

const linkSchema = new Schema({ ticketId: String, kind: String }, { _id: false });
const attachmentSchema = new Schema({ name: String, sizeBytes: Number, contentType: String }, { _id: false });
const commentSchema = new Schema<Comment>(
  { id: String, visibility: String, body: String, authorId: String, createdAt: Date },
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
  { level: Number, toQueue: String, reason: String, escalatedBy: String, escalatedAt: Date },
  { _id: false },
);

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
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
  },
  { versionKey: false, minimize: false },
);
ticketSchema.index({ accountId: 1 });
ticketSchema.index({ queue: 1, status: 1 });

export function registerModels(db: Connection) {
  return { Ticket: db.model<TicketDoc>('Ticket', ticketSchema, 'tickets') };
}

export type TicketModels = ReturnType<typeof registerModels>;
