import { type Actor, isDuplicateKey, UnavailableError, visibilityFilter, writesTo } from '@crm/kit';
import type { Connection, Model } from 'mongoose';
import type {
  RatesStore,
  StoredRates,
  FactFilter,
  FactStore,
  Generations,
  RebuildLog,
  RebuildStatus,
  TicketFilter,
} from '../application/ports';
import type { AccountFact, LeadFact, OpportunityFact, PipelineFact, QuoteFact } from '../domain/facts';
import type { ActivityFact } from '../domain/activity-facts';
import type { PaymentFact } from '../domain/payment-facts';
import type { TicketFact } from '../domain/ticket-facts';
import { factModels, generationModel, ratesModel, rebuildModel } from './facts.model';

const CURRENT = 'current';
const LAST_REBUILD = 'last';
const RATES = 'rates';
/** The generation a fresh installation starts with. */
const FIRST_GENERATION = 1;

/** What a deal fact written before deals could close lacks, until the next rebuild rewrites it. */
const BEFORE_CLOSING = {
  status: 'open',
  closedDay: '',
  daysToClose: 0,
  lossReason: '',
  competitor: '',
  stays: [],
};

/** A fact written by another replica between our read and our write: retried by redelivery. */
const raced = (what: string, id: string) =>
  new UnavailableError(`${what} ${id} was written meanwhile; retrying`);

async function save<T extends { _id: string; version: number }>(
  model: Model<T>,
  what: string,
  fact: T,
  previous: number | undefined,
): Promise<void> {
  if (previous === undefined) {
    try {
      await model.create(fact);
      return;
    } catch (err) {
      if (isDuplicateKey(err)) throw raced(what, fact._id);
      throw err;
    }
  }
  const { _id, ...rest } = fact;
  if (!(await writesTo(model).updateAtVersion(_id, previous, { $set: rest }))) throw raced(what, _id);
}

function factQuery(f: FactFilter): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (f.from || f.to) and.push({ day: { ...(f.from && { $gte: f.from }), ...(f.to && { $lte: f.to }) } });
  if (f.ownerId) and.push({ ownerId: f.ownerId });
  if (f.teamId) and.push({ teamId: f.teamId });
  const visible = visibilityFilter(f.reader);
  if (visible) and.push(visible);
  return and.length ? { $and: and } : {};
}

function ticketQuery(f: TicketFilter): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (f.from || f.to) and.push({ day: { ...(f.from && { $gte: f.from }), ...(f.to && { $lte: f.to }) } });
  if (f.assigneeId) and.push({ assigneeId: f.assigneeId });
  if (f.queue) and.push({ queue: f.queue });
  return and.length ? { $and: and } : {};
}

/** Facts in MongoDB, one set of collections per generation: queries and writes only. */
export class MongoFactStore implements FactStore {
  constructor(private readonly db: Connection) {}

  private m(generation: number) {
    return factModels(this.db, generation);
  }

  async lead(generation: number, id: string) {
    return (await this.m(generation).Lead.findById(id).lean<LeadFact>()) ?? undefined;
  }

  async opportunity(generation: number, id: string) {
    return (await this.m(generation).Opportunity.findById(id).lean<OpportunityFact>()) ?? undefined;
  }

  async pipeline(generation: number, id: string) {
    return (await this.m(generation).Pipeline.findById(id).lean<PipelineFact>()) ?? undefined;
  }

  saveLead(generation: number, fact: LeadFact, previous: number | undefined) {
    return save(this.m(generation).Lead, 'lead fact', fact, previous);
  }

  saveOpportunity(generation: number, fact: OpportunityFact, previous: number | undefined) {
    return save(this.m(generation).Opportunity, 'opportunity fact', fact, previous);
  }

  savePipeline(generation: number, fact: PipelineFact, previous: number | undefined) {
    return save(this.m(generation).Pipeline, 'pipeline fact', fact, previous);
  }

  async quote(generation: number, id: string) {
    return (await this.m(generation).Quote.findById(id).lean<QuoteFact>()) ?? undefined;
  }

  saveQuote(generation: number, fact: QuoteFact, previous: number | undefined) {
    return save(this.m(generation).Quote, 'quote fact', fact, previous);
  }

  async ticket(generation: number, id: string) {
    return (await this.m(generation).Ticket.findById(id).lean<TicketFact>()) ?? undefined;
  }

  saveTicket(generation: number, fact: TicketFact, previous: number | undefined) {
    return save(this.m(generation).Ticket, 'ticket fact', fact, previous);
  }

  async payment(generation: number, id: string) {
    return (await this.m(generation).Payment.findById(id).lean<PaymentFact>()) ?? undefined;
  }

  savePayment(generation: number, fact: PaymentFact, previous: number | undefined) {
    return save(this.m(generation).Payment, 'payment fact', fact, previous);
  }

  payments(generation: number, filter: FactFilter) {
    return this.m(generation).Payment.find(factQuery(filter)).lean<PaymentFact[]>();
  }

  async activity(generation: number, id: string) {
    return (await this.m(generation).Activity.findById(id).lean<ActivityFact>()) ?? undefined;
  }

  saveActivity(generation: number, fact: ActivityFact, previous: number | undefined) {
    return save(this.m(generation).Activity, 'activity fact', fact, previous);
  }

  activities(generation: number, filter: FactFilter) {
    return this.m(generation).Activity.find(factQuery(filter)).lean<ActivityFact[]>();
  }

  leads(generation: number, filter: FactFilter) {
    return this.m(generation).Lead.find(factQuery(filter)).lean<LeadFact[]>();
  }

  async opportunities(generation: number, filter: FactFilter) {
    const facts = await this.m(generation).Opportunity.find(factQuery(filter)).lean<OpportunityFact[]>();
    return facts.map((f) => ({ ...BEFORE_CLOSING, ...f }));
  }

  pipelines(generation: number) {
    return this.m(generation).Pipeline.find().lean<PipelineFact[]>();
  }

  async account(generation: number, id: string) {
    return (await this.m(generation).Account.findById(id).lean<AccountFact>()) ?? undefined;
  }

  saveAccount(generation: number, fact: AccountFact, previous: number | undefined) {
    return save(this.m(generation).Account, 'account fact', fact, previous);
  }

  async accountsByIds(generation: number, ids: string[]) {
    if (!ids.length) return [];
    return this.m(generation)
      .Account.find({ _id: { $in: ids } })
      .lean<AccountFact[]>();
  }

  async leadsByIds(generation: number, ids: string[]) {
    if (!ids.length) return [];
    return this.m(generation)
      .Lead.find({ _id: { $in: ids } })
      .lean<LeadFact[]>();
  }

  async quotes(generation: number, opportunityIds: string[]) {
    if (!opportunityIds.length) return [];
    return this.m(generation)
      .Quote.find({ opportunityId: { $in: opportunityIds } })
      .lean<QuoteFact[]>();
  }

  tickets(generation: number, filter: TicketFilter) {
    return this.m(generation).Ticket.find(ticketQuery(filter)).lean<TicketFact[]>();
  }

  async drop(generation: number) {
    const m = this.m(generation);
    // Dropping a collection that was never created is fine: there is nothing to drop.
    for (const model of Object.values(m))
      await model.collection.drop().catch((err: { codeName?: string }) => {
        if (err.codeName !== 'NamespaceNotFound') throw err;
      });
  }
}

/** The current generation, in one document of the service's database. */
export class MongoGenerations implements Generations {
  constructor(private readonly db: Connection) {}

  async current(): Promise<number> {
    const doc = await generationModel(this.db).findById(CURRENT).lean();
    return doc?.generation ?? FIRST_GENERATION;
  }

  async swap(from: number, next: number, by: Actor): Promise<boolean> {
    const Generation = generationModel(this.db);
    const stamp = { generation: next, updatedAt: new Date(), updatedBy: by.userId };
    if (!(await Generation.exists({ _id: CURRENT }))) {
      if (from !== FIRST_GENERATION) return false;
      try {
        await Generation.create({ _id: CURRENT, ...stamp });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    }
    return writesTo(Generation).update(CURRENT, { $set: stamp }, { generation: from });
  }
}

/** The last rebuild's state, written only by the replica running it. */
export class MongoRebuildLog implements RebuildLog {
  constructor(private readonly db: Connection) {}

  async last(): Promise<RebuildStatus | undefined> {
    const doc = await rebuildModel(this.db).findById(LAST_REBUILD, { _id: 0 }).lean<RebuildStatus>();
    return doc ?? undefined;
  }

  async save(status: RebuildStatus): Promise<void> {
    const Rebuild = rebuildModel(this.db);
    const set = { ...status, finishedAt: status.finishedAt ?? null };
    if (await writesTo(Rebuild).update(LAST_REBUILD, { $set: set })) return;
    try {
      await Rebuild.create({ _id: LAST_REBUILD, ...status });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await writesTo(Rebuild).update(LAST_REBUILD, { $set: set });
    }
  }
}

/** The exchange rates: one document, replaced whole by compare-and-set on its version. */
export class MongoRatesStore implements RatesStore {
  constructor(private readonly db: Connection) {}

  async get(): Promise<StoredRates | undefined> {
    const doc = await ratesModel(this.db).findById(RATES).lean();
    if (!doc) return undefined;
    const { reportingCurrency, rates, version, updatedAt, updatedBy } = doc;
    return { reportingCurrency, rates, version, updatedAt, updatedBy };
  }

  async save(rates: StoredRates, previous: number): Promise<boolean> {
    const Rates = ratesModel(this.db);
    if (previous === 0) {
      try {
        await Rates.create({ _id: RATES, ...rates });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    }
    return writesTo(Rates).updateAtVersion(RATES, previous, { $set: rates });
  }
}
