import type { CustomFieldSet } from '@crm/custom-fields';
import type { Actor, OutboxEntry } from '@crm/kit';
import type { ApprovalRequests } from './approvals';
import type { LossReason } from '../domain/closing';
import type { LossReasonsDoc, OpportunityDoc, PipelineDoc } from '../store/opportunity.model';

/** Who acts and under which request id (kit's callerOf). */
export interface Caller {
  actor: Actor;
  requestId: string;
}

export interface PipelineRepository {
  get(id: string): Promise<PipelineDoc | undefined>;
  /** Every pipeline (an installation has a handful). */
  list(): Promise<PipelineDoc[]>;
  /** Inserts a new pipeline; false when the id is taken (two replicas seeding the default at once). */
  insert(pipeline: PipelineDoc): Promise<boolean>;
  /** Compare-and-set on the version with its events; throws VersionMismatchError when another write came first. */
  save(
    current: PipelineDoc,
    set: Partial<PipelineDoc>,
    actor: Actor,
    events: (next: PipelineDoc) => OutboxEntry[],
  ): Promise<PipelineDoc>;
}

/** What a list can be ordered by, as stored (the API's names are in the use case). */
export type OpportunitySortField = 'createdAt' | 'updatedAt' | 'expectedCloseDate' | 'amountMinor' | 'name';

/** A validated list query of opportunities. */
export interface OpportunityQuery {
  /** Only deals this actor may see (kit's record access). */
  visibleTo: Actor;
  stageKey: string;
  ownerId: string;
  teamId: string;
  accountId: string;
  pipelineId: string;
  /** Inclusive yyyy-mm-dd bounds of expectedCloseDate; '' for none (a deal without a date never matches a bound). */
  closeDateFrom: string;
  closeDateTo: string;
  amountMinMinor?: number;
  amountMaxMinor?: number;
  /** Only deals in one of these stages of their pipeline (a forecast category); undefined for any. */
  stagesIn?: { pipelineId: string; stageKeys: string[] }[];
  /** A mongo filter on customFields.<key> built by @crm/custom-fields; undefined for none. */
  customFilter?: Record<string, unknown>;
  sort: OpportunitySortField;
  descending: boolean;
  limit: number;
  cursor: string;
}

export interface OpportunityRepository {
  get(id: string): Promise<OpportunityDoc | undefined>;
  /** Inserts a new deal; false when the id is taken. */
  insert(opportunity: OpportunityDoc): Promise<boolean>;
  list(query: OpportunityQuery): Promise<{ opportunities: OpportunityDoc[]; nextCursor: string }>;
  /** Deals of a pipeline in an open stage (a stage holding any cannot be removed). */
  countInStage(pipelineId: string, stageKey: string): Promise<number>;
  /** The live deals in a stage of a pipeline (moved off a stage an admin removes). */
  inStage(pipelineId: string, stageKey: string): Promise<OpportunityDoc[]>;
  /** Compare-and-set on the version with its events; throws VersionMismatchError when another write came first. */
  save(
    current: OpportunityDoc,
    set: Partial<OpportunityDoc>,
    actor: Actor,
    events: (next: OpportunityDoc) => OutboxEntry[],
  ): Promise<OpportunityDoc>;
}

/** The admin-set loss reasons; undefined until an admin first saves them. */
export interface LossReasonsRepository {
  get(): Promise<LossReasonsDoc | undefined>;
  /** Compare-and-set on the version (0: the first save); throws VersionMismatchError when another save came first. */
  put(version: number, reasons: LossReason[], actor: Actor): Promise<LossReasonsDoc>;
}

/** Asks the account service whether an account exists and the caller may see it. */
export interface AccountCheck {
  /** False for an unknown account and for one the caller may not see; transport trouble throws. */
  isVisible(id: string, c: Caller): Promise<boolean>;
  /** The account of a contact the caller may see; undefined for an unknown or invisible contact. */
  accountOfContact(contactId: string, c: Caller): Promise<string | undefined>;
}

/** The custom fields of deals (@crm/custom-fields CustomFields, entity "opportunity"). */
export interface OpportunityCustomFields {
  fields(entity: 'opportunity'): Promise<CustomFieldSet>;
}

/** Tells the outbox relay that a record has new events (the service host's `written`). */
export type Written = (kind: 'pipeline' | 'opportunity', id: string) => void;

/** Everything the use cases of this service are written against. */
export interface OpportunityPorts {
  pipelines: PipelineRepository;
  opportunities: OpportunityRepository;
  lossReasons: LossReasonsRepository;
  /** A deal is always with an account the seller can see. */
  accounts: AccountCheck;
  /** The approval engine (closing a deal as won, quotes, payments). */
  approvals: ApprovalRequests;
  customFields: OpportunityCustomFields;
  written: Written;
}
