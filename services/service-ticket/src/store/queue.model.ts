import { type OutboxEntry, outboxSchema } from '@crm/kit';
import { type Connection, Schema } from 'mongoose';
import type { AssignmentRulesInput } from '../domain/assignment-rules';
import type { QueueFields } from '../domain/queue';

/** A queue as stored; `_id` is its key. */
export interface QueueDoc extends QueueFields {
  _id: string;
  version: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

/** The one document holding the ordered assignment rules (`_id` RULES_ID). */
export interface RulesDoc extends AssignmentRulesInput {
  _id: string;
  version: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

/**
 * One turn of a queue's rotation: which agent got which ticket. `_id` is `<queue>#<seq>`, so of two
 * tickets handed out at once exactly one gets a turn number (an insert by `_id` is atomic on FerretDB
 * too, a conditional update is not); the other reads the new last turn and takes the next.
 */
export interface TurnDoc {
  _id: string;
  queue: string;
  seq: number;
  agentId: string;
  ticketId: string;
  at: Date;
}

export const RULES_ID = 'assignment-rules';

const meta = {
  _id: String,
  version: { type: Number, required: true },
  createdAt: Date,
  createdBy: String,
  updatedAt: Date,
  updatedBy: String,
  outbox: [outboxSchema],
};

const queueSchema = new Schema<QueueDoc>(
  {
    ...meta,
    name: String,
    // Written whole ($set), never by position: FerretDB rejects positional updates.
    members: [new Schema({ userId: String, availability: String }, { _id: false })],
    seniorQueue: { type: String, default: '' },
    managerId: { type: String, default: '' },
    assignmentMethod: String,
    active: { type: Boolean, default: true },
  },
  { versionKey: false, minimize: false },
);

const conditionsSchema = new Schema(
  { categories: [String], tiers: [String], channels: [String], priorities: [String] },
  { _id: false },
);
const rulesSchema = new Schema<RulesDoc>(
  {
    ...meta,
    rules: [new Schema({ name: String, when: conditionsSchema, queue: String }, { _id: false })],
    defaultQueue: String,
  },
  { versionKey: false, minimize: false },
);

const turnSchema = new Schema<TurnDoc>(
  { _id: String, queue: String, seq: Number, agentId: String, ticketId: String, at: Date },
  { versionKey: false },
);
turnSchema.index({ queue: 1, seq: -1 });

export function registerQueueModels(db: Connection) {
  return {
    Queue: db.model<QueueDoc>('Queue', queueSchema, 'queues'),
    Rules: db.model<RulesDoc>('AssignmentRules', rulesSchema, 'assignment_rules'),
    Turn: db.model<TurnDoc>('QueueTurn', turnSchema, 'queue_turns'),
  };
}

export type QueueModels = ReturnType<typeof registerQueueModels>;
