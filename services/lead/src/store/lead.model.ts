import { type Connection, Schema } from 'mongoose';
import { outboxSchema, type OutboxEntry } from '@crm/kit';
import type { LeadInput, LeadStatus } from '../domain/lead';
import type { AssignmentRule } from '../domain/assignment';
import type { ScoringRule } from '../domain/scoring';

export interface AssignmentRecord {
  ownerId: string;
  teamId: string;
  queue: string;
  assignedBy: string;
  reason: string;
  ruleId: string;
  at: Date;
}

export interface LeadDoc extends LeadInput {
  _id: string;
  version: number;
  status: LeadStatus;
  disqualifyReason: string;
  ownerId: string;
  teamId: string;
  queue: string;
  score: number;
  assignments: AssignmentRecord[];
  dedupeKeys: string[];
  searchText: string;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

const leadSchema = new Schema<LeadDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    firstName: String,
    lastName: String,
    email: String,
    phone: String,
    company: String,
    title: String,
    contactLevel: String,
    region: String,
    industry: String,
    source: String,
    companySize: Number,
    attributes: { type: Map, of: String, default: {} },
    status: { type: String, required: true },
    disqualifyReason: String,
    ownerId: String,
    teamId: String,
    queue: String,
    score: Number,
    assignments: [
      new Schema<AssignmentRecord>(
        {
          ownerId: String,
          teamId: String,
          queue: String,
          assignedBy: String,
          reason: String,
          ruleId: String,
          at: Date,
        },
        { _id: false },
      ),
    ],
    dedupeKeys: [String],
    searchText: String,
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
  },
  { versionKey: false, minimize: false },
);
leadSchema.index({ dedupeKeys: 1 });
leadSchema.index({ ownerId: 1, createdAt: -1 });
leadSchema.index({ teamId: 1, createdAt: -1 });
leadSchema.index({ createdAt: -1 });
leadSchema.index({ status: 1 });

/** Administrator settings as versioned singleton documents: assignment rules and the scoring model. */
export interface SettingsDoc {
  _id: 'assignment' | 'scoring';
  version: number;
  rules: AssignmentRule[] | ScoringRule[];
  defaultQueue?: string;
  /** Round-robin position per assignment rule id. */
  cursors?: Record<string, number>;
  updatedAt?: Date;
  updatedBy?: string;
}

const settingsSchema = new Schema<SettingsDoc>(
  {
    _id: String,
    version: Number,
    rules: Schema.Types.Mixed,
    defaultQueue: String,
    cursors: Schema.Types.Mixed,
    updatedAt: Date,
    updatedBy: String,
  },
  { versionKey: false, minimize: false },
);

/**
 * One document per dedupe key (email, phone, company + name), keyed by _id: a duplicate check is a few
 * primary-key reads instead of a scan, which matters on FerretDB's SQLite backend (no secondary
 * indexes). The lead's own dedupeKeys stay the truth; a key pointing at a lead that no longer has it is
 * ignored.
 */
export interface LeadKeyDoc {
  _id: string;
  leadId: string;
}

const leadKeySchema = new Schema<LeadKeyDoc>({ _id: String, leadId: String }, { versionKey: false });

export function registerModels(db: Connection) {
  return {
    LeadKey: db.model<LeadKeyDoc>('LeadKey', leadKeySchema, 'lead_keys'),
    Lead: db.model<LeadDoc>('Lead', leadSchema, 'leads'),
    Settings: db.model<SettingsDoc>('Settings', settingsSchema, 'lead_settings'),
  };
}
export type LeadModels = ReturnType<typeof registerModels>;
