import { type Connection, Schema } from 'mongoose';
import { type Actor, keyRegistryModel, outboxSchema, type OutboxEntry } from '@crm/kit';
import type { PoolState, TransferStamp } from '@crm/ownership';
import type { SagaState } from '@crm/saga';
import type { ConversionData, LeadSnapshot } from '../domain/convert-lead';
import type { LeadInput, LeadStatus } from '../domain/lead';
import type { AssignmentRecord, AssignmentRule } from '../domain/assignment';
import type { ScoringRule } from '../domain/scoring';

export type { AssignmentRecord };

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
  /** What the lead became; set by the conversion's last step. */
  conversion?: LeadConversionDoc;
  /** The conversion saga's journal while it runs, and after (its key answers retries). */
  conversionSaga?: ConversionSagaDoc;
  /** Set from ActivityLogged events of the account service. */
  lastActivityAt?: Date;
  /** Public pool state (see @crm/ownership). */
  pool?: PoolState;
  /** The last ownership transfer that moved the lead: which, by whom, when (see @crm/ownership). */
  transfer?: TransferStamp;
}

export interface LeadConversionDoc {
  accountId: string;
  contactId: string;
  opportunityId: string;
  accountCreated: boolean;
  convertedAt: Date;
  convertedBy: string;
}

export interface ConversionSagaDoc {
  state: SagaState<ConversionData>;
  /** Who started it: a resumed conversion acts on their behalf. */
  actor: Actor;
  requestId: string;
  /** The lead as it was when the conversion started. */
  lead: LeadSnapshot;
  /** Only one runner at a time: a run holds the lease until it ends or the lease runs out. */
  leaseUntil: Date;
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
    customFields: { type: Schema.Types.Mixed, default: {} },
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
    conversion: Schema.Types.Mixed,
    conversionSaga: Schema.Types.Mixed,
    lastActivityAt: Date,
    pool: Schema.Types.Mixed,
    transfer: Schema.Types.Mixed,
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
 * Leads whose conversion may still be running, so the recovery job reads this short list instead of
 * scanning every lead (a scan of 10,000 leads took 3 s on FerretDB). Written before the saga starts
 * and removed once it ended; an entry whose lead is not converting is simply dropped.
 */
export interface OpenConversionDoc {
  _id: string;
  key: string;
  since: Date;
}

const openConversionSchema = new Schema<OpenConversionDoc>(
  { _id: String, key: String, since: Date },
  { versionKey: false },
);

export function registerModels(db: Connection) {
  return {
    OpenConversion: db.model<OpenConversionDoc>(
      'OpenConversion',
      openConversionSchema,
      'lead_open_conversions',
    ),
    // The duplicate keys (email, phone, company + person name) of leads, claimed before a lead is written.
    LeadKey: keyRegistryModel(db, 'LeadKey', 'lead_keys', 'leadId'),
    Lead: db.model<LeadDoc>('Lead', leadSchema, 'leads'),
    Settings: db.model<SettingsDoc>('Settings', settingsSchema, 'lead_settings'),
  };
}
export type LeadModels = ReturnType<typeof registerModels>;
