import { randomUUID } from 'node:crypto';
import {
  allows,
  checkVersion,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  retryOnVersionMismatch,
  Violations,
} from '@crm/kit';
import { wholeDaysBetween } from '../domain/opportunity';
import {
  DEFAULT_PIPELINE,
  DEFAULT_PIPELINE_ID,
  normalisePipelineInput,
  type RawStage,
  type Stage,
  stageOf,
} from '../domain/pipeline';
import { opportunityEvents as events } from '../events/opportunity-events';
import type { OpportunityDoc, PipelineDoc } from '../store/opportunity.model';
import type { Caller, OpportunityPorts } from './ports';

/** The shipped default pipeline before an admin first saves it: version 0, never written. */
const builtInDefault = (): PipelineDoc => ({
  _id: DEFAULT_PIPELINE_ID,
  version: 0,
  ...structuredClone(DEFAULT_PIPELINE),
  isDefault: true,
  createdAt: new Date(0),
  createdBy: 'system',
  updatedAt: new Date(0),
  updatedBy: 'system',
  outbox: [],
});

/**
 * Pipelines: read by every seller, written by admins. The default pipeline exists from the start
 * (served built-in until an admin saves it), so a fresh installation can take deals at once.
 */
export class Pipelines {
  constructor(private readonly p: OpportunityPorts) {}

  /** Every pipeline, the default first. */
  async list(): Promise<PipelineDoc[]> {
    const stored = await this.p.pipelines.list();
    const all = stored.some((x) => x._id === DEFAULT_PIPELINE_ID) ? stored : [builtInDefault(), ...stored];
    return all.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
  }

  async get(id: string): Promise<PipelineDoc> {
    const key = id.trim() || DEFAULT_PIPELINE_ID;
    const found = await this.p.pipelines.get(key);
    if (found) return found;
    if (key === DEFAULT_PIPELINE_ID) return builtInDefault();
    throw new NotFoundError('pipeline', key);
  }

  /**
   * Creates (no id) or replaces a pipeline, validated as a whole. A stage that still holds open deals
   * cannot be removed: those deals would be stranded, so the admin moves them first.
   */
  async save(
    id: string,
    expectedVersion: number,
    raw: { name: string; stages: RawStage[] },
    c: Caller,
    moveDeals: Record<string, string> = {},
  ): Promise<PipelineDoc> {
    if (!allows(c.actor.roles, 'settings.write'))
      throw new ForbiddenError('only an admin may change pipelines');
    const input = normalisePipelineInput(raw);
    const now = new Date();
    if (!id.trim()) {
      const doc: PipelineDoc = {
        _id: randomUUID(),
        version: 1,
        ...input,
        isDefault: false,
        createdAt: now,
        createdBy: c.actor.userId,
        updatedAt: now,
        updatedBy: c.actor.userId,
        outbox: [],
      };
      doc.outbox = [events.pipelineSaved(doc, c.actor, c.requestId)];
      await this.p.pipelines.insert(doc);
      this.p.written('pipeline', doc._id);
      return doc;
    }
    const current = await this.get(id);
    checkVersion(expectedVersion, current.version);
    // A removed stage that holds deals needs a place for them (moveDeals: removed key -> kept open stage).
    const kept = new Set(input.stages.map((s) => s.key));
    const moves: { from: string; to: Stage; deals: OpportunityDoc[] }[] = [];
    const v = new Violations();
    for (const s of current.stages) {
      if (kept.has(s.key) || s.forecastCategory === 'closed') continue;
      const deals = await this.p.opportunities.inStage(current._id, s.key);
      if (!deals.length) continue;
      const to = stageOf(input, moveDeals[s.key] ?? '');
      if (!moveDeals[s.key])
        throw new ConflictError(
          `stage ${s.key} holds ${deals.length} open deal(s); name the stage they move to in moveDeals`,
        );
      if (!to || to.forecastCategory === 'closed' || !stageOf(current, to.key))
        v.add(`moveDeals.${s.key}`, 'must be an open stage kept from the current pipeline');
      else moves.push({ from: s.key, to, deals });
    }
    v.throwIfAny();
    // Deals move first: should the save then fail, they sit in a stage that still exists.
    for (const m of moves) for (const deal of m.deals) await this.moveOff(deal, m.to, c);
    if (current.version === 0) return this.insertDefault(current, input, c);
    const next = await this.p.pipelines.save(current, input, c.actor, (n) => [
      events.pipelineSaved(n, c.actor, c.requestId),
    ]);
    this.p.written('pipeline', next._id);
    return next;
  }

  /** The first save of the built-in default writes it; a concurrent first save makes this a version conflict. */
  private async insertDefault(
    builtIn: PipelineDoc,
    input: Pick<PipelineDoc, 'name' | 'stages'>,
    c: Caller,
  ): Promise<PipelineDoc> {
    const now = new Date();
    const doc: PipelineDoc = {
      ...builtIn,
      ...input,
      version: 1,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
    };
    doc.outbox = [events.pipelineSaved(doc, c.actor, c.requestId)];
    if (!(await this.p.pipelines.insert(doc)))
      throw new ConflictError('the pipeline was saved meanwhile; reload it');
    this.p.written('pipeline', doc._id);
    return doc;
  }

  /** One deal off a removed stage, recorded like any stage move (the exit criteria do not hold it back). */
  private async moveOff(deal: OpportunityDoc, to: Stage, c: Caller): Promise<void> {
    const now = new Date();
    const move = {
      fromStage: deal.stageKey,
      toStage: to.key,
      movedBy: c.actor.userId,
      movedAt: now,
      daysInStage: wholeDaysBetween(deal.stageEnteredAt, now),
    };
    await retryOnVersionMismatch(async () => {
      const current = (await this.p.opportunities.get(deal._id)) ?? deal;
      if (current.stageKey !== deal.stageKey) return; // moved meanwhile
      await this.p.opportunities.save(
        current,
        { stageKey: to.key, stageEnteredAt: now, stageHistory: [...current.stageHistory, move] },
        c.actor,
        (n) => [events.stageChanged(n, move, to.forecastCategory, c.actor, c.requestId)],
      );
    });
    this.p.written('opportunity', deal._id);
  }
}
