import { allows, ForbiddenError, type Actor } from '@crm/kit/domain';
import { BUILT_IN_DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID, type PipelineFact } from '../domain/facts';
import { normaliseQuery, type FigureQuery } from '../domain/figure-query';
import { funnel, leaderboard, pipelineFigures } from '../domain/figures';
import type { FactFilter, FactStore, Generations } from './ports';

export type RawQuery = Partial<Record<keyof FigureQuery, string>>;

/**
 * The sales figures, from the current generation of facts. Who sees what is the record rule of every
 * service (kit visibilityFilter): a rep their own records, a manager their teams' and the unowned queue,
 * an admin all; the store applies it, so a filter naming someone else's records just finds none.
 */
export class Figures {
  constructor(
    private readonly generations: Generations,
    private readonly store: FactStore,
  ) {}

  async funnel(raw: RawQuery, reader: Actor) {
    const { q, generation, filter } = await this.prepare(raw, reader);
    const [leads, deals, pipelines] = await Promise.all([
      this.store.leads(generation, filter),
      this.store.opportunities(generation, filter),
      this.pipelines(generation),
    ]);
    const pipeline = pipelines.get(q.pipelineId || DEFAULT_PIPELINE_ID);
    if (!pipeline) return [];
    return funnel(leads, deals, pipeline, pipelines, q);
  }

  async pipeline(raw: RawQuery, reader: Actor) {
    // The pipeline counts open deals whatever day they were created; from/to bound the expected close day.
    const { q, generation, filter } = await this.prepare(raw, reader);
    const open = { ...filter, from: '', to: '' };
    const [deals, pipelines] = await Promise.all([
      this.store.opportunities(generation, open),
      this.pipelines(generation),
    ]);
    const closing = deals.filter(
      (d) =>
        (!q.from || (!!d.expectedCloseDate && d.expectedCloseDate >= q.from)) &&
        (!q.to || (!!d.expectedCloseDate && d.expectedCloseDate <= q.to)),
    );
    return pipelineFigures(closing, pipelines, q);
  }

  async leaderboard(raw: RawQuery, reader: Actor) {
    const { q, generation, filter } = await this.prepare(raw, reader);
    const [leads, deals, pipelines] = await Promise.all([
      this.store.leads(generation, filter),
      this.store.opportunities(generation, filter),
      this.pipelines(generation),
    ]);
    return leaderboard(leads, deals, pipelines, q);
  }

  private async prepare(raw: RawQuery, reader: Actor) {
    if (!allows(reader.roles, 'analytics.sales.read'))
      throw new ForbiddenError('sales figures are for sales reps, sales managers and admins');
    const q = normaliseQuery(raw);
    const generation = await this.generations.current();
    const filter: FactFilter = { from: q.from, to: q.to, ownerId: q.ownerId, teamId: q.teamId, reader };
    return { q, generation, filter };
  }

  private async pipelines(generation: number): Promise<Map<string, PipelineFact>> {
    const saved = await this.store.pipelines(generation);
    const byId = new Map<string, PipelineFact>([[DEFAULT_PIPELINE_ID, BUILT_IN_DEFAULT_PIPELINE]]);
    for (const p of saved) byId.set(p._id, p);
    return byId;
  }
}
