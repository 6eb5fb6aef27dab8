import { type OutboxEntry, outboxSchema } from '@crm/kit';
import { type Connection, Schema } from 'mongoose';
import type { RequestState } from '../domain/approval-request';
import type { DelegationInput } from '../domain/delegation';
import type { PolicyInput } from '../domain/policy';

interface Stamped {
  _id: string;
  version: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

/** A request with its frozen policy steps, where it stands and its trail. */
export interface ApprovalRequestDoc extends Stamped, RequestState {
  subjectType: string;
  subjectId: string;
  idempotencyKey: string;
  snapshot: Record<string, unknown>;
  title: string;
  policyId: string;
  policyVersion: number;
  /** Requester, every step's approvers and escalation targets: who may see it. */
  participantIds: string[];
}

/** One saved version of a policy, kept so a request can be traced to what it followed. */
export interface PolicyVersion {
  version: number;
  policy: PolicyInput;
  savedAt: Date;
  savedBy: string;
}

/** A policy at its latest version, with every earlier one. */
export interface PolicyDoc extends Stamped {
  policy: PolicyInput;
  history: PolicyVersion[];
}

export interface DelegationDoc extends Stamped, DelegationInput {
  active: boolean;
}

const trailSchema = new Schema(
  { action: String, step: Number, actorId: String, userIds: [String], comment: String, at: Date },
  { _id: false },
);

const stepSchema = new Schema(
  {
    name: String,
    userIds: [String],
    roles: [String],
    requesterManager: Boolean,
    mode: String,
    timeLimitMinutes: Number,
    escalateTo: String,
    escalateToUserId: String,
    approverIds: [String],
    escalationIds: [String],
  },
  { _id: false },
);

const policyInputSchema = new Schema(
  {
    name: String,
    subjectType: String,
    condition: String,
    snapshotFields: [String],
    priority: Number,
    active: Boolean,
    steps: [stepSchema],
  },
  { _id: false },
);

const stamps = {
  _id: String,
  version: { type: Number, required: true },
  createdAt: Date,
  createdBy: String,
  updatedAt: Date,
  updatedBy: String,
  outbox: [outboxSchema],
};

// Lists are only ever written whole ($set), never by position: FerretDB rejects positional updates.
const requestSchema = new Schema<ApprovalRequestDoc>(
  {
    ...stamps,
    subjectType: String,
    subjectId: String,
    idempotencyKey: { type: String, required: true },
    snapshot: { type: Schema.Types.Mixed, default: {} },
    title: String,
    requesterId: String,
    policyId: String,
    policyVersion: Number,
    status: String,
    steps: [stepSchema],
    currentStep: Number,
    currentApproverIds: [String],
    approvedBy: [String],
    dueAt: { type: Date, default: null },
    escalatedSteps: [Number],
    trail: [trailSchema],
    decidedAt: { type: Date, default: null },
    decidedBy: String,
    participantIds: [String],
  },
  { versionKey: false, minimize: false },
);
// The idempotency key is the request's identity for its requester: one request per key, even under races.
requestSchema.index({ idempotencyKey: 1 }, { unique: true });

const policySchema = new Schema<PolicyDoc>(
  {
    ...stamps,
    policy: policyInputSchema,
    history: [
      new Schema(
        { version: Number, policy: policyInputSchema, savedAt: Date, savedBy: String },
        { _id: false },
      ),
    ],
  },
  { versionKey: false, minimize: false },
);

const delegationSchema = new Schema<DelegationDoc>(
  {
    ...stamps,
    delegatorId: String,
    delegateId: String,
    startsOn: String,
    endsOn: String,
    comment: String,
    active: Boolean,
  },
  { versionKey: false, minimize: false },
);

export function registerModels(db: Connection) {
  return {
    ApprovalRequest: db.model<ApprovalRequestDoc>('ApprovalRequest', requestSchema, 'approval_requests'),
    Policy: db.model<PolicyDoc>('ApprovalPolicy', policySchema, 'approval_policies'),
    Delegation: db.model<DelegationDoc>('ApprovalDelegation', delegationSchema, 'approval_delegations'),
  };
}

export type ApprovalModels = ReturnType<typeof registerModels>;
