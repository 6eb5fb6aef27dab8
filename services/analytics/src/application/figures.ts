import { allows, ForbiddenError, type Actor, Roles, ValidationError } from '@crm/kit/domain';
import { BUILT_IN_DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID, type PipelineFact } from '../domain/facts';
import { normaliseQuery, type FigureQuery } from '../domain/figure-query';
import { funnel, leaderboard, pipelineFigures } from '../domain/figures';
import { forecast, products, salesCycle, winRate } from '../domain/sales-figures';
import { paymentFigures } from '../domain/payment-facts';
import { accountRfm } from '../domain/account-rfm';
import { forecastAccuracy } from '../domain/forecast-accuracy';
import {
  Converter,
  dealsInReporting,
  paymentsInReporting,
  quotesInReporting,
} from '../domain/exchange-rates';
import { dealsOfOrigin, filtersByOrigin, leadsOfOrigin, type Origin } from '../domain/origin';
import { backlog, csat, resolutionTime, sla } from '../domain/service-figures';
import type { FactFilter, FactStore, Generations, RatesStore } from './ports';

export type RawQuery = Partial<Record<keyof FigureQuery, string>>;

/** The reader of figures analytics computes for itself (the published RFM segments): it sees every record. */
const EVERY_RECORD: Actor = { userId: '', username: 'analytics', roles: [Roles.admin], teams: [] };

/**
 * The sales figures, from the current generation of facts. Who sees what is the record rule of every
 * service (kit visibilityFilter): a rep their own records, a manager their teams' and the unowned queue,
 * an admin all; the store applies it, so a filter naming someone else's records just finds none.
 */
export class Figures {
  constructor(
    private readonly generations: Generations,
    private readonly store: FactStore,
    /** The admin's exchange rates, for `currency=reporting`. */
    private readonly rates?: RatesStore,
    /** Today (UTC, "yyyy-mm-dd"): what overdue is counted at. */
    private readonly today: () => string = () => new Date().toISOString().slice(0, 10),
  ) {}

  async funnel(raw: RawQuery, reader: Actor) {
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    const [leads, deals, pipelines] = await Promise.all([
      this.leads(generation, filter, q),
      this.deals(generation, filter, q, convert),
      this.pipelines(generation),
    ]);
    const pipeline = pipelines.get(q.pipelineId || DEFAULT_PIPELINE_ID);
    if (!pipeline) return [];
    return funnel(leads, deals, pipeline, pipelines, q);
  }

  async pipeline(raw: RawQuery, reader: Actor) {
    // The pipeline counts open deals whatever day they were created; from/to bound the expected close day.
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    const open = { ...filter, from: '', to: '' };
    const [deals, pipelines] = await Promise.all([
      this.deals(generation, open, q, convert),
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
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    // Activities and payments are the rep's work whatever the lead's source: origin does not narrow them.
    const [leads, deals, pipelines, activities, payments] = await Promise.all([
      this.leads(generation, filter, q),
      this.deals(generation, filter, q, convert),
      this.pipelines(generation),
      this.store.activities(generation, filter),
      this.store.payments(generation, { ...filter, from: '', to: '' }),
    ]);
    const collected = convert ? paymentsInReporting(convert, payments) : payments;
    return leaderboard(leads, deals, pipelines, q, activities, collected);
  }

  async winRate(raw: RawQuery, reader: Actor) {
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    return winRate(await this.deals(generation, { ...filter, from: '', to: '' }, q, convert), q);
  }

  async salesCycle(raw: RawQuery, reader: Actor) {
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    const [deals, pipelines] = await Promise.all([
      this.deals(generation, { ...filter, from: '', to: '' }, q, convert),
      this.pipelines(generation),
    ]);
    const pipeline = pipelines.get(q.pipelineId || DEFAULT_PIPELINE_ID) ?? BUILT_IN_DEFAULT_PIPELINE;
    return salesCycle(deals, pipeline, q);
  }

  async forecast(raw: RawQuery, reader: Actor) {
    // Like the pipeline: from/to bound the expected close day (open deals) or the close day (won ones).
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    const [deals, pipelines] = await Promise.all([
      this.deals(generation, { ...filter, from: '', to: '' }, q, convert),
      this.pipelines(generation),
    ]);
    return forecast(deals, pipelines, q);
  }

  /** Committed at each period's start vs closed in it; from/to bound the periods' first days. */
  async forecastAccuracy(raw: RawQuery, reader: Actor) {
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    const [deals, pipelines] = await Promise.all([
      this.deals(generation, { ...filter, from: '', to: '' }, q, convert),
      this.pipelines(generation),
    ]);
    return forecastAccuracy(deals, pipelines, q, this.today());
  }

  async products(raw: RawQuery, reader: Actor) {
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    const won = (await this.deals(generation, { ...filter, from: '', to: '' }, q, convert)).filter(
      (d) => d.status === 'won',
    );
    const stored = await this.store.quotes(
      generation,
      won.map((d) => d._id),
    );
    const wonDay = new Map(won.map((d) => [d._id, d.closedDay]));
    const quotes = convert ? quotesInReporting(convert, stored, (id) => wonDay.get(id) ?? '') : stored;
    return products(won, quotes, q);
  }

  /** Payment milestones of the deals the reader may see: collected vs due by period, overdue ageing. */
  async payments(raw: RawQuery, reader: Actor) {
    const { q, generation, filter, convert } = await this.prepare(raw, reader);
    const stored = await this.store.payments(generation, { ...filter, from: '', to: '' });
    return paymentFigures(convert ? paymentsInReporting(convert, stored) : stored, q, this.today());
  }

  /**
   * RFM per account from the won deals and payments the reader may see. Monetary is in the reporting
   * currency when one is set (whatever the query's `currency`), else in the one currency the deals were
   * won in; deals in several currencies and no reporting currency is a 400 saying to set one.
   */
  async accountsRfm(raw: RawQuery, reader: Actor) {
    const { q, generation, filter } = await this.prepare({ ...raw, currency: '' }, reader);
    return this.rfm(q, generation, filter);
  }

  /**
   * RFM of every account over all time (what `accounts/rfm` shows an admin with no filter): the scores
   * analytics publishes as each account's segment (AccountSegments).
   */
  async everyAccountRfm() {
    const q = normaliseQuery({});
    const all: FactFilter = { from: '', to: '', ownerId: '', teamId: '', reader: EVERY_RECORD };
    return this.rfm(q, await this.generations.current(), all);
  }

  private async rfm(q: FigureQuery, generation: number, filter: FactFilter) {
    const stored = await this.rates?.get();
    const convert = stored?.reportingCurrency ? new Converter(stored) : undefined;
    const [deals, payments] = await Promise.all([
      this.deals(generation, { ...filter, from: '', to: '' }, q, convert),
      this.store.payments(generation, { ...filter, from: '', to: '' }),
    ]);
    const won = deals.filter((d) => d.status === 'won').map((d) => ({ ...d, accountId: d.accountId ?? '' }));
    const currencies = [...new Set(won.map((d) => d.currency))];
    if (!convert && currencies.length > 1)
      throw new ValidationError([
        {
          field: 'currency',
          description: `deals were won in ${currencies.join(', ')}: set a reporting currency (PUT /analytics/exchange-rates)`,
        },
      ]);
    const currency = convert?.rates.reportingCurrency ?? currencies[0] ?? '';
    const received = payments.filter((p) => p.status === 'received' && !p.removed);
    const rfm = accountRfm(won, received, currency, q, this.today());
    const accounts = new Map(
      (
        await this.store.accountsByIds(
          generation,
          rfm.rows.map((r) => r.accountId),
        )
      ).map((a) => [a._id, a]),
    );
    const rows = rfm.rows.map((r) => ({
      ...r,
      accountName: accounts.get(r.accountId)?.name ?? '',
      accountTier: accounts.get(r.accountId)?.tier ?? '',
    }));
    return { ...rfm, rows };
  }

  async serviceBacklog(raw: RawQuery, reader: Actor) {
    const { tickets } = await this.serviceFacts(raw, reader);
    return backlog(tickets);
  }

  async serviceSla(raw: RawQuery, reader: Actor) {
    const { q, tickets } = await this.serviceFacts(raw, reader);
    return sla(tickets, q);
  }

  async resolutionTime(raw: RawQuery, reader: Actor) {
    // from/to bound the day of resolution here, not of creation.
    const { q, tickets } = await this.serviceFacts(raw, reader, { byCreation: false });
    return resolutionTime(tickets, q);
  }

  async csat(raw: RawQuery, reader: Actor) {
    const { q, tickets } = await this.serviceFacts(raw, reader);
    return csat(tickets, q);
  }

  private async prepare(raw: RawQuery, reader: Actor) {
    if (!allows(reader.roles, 'analytics.sales.read'))
      throw new ForbiddenError('sales figures are for sales reps, sales managers and admins');
    const q = normaliseQuery(raw);
    const [generation, convert] = await Promise.all([this.generations.current(), this.converter(q)]);
    const filter: FactFilter = { from: q.from, to: q.to, ownerId: q.ownerId, teamId: q.teamId, reader };
    return { q, generation, filter, convert };
  }

  /** The converter into the reporting currency when the query asks for it. */
  private async converter(q: FigureQuery): Promise<Converter | undefined> {
    if (q.currency !== 'reporting') return undefined;
    const rates = await this.rates?.get();
    if (!rates?.reportingCurrency)
      throw new ValidationError([
        {
          field: 'currency',
          description: 'no reporting currency is set yet (PUT /analytics/exchange-rates)',
        },
      ]);
    return new Converter(rates);
  }

  private async leads(generation: number, filter: FactFilter, origin: Origin) {
    return leadsOfOrigin(await this.store.leads(generation, filter), origin);
  }

  /** The deals a figure counts: a deal a saga discarded never happened. */
  private async deals(generation: number, filter: FactFilter, origin: Origin, convert?: Converter) {
    const stored = (await this.store.opportunities(generation, filter)).filter(
      (d) => d.status !== 'discarded',
    );
    const deals = convert ? dealsInReporting(convert, stored, this.today()) : stored;
    if (!filtersByOrigin(origin)) return deals;
    // The source leads are looked up whoever owns them now: the filter is about where the deal came from.
    const ids = [...new Set(deals.map((d) => d.sourceLeadId ?? '').filter(Boolean))];
    const sourceLeads = new Map((await this.store.leadsByIds(generation, ids)).map((l) => [l._id, l]));
    return dealsOfOrigin(deals, sourceLeads, origin);
  }

  /** Service figures count every ticket for support staff and admins; owner is the agent working it. */
  private async serviceFacts(raw: RawQuery, reader: Actor, { byCreation } = { byCreation: true }) {
    if (!allows(reader.roles, 'analytics.service.read'))
      throw new ForbiddenError('service figures are for support agents, support managers and admins');
    const q = normaliseQuery(raw);
    const generation = await this.generations.current();
    const tickets = await this.store.tickets(generation, {
      from: byCreation ? q.from : '',
      to: byCreation ? q.to : '',
      assigneeId: q.ownerId,
      queue: q.queue,
    });
    return { q, tickets };
  }

  private async pipelines(generation: number): Promise<Map<string, PipelineFact>> {
    const saved = await this.store.pipelines(generation);
    const byId = new Map<string, PipelineFact>([[DEFAULT_PIPELINE_ID, BUILT_IN_DEFAULT_PIPELINE]]);
    for (const p of saved) byId.set(p._id, p);
    return byId;
  }
}
