import { type OutboxEntry, outboxSchema } from '@crm/kit';
import type { PoolState, TransferStamp } from '@crm/ownership';
import { type Connection, Schema } from 'mongoose';
import type { CloseEntry, LossReason, OpportunityStatus } from '../domain/closing';
import type { DealTeamMember } from '../domain/deal-team';
import type { ForecastChange, OpportunityFields, StageMove } from '../domain/opportunity';
import type { PipelineInput } from '../domain/pipeline';

/** A pipeline as stored; the default one has the id DEFAULT_PIPELINE_ID. */
export interface PipelineDoc extends PipelineInput {
  _id: string;
  version: number;
  isDefault: boolean;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

/** A deal as stored: its fields, owner, place in a pipeline and the history the forecast needs. */
export interface OpportunityDoc extends OpportunityFields {
  _id: string;
  version: number;
  ownerId: string;
  teamId: string;
  sourceLeadId: string;
  pipelineId: string;
  stageKey: string;
  stageEnteredAt: Date;
  stageHistory: StageMove[];
  forecastChanges: ForecastChange[];
  /** Deals stored before closing existed have none: read as 'open' (see the repository). */
  status: OpportunityStatus;
  /** The approval request a close as won waits for; '' when none. */
  pendingCloseApprovalId: string;
  closedAt: Date | null;
  closedBy: string;
  lossReason: string;
  competitor: string;
  closeHistory: CloseEntry[];
  /** The deal team; memberIds repeats their user ids for the list filter (a plain array match). */
  teamMembers: DealTeamMember[];
  memberIds: string[];
  /** The key a saga step created it with ('' for none); its id derives from it. */
  creationKey: string;
  /** Set when a compensation discarded it: never read or listed again. */
  discardedAt: Date | null;
  /** Custom field values by key (@crm/custom-fields, entity "opportunity"); archived ones stay stored. */
  customFields: Record<string, unknown>;
  /** In the public pool or claimed from it (@crm/ownership). */
  pool?: PoolState;
  /** The ownership transfer that last moved it: which, from whom, by whom, when. */
  transfer?: TransferStamp;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

/** The admin-set loss reasons (one document, id 'loss-reasons'). */
export interface LossReasonsDoc {
  _id: 'loss-reasons';
  /** 0 for the built-in list, never stored. */
  version: number;
  reasons: LossReason[];
  updatedAt: Date | null;
  updatedBy: string;
}

const stageSchema = new Schema(
  {
    key: String,
    name: String,
    winProbability: Number,
    forecastCategory: String,
    exitCriteria: [String],
    outcome: { type: String, default: '' },
  },
  { _id: false },
);

const pipelineSchema = new Schema<PipelineDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    name: String,
    stages: [stageSchema],
    isDefault: Boolean,
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
  },
  { versionKey: false, minimize: false },
);

const stageMoveSchema = new Schema<StageMove>(
  { fromStage: String, toStage: String, movedBy: String, movedAt: Date, daysInStage: Number },
  { _id: false },
);

const forecastChangeSchema = new Schema<ForecastChange>(
  { field: String, before: String, after: String, changedBy: String, changedAt: Date },
  { _id: false },
);

const closeEntrySchema = new Schema<CloseEntry>(
  {
    action: String,
    by: String,
    at: Date,
    approvalRequestId: String,
    lossReason: String,
    competitor: String,
    comment: String,
    fromStage: String,
  },
  { _id: false },
);

const opportunitySchema = new Schema<OpportunityDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    name: String,
    accountId: { type: String, required: true },
    primaryContactId: { type: String, default: '' },
    decisionMakerContactId: { type: String, default: '' },
    amountMinor: { type: Number, default: 0 },
    currency: String,
    expectedCloseDate: { type: String, default: '' },
    nextStep: { type: String, default: '' },
    ownerId: { type: String, default: '' },
    teamId: { type: String, default: '' },
    sourceLeadId: { type: String, default: '' },
    pipelineId: { type: String, required: true },
    stageKey: { type: String, required: true },
    stageEnteredAt: Date,
    // Both lists are only ever written whole ($set), never by position: FerretDB rejects positional updates.
    stageHistory: { type: [stageMoveSchema], default: [] },
    forecastChanges: { type: [forecastChangeSchema], default: [] },
    status: { type: String, default: 'open' },
    pendingCloseApprovalId: { type: String, default: '' },
    closedAt: { type: Date, default: null },
    closedBy: { type: String, default: '' },
    lossReason: { type: String, default: '' },
    competitor: { type: String, default: '' },
    closeHistory: { type: [closeEntrySchema], default: [] },
    teamMembers: {
      type: [new Schema<DealTeamMember>({ userId: String, role: String }, { _id: false })],
      default: [],
    },
    memberIds: { type: [String], default: [] },
    creationKey: { type: String, default: '' },
    discardedAt: { type: Date, default: null },
    // Validated by @crm/custom-fields on write; values of archived fields stay stored, hidden on read.
    customFields: { type: Schema.Types.Mixed, default: {} },
    pool: { type: Schema.Types.Mixed },
    transfer: { type: Schema.Types.Mixed },
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
  },
  { versionKey: false, minimize: false },
);
opportunitySchema.index({ ownerId: 1 });
opportunitySchema.index({ accountId: 1 });
opportunitySchema.index({ memberIds: 1 });

const lossReasonsSchema = new Schema<LossReasonsDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    reasons: [new Schema<LossReason>({ key: String, name: String }, { _id: false })],
    updatedAt: Date,
    updatedBy: String,
  },
  { versionKey: false },
);

export function registerModels(db: Connection) {
  return {
    Pipeline: db.model<PipelineDoc>('Pipeline', pipelineSchema, 'pipelines'),
    Opportunity: db.model<OpportunityDoc>('Opportunity', opportunitySchema, 'opportunities'),
    LossReasons: db.model<LossReasonsDoc>('LossReasons', lossReasonsSchema, 'opportunity_settings'),
  };
}

export type OpportunityModels = ReturnType<typeof registerModels>;
