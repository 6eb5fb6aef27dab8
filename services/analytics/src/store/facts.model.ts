import { type OutboxEntry, outboxSchema } from '@crm/kit';
import { type Connection, type Model, Schema } from 'mongoose';
import type { RebuildStatus } from '../application/ports';
import type { AccountFact, LeadFact, OpportunityFact, PipelineFact, QuoteFact } from '../domain/facts';
import type { ActivityFact } from '../domain/activity-facts';
import type { PaymentFact } from '../domain/payment-facts';
import type { TicketFact } from '../domain/ticket-facts';

/** Which generation of facts answers figures; one document, `_id: 'current'`. */
export interface GenerationDoc {
  _id: string;
  generation: number;
  updatedAt: Date;
  updatedBy: string;
}

const options = { versionKey: false, minimize: false } as const;

const leadFactSchema = new Schema<LeadFact>(
  {
    _id: String,
    version: Number,
    day: String,
    ownerId: String,
    teamId: String,
    source: String,
    region: String,
    qualified: Boolean,
    converted: Boolean,
    eventAt: Date,
    appliedAt: Date,
  },
  options,
);

const opportunityFactSchema = new Schema<OpportunityFact>(
  {
    _id: String,
    version: Number,
    day: String,
    ownerId: String,
    teamId: String,
    pipelineId: String,
    stageKey: String,
    stagesReached: [String],
    amountMinor: Number,
    currency: String,
    expectedCloseDate: String,
    status: String,
    closedDay: String,
    daysToClose: Number,
    lossReason: String,
    competitor: String,
    stays: [new Schema({ stage: String, days: Number, leftDay: String }, { _id: false })],
    sourceLeadId: String,
    accountId: String,
    earlier: [
      new Schema(
        { untilDay: String, expectedCloseDate: String, amountMinor: Number, currency: String },
        { _id: false },
      ),
    ],
    eventAt: Date,
    appliedAt: Date,
  },
  options,
);

const quoteFactSchema = new Schema<QuoteFact>(
  {
    _id: String,
    version: Number,
    opportunityId: String,
    revision: Number,
    status: String,
    currency: String,
    lines: [
      new Schema(
        {
          productId: String,
          productCode: String,
          productName: String,
          quantityMilli: Number,
          netMinor: Number,
        },
        { _id: false },
      ),
    ],
    eventAt: Date,
    appliedAt: Date,
  },
  options,
);

const ticketFactSchema = new Schema<TicketFact>(
  {
    _id: String,
    version: Number,
    day: String,
    queue: String,
    assigneeId: String,
    priority: String,
    tier: String,
    status: String,
    hasSla: Boolean,
    firstResponseMinutes: Number,
    firstResponseBreached: Boolean,
    resolvedDay: String,
    resolutionMinutes: Number,
    resolutionBreached: Boolean,
    reopens: Number,
    csatScore: Number,
    eventAt: Date,
    appliedAt: Date,
  },
  options,
);

const pipelineFactSchema = new Schema<PipelineFact>(
  {
    _id: String,
    version: Number,
    stages: [
      new Schema(
        { key: String, winProbability: Number, forecastCategory: String, outcome: String },
        { _id: false },
      ),
    ],
  },
  options,
);

const paymentFactSchema = new Schema<PaymentFact>(
  {
    _id: String,
    version: Number,
    day: String,
    opportunityId: String,
    accountId: String,
    ownerId: String,
    teamId: String,
    currency: String,
    amountMinor: Number,
    status: String,
    receivedDate: String,
    receivedAmountMinor: Number,
    removed: Boolean,
    eventAt: Date,
    appliedAt: Date,
  },
  options,
);

const activityFactSchema = new Schema<ActivityFact>(
  {
    _id: String,
    version: Number,
    day: String,
    kind: String,
    ownerId: String,
    teamId: String,
    eventAt: Date,
    appliedAt: Date,
  },
  options,
);

const generationSchema = new Schema<GenerationDoc>(
  { _id: String, generation: Number, updatedAt: Date, updatedBy: String },
  options,
);

export interface FactModels {
  Lead: Model<LeadFact>;
  Opportunity: Model<OpportunityFact>;
  Pipeline: Model<PipelineFact>;
  Quote: Model<QuoteFact>;
  Ticket: Model<TicketFact>;
  Payment: Model<PaymentFact>;
  Activity: Model<ActivityFact>;
  Account: Model<AccountFact>;
}

const accountFactSchema = new Schema<AccountFact>(
  { _id: String, version: Number, name: String, tier: String, eventAt: Date, appliedAt: Date },
  options,
);

function modelOf<T>(db: Connection, name: string, schema: Schema<T>, collection: string): Model<T> {
  return (db.models[name] as Model<T> | undefined) ?? db.model<T>(name, schema, collection);
}

/** The fact collections of one generation: `lead_facts_g<n>`, `opportunity_facts_g<n>`, ... */
export function factModels(db: Connection, generation: number): FactModels {
  return {
    Lead: modelOf(db, `LeadFactG${generation}`, leadFactSchema, `lead_facts_g${generation}`),
    Opportunity: modelOf(
      db,
      `OpportunityFactG${generation}`,
      opportunityFactSchema,
      `opportunity_facts_g${generation}`,
    ),
    Pipeline: modelOf(db, `PipelineFactG${generation}`, pipelineFactSchema, `pipeline_facts_g${generation}`),
    Quote: modelOf(db, `QuoteFactG${generation}`, quoteFactSchema, `quote_facts_g${generation}`),
    Ticket: modelOf(db, `TicketFactG${generation}`, ticketFactSchema, `ticket_facts_g${generation}`),
    Payment: modelOf(db, `PaymentFactG${generation}`, paymentFactSchema, `payment_facts_g${generation}`),
    Activity: modelOf(db, `ActivityFactG${generation}`, activityFactSchema, `activity_facts_g${generation}`),
    Account: modelOf(db, `AccountFactG${generation}`, accountFactSchema, `account_facts_g${generation}`),
  };
}

export function generationModel(db: Connection): Model<GenerationDoc> {
  return modelOf(db, 'Generation', generationSchema, 'generations');
}

/** The last rebuild's state; one document, `_id: 'last'`. */
export type RebuildDoc = RebuildStatus & { _id: string };

const rebuildSchema = new Schema<RebuildDoc>(
  {
    _id: String,
    state: String,
    generation: Number,
    events: Number,
    startedAt: Date,
    finishedAt: Date,
    startedBy: String,
    error: String,
  },
  options,
);

export function rebuildModel(db: Connection): Model<RebuildDoc> {
  return modelOf(db, 'Rebuild', rebuildSchema, 'rebuilds');
}

/** The admin's exchange rates; one document, `_id: 'rates'`. */
export interface RatesDoc {
  _id: string;
  version: number;
  reportingCurrency: string;
  rates: { currency: string; validFrom: string; rate: string }[];
  updatedAt: Date;
  updatedBy: string;
}

const ratesSchema = new Schema<RatesDoc>(
  {
    _id: String,
    version: Number,
    reportingCurrency: String,
    rates: [new Schema({ currency: String, validFrom: String, rate: String }, { _id: false })],
    updatedAt: Date,
    updatedBy: String,
  },
  options,
);

export function ratesModel(db: Connection): Model<RatesDoc> {
  return modelOf(db, 'ExchangeRates', ratesSchema, 'exchange_rates');
}

/** The RFM segment last published per account (`_id`: the account id), with its pending events. */
export interface SegmentDoc {
  _id: string;
  segment: string;
  recencyScore: number;
  frequencyScore: number;
  monetaryScore: number;
  version: number;
  updatedAt: Date;
  outbox: OutboxEntry[];
}

const segmentSchema = new Schema<SegmentDoc>(
  {
    _id: String,
    segment: String,
    recencyScore: Number,
    frequencyScore: Number,
    monetaryScore: Number,
    version: Number,
    updatedAt: Date,
    outbox: [outboxSchema],
  },
  options,
);

export function segmentModel(db: Connection): Model<SegmentDoc> {
  return modelOf(db, 'AccountSegment', segmentSchema, 'account_segments');
}
