import {
  type Actor,
  afterCursor,
  isDuplicateKey,
  nextCursorOf,
  type OutboxEntry,
  saveAtVersion,
  visibilityFilter,
} from '@crm/kit';
import type { OpportunityQuery, OpportunityRepository, PipelineRepository } from '../application/ports';
import type { OpportunityDoc, OpportunityModels, PipelineDoc } from './opportunity.model';

const NO_OUTBOX = { outbox: 0 } as const;

async function inserted(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

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
    return (await this.m.Opportunity.findById(id, NO_OUTBOX).lean<OpportunityDoc>()) ?? undefined;
  }

  insert(opportunity: OpportunityDoc): Promise<boolean> {
    return inserted(() => this.m.Opportunity.create(opportunity));
  }

  countInStage(pipelineId: string, stageKey: string): Promise<number> {
    return this.m.Opportunity.countDocuments({ pipelineId, stageKey });
  }

  /** Newest first, paged by a (createdAt, _id) cursor. */
  async list(q: OpportunityQuery): Promise<{ opportunities: OpportunityDoc[]; nextCursor: string }> {
    const and: Record<string, unknown>[] = [];
    const visible = visibilityFilter(q.visibleTo);
    if (visible) and.push(visible);
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
    if (q.cursor) and.push(afterCursor(q.cursor, 'createdAt', true, 'date'));
    const docs = await this.m.Opportunity.find(and.length ? { $and: and } : {}, NO_OUTBOX)
      .sort({ createdAt: -1, _id: -1 })
      .limit(q.limit + 1)
      .lean<OpportunityDoc[]>();
    const { page, nextCursor } = nextCursorOf(docs, q.limit, (d) => d.createdAt);
    return { opportunities: page, nextCursor };
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
