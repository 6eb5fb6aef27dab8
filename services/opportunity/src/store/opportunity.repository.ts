import {
  type Actor,
  afterCursor,
  type CursorKind,
  inserted,
  nextCursorOf,
  type OutboxEntry,
  saveAtVersion,
  VersionMismatchError,
  visibilityFilter,
  writesTo,
} from '@crm/kit';
import type { LossReason } from '../domain/closing';
import type {
  LossReasonsRepository,
  OpportunityQuery,
  OpportunityRepository,
  OpportunitySortField,
  PipelineRepository,
} from '../application/ports';
import type { LossReasonsDoc, OpportunityDoc, OpportunityModels, PipelineDoc } from './opportunity.model';

/** Deals stored before closing existed lack its fields (lean reads apply no schema defaults). */
const CLOSING_DEFAULTS = {
  status: 'open',
  pendingCloseApprovalId: '',
  closedAt: null,
  closedBy: '',
  lossReason: '',
  competitor: '',
  closeHistory: [],
  teamMembers: [],
  memberIds: [],
  creationKey: '',
  discardedAt: null,
  customFields: {},
} as const;
const withDefaults = (d: OpportunityDoc): OpportunityDoc => ({ ...CLOSING_DEFAULTS, ...d });

const NO_OUTBOX = { outbox: 0 } as const;

/** How each sortable field's value is checked when a cursor comes back. */
const CURSOR_KIND: Record<OpportunitySortField, CursorKind> = {
  createdAt: 'date',
  updatedAt: 'date',
  expectedCloseDate: 'string',
  amountMinor: 'number',
  name: 'string',
};

/** Pipelines in MongoDB: queries and writes only (the rules are in src/application). */
export class MongoPipelineRepository implements PipelineRepository {
  constructor(private readonly m: OpportunityModels) {}

  async get(id: string): Promise<PipelineDoc | undefined> {
    return (await this.m.Pipeline.findById(id, NO_OUTBOX).lean<PipelineDoc>()) ?? undefined;
  }

  list(): Promise<PipelineDoc[]> {
    return this.m.Pipeline.find({}, NO_OUTBOX).lean<PipelineDoc[]>();
  }

  insert(pipeline: PipelineDoc): Promise<boolean> {
    return inserted(() => this.m.Pipeline.create(pipeline));
  }

  save(
    current: PipelineDoc,
    set: Partial<PipelineDoc>,
    actor: Actor,
    events: (next: PipelineDoc) => OutboxEntry[],
  ): Promise<PipelineDoc> {
    return saveAtVersion(this.m.Pipeline, current, set, actor, events);
  }
}

/** Opportunities in MongoDB: queries and writes only. */
export class MongoOpportunityRepository implements OpportunityRepository {
  constructor(private readonly m: OpportunityModels) {}

  async get(id: string): Promise<OpportunityDoc | undefined> {
    const doc = await this.m.Opportunity.findById(id, NO_OUTBOX).lean<OpportunityDoc>();
    return doc ? withDefaults(doc) : undefined;
  }

  insert(opportunity: OpportunityDoc): Promise<boolean> {
    return inserted(() => this.m.Opportunity.create(opportunity));
  }

  countInStage(pipelineId: string, stageKey: string): Promise<number> {
    return this.m.Opportunity.countDocuments({ pipelineId, stageKey, discardedAt: null });
  }

  async inStage(pipelineId: string, stageKey: string): Promise<OpportunityDoc[]> {
    const docs = await this.m.Opportunity.find({ pipelineId, stageKey, discardedAt: null }, NO_OUTBOX).lean<
      OpportunityDoc[]
    >();
    return docs.map(withDefaults);
  }

  /**
   * Ordered by the query's field, then _id, paged by a (value, _id) cursor. On FerretDB a sorted read
   * scans and sorts every matching deal in its own process, so a page is never more than 200.
   */
  async list(q: OpportunityQuery): Promise<{ opportunities: OpportunityDoc[]; nextCursor: string }> {
    // A deal discarded by a conversion's compensation is gone for everyone (get answers 404 too).
    const and: Record<string, unknown>[] = [{ discardedAt: null }];
    // Record access plus the deal team: members see the deal in their lists too.
    const visible = visibilityFilter(q.visibleTo);
    if (visible) and.push({ $or: [visible, { memberIds: q.visibleTo.userId }] });
    if (q.stageKey) and.push({ stageKey: q.stageKey });
    if (q.ownerId) and.push({ ownerId: q.ownerId });
    if (q.teamId) and.push({ teamId: q.teamId });
    if (q.closeDateFrom) and.push({ expectedCloseDate: { $gte: q.closeDateFrom } });
    if (q.closeDateTo) and.push({ expectedCloseDate: { $lte: q.closeDateTo, $ne: '' } });
    if (q.amountMinMinor !== undefined) and.push({ amountMinor: { $gte: q.amountMinMinor } });
    if (q.amountMaxMinor !== undefined) and.push({ amountMinor: { $lte: q.amountMaxMinor } });
    if (q.stagesIn)
      and.push({
        $or: [
          // No pipeline has a stage of that category: match nothing.
          { _id: { $in: [] } },
          ...q.stagesIn.map((s) => ({ pipelineId: s.pipelineId, stageKey: { $in: s.stageKeys } })),
        ],
      });
    if (q.accountId) and.push({ accountId: q.accountId });
    if (q.pipelineId) and.push({ pipelineId: q.pipelineId });
    if (q.customFilter && Object.keys(q.customFilter).length) and.push(q.customFilter);
    if (q.cursor) and.push(afterCursor(q.cursor, q.sort, q.descending, CURSOR_KIND[q.sort]));
    const dir = q.descending ? -1 : 1;
    const docs = await this.m.Opportunity.find({ $and: and }, NO_OUTBOX)
      .sort({ [q.sort]: dir, _id: dir })
      .limit(q.limit + 1)
      .lean<OpportunityDoc[]>();
    const { page, nextCursor } = nextCursorOf(docs, q.limit, (d) => d[q.sort]);
    return { opportunities: page.map(withDefaults), nextCursor };
  }

  save(
    current: OpportunityDoc,
    set: Partial<OpportunityDoc>,
    actor: Actor,
    events: (next: OpportunityDoc) => OutboxEntry[],
  ): Promise<OpportunityDoc> {
    return saveAtVersion(this.m.Opportunity, current, set, actor, events);
  }
}

/** The loss reasons as one versioned document; the first save inserts it by id (atomic on FerretDB). */
export class MongoLossReasonsRepository implements LossReasonsRepository {
  constructor(private readonly m: OpportunityModels) {}

  async get(): Promise<LossReasonsDoc | undefined> {
    return (await this.m.LossReasons.findById('loss-reasons').lean<LossReasonsDoc>()) ?? undefined;
  }

  async put(version: number, reasons: LossReason[], actor: Actor): Promise<LossReasonsDoc> {
    const next = { reasons, version: version + 1, updatedAt: new Date(), updatedBy: actor.userId };
    const saved = version
      ? await writesTo(this.m.LossReasons).updateAtVersion('loss-reasons', version, { $set: next })
      : await inserted(() => this.m.LossReasons.create({ _id: 'loss-reasons', ...next }));
    if (!saved) throw new VersionMismatchError(version, version + 1);
    return { _id: 'loss-reasons', ...next };
  }
}
