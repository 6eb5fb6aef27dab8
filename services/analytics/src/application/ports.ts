import type { OutboxEntry } from '@crm/kit';
import type { Actor } from '@crm/kit/domain';
import type { PublishedSegment, SegmentChange } from '../domain/account-segments';
import type { AccountFact, LeadFact, OpportunityFact, PipelineFact, QuoteFact } from '../domain/facts';
import type { ActivityFact } from '../domain/activity-facts';
import type { ExchangeRates } from '../domain/exchange-rates';
import type { PaymentFact } from '../domain/payment-facts';
import type { TicketFact } from '../domain/ticket-facts';

/**
 * A generation is one complete set of read models. Figures read the current one; a rebuild fills the
 * next beside it and makes it current when done.
 */
export interface Generations {
  current(): Promise<number>;
  /** Makes `next` current if `from` still is; false when another rebuild swapped first. */
  swap(from: number, next: number, by: Actor): Promise<boolean>;
}

/** Which facts a figure reads: days inclusive, and only records the reader may see. */
export interface FactFilter {
  from: string;
  to: string;
  ownerId: string;
  teamId: string;
  reader: Actor;
}

/** Which tickets a service figure reads: creation days inclusive, the agent working them, their queue. */
export interface TicketFilter {
  from: string;
  to: string;
  assigneeId: string;
  queue: string;
}

export interface FactStore {
  lead(generation: number, id: string): Promise<LeadFact | undefined>;
  opportunity(generation: number, id: string): Promise<OpportunityFact | undefined>;
  pipeline(generation: number, id: string): Promise<PipelineFact | undefined>;
  /** Saves a fact whose stored version is `previous` (undefined: none yet); throws if another write came first. */
  saveLead(generation: number, fact: LeadFact, previous: number | undefined): Promise<void>;
  saveOpportunity(generation: number, fact: OpportunityFact, previous: number | undefined): Promise<void>;
  savePipeline(generation: number, fact: PipelineFact, previous: number | undefined): Promise<void>;
  quote(generation: number, id: string): Promise<QuoteFact | undefined>;
  saveQuote(generation: number, fact: QuoteFact, previous: number | undefined): Promise<void>;
  ticket(generation: number, id: string): Promise<TicketFact | undefined>;
  saveTicket(generation: number, fact: TicketFact, previous: number | undefined): Promise<void>;
  payment(generation: number, id: string): Promise<PaymentFact | undefined>;
  savePayment(generation: number, fact: PaymentFact, previous: number | undefined): Promise<void>;
  /** Payment milestones filter on owner, team and visibility; `day` is the due day. */
  payments(generation: number, filter: FactFilter): Promise<PaymentFact[]>;
  activity(generation: number, id: string): Promise<ActivityFact | undefined>;
  saveActivity(generation: number, fact: ActivityFact, previous: number | undefined): Promise<void>;
  /** Activities done in the days (a task once completed). */
  activities(generation: number, filter: FactFilter): Promise<ActivityFact[]>;
  leads(generation: number, filter: FactFilter): Promise<LeadFact[]>;
  opportunities(generation: number, filter: FactFilter): Promise<OpportunityFact[]>;
  pipelines(generation: number): Promise<PipelineFact[]>;
  account(generation: number, id: string): Promise<AccountFact | undefined>;
  saveAccount(generation: number, fact: AccountFact, previous: number | undefined): Promise<void>;
  /** The accounts of these ids (the names of the accounts a figure lists). */
  accountsByIds(generation: number, ids: string[]): Promise<AccountFact[]>;
  /** The leads of these ids, whoever owns them (a deal's source lead, for the source and region filters). */
  leadsByIds(generation: number, ids: string[]): Promise<LeadFact[]>;
  /** The quotes of these deals. */
  quotes(generation: number, opportunityIds: string[]): Promise<QuoteFact[]>;
  tickets(generation: number, filter: TicketFilter): Promise<TicketFact[]>;
  /** Removes every fact of a generation (the one a rebuild starts into, the one it replaced). */
  drop(generation: number): Promise<void>;
}

/** One event as the streams hold it, with its position in its stream. */
export interface StoredEvent<E> {
  seq: number;
  event: E;
}

/** Reads a stream from a position up to its end at the time of the call. */
export interface StreamReader<E> {
  streams: string[];
  lastSeq(stream: string): Promise<number>;
  read(stream: string, fromSeq: number, toSeq: number): AsyncIterable<StoredEvent<E>>;
}

/** The state of the last rebuild, kept in the database so every replica can tell it. */
export interface RebuildStatus {
  state: 'running' | 'done' | 'failed';
  generation: number;
  events: number;
  startedAt: Date;
  finishedAt?: Date;
  startedBy: string;
  error: string;
}

export interface RebuildLog {
  last(): Promise<RebuildStatus | undefined>;
  save(status: RebuildStatus): Promise<void>;
}

/** The admin's exchange rates as stored, with who set them last. */
export interface StoredRates extends ExchangeRates {
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export interface RatesStore {
  get(): Promise<StoredRates | undefined>;
  /** Saves at `previous` (0: none yet); false when another save came first. */
  save(rates: StoredRates, previous: number): Promise<boolean>;
}

/** The account segments analytics published (AccountSegmentChanged), each with its event. */
export interface SegmentStore {
  published(): Promise<PublishedSegment[]>;
  /**
   * Records the change and its event in one write, at the version it replaces (0: none yet); false
   * when another scoring recorded one first (that scoring publishes instead).
   */
  publish(change: SegmentChange, event: (version: number) => OutboxEntry): Promise<boolean>;
}
