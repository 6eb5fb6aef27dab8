import {
  applyLeadChange,
  applyOpportunitySnapshot,
  applyQuoteSnapshot,
  type QuoteFact,
  type Applied,
  type LeadChange,
  type OpportunitySnapshot,
  type StageFact,
} from '../domain/facts';
import { type ActivityChange, applyActivityChange } from '../domain/activity-facts';
import { applyPaymentSnapshot, type PaymentSnapshot } from '../domain/payment-facts';
import { applyTicketSnapshot, type TicketSnapshot } from '../domain/ticket-facts';
import type { FactStore } from './ports';

/**
 * Applies events to the facts of one generation. Each record's events apply in its version order: an
 * event at or below the stored version was applied already (a redelivery, or a replay meeting the live
 * consumer) and changes nothing, so every event counts once.
 */
export class Projections {
  constructor(private readonly store: FactStore) {}

  async lead(generation: number, e: Applied, change: LeadChange): Promise<void> {
    const fact = await this.store.lead(generation, e.id);
    if (fact && fact.version >= e.version) return;
    const next = applyLeadChange(fact, e, change);
    if (next) await this.store.saveLead(generation, next, fact?.version);
  }

  async opportunity(generation: number, e: Applied, snapshot: OpportunitySnapshot): Promise<void> {
    const fact = await this.store.opportunity(generation, e.id);
    if (fact && fact.version >= e.version) return;
    await this.store.saveOpportunity(generation, applyOpportunitySnapshot(e, snapshot, fact), fact?.version);
  }

  async account(generation: number, e: Applied, a: { name: string; tier: string }): Promise<void> {
    const fact = await this.store.account(generation, e.id);
    if (fact && fact.version >= e.version) return;
    const next = { _id: e.id, version: e.version, ...a, eventAt: e.eventAt, appliedAt: e.appliedAt };
    await this.store.saveAccount(generation, next, fact?.version);
  }

  async pipeline(generation: number, e: Applied, stages: StageFact[]): Promise<void> {
    const fact = await this.store.pipeline(generation, e.id);
    if (fact && fact.version >= e.version) return;
    await this.store.savePipeline(generation, { _id: e.id, version: e.version, stages }, fact?.version);
  }

  async quote(
    generation: number,
    e: Applied,
    quote: Omit<QuoteFact, '_id' | 'version' | 'eventAt' | 'appliedAt'>,
  ): Promise<void> {
    const fact = await this.store.quote(generation, e.id);
    if (fact && fact.version >= e.version) return;
    await this.store.saveQuote(generation, applyQuoteSnapshot(e, quote), fact?.version);
  }

  async activity(generation: number, e: Applied, change: ActivityChange): Promise<void> {
    const fact = await this.store.activity(generation, e.id);
    if (fact && fact.version >= e.version) return;
    const next = applyActivityChange(fact, e, change);
    if (next) await this.store.saveActivity(generation, next, fact?.version);
  }

  async payment(generation: number, e: Applied, snapshot: PaymentSnapshot): Promise<void> {
    const fact = await this.store.payment(generation, e.id);
    if (fact && fact.version >= e.version) return;
    await this.store.savePayment(generation, applyPaymentSnapshot(e, snapshot), fact?.version);
  }

  async ticket(generation: number, e: Applied, snapshot: TicketSnapshot): Promise<void> {
    const fact = await this.store.ticket(generation, e.id);
    if (fact && fact.version >= e.version) return;
    await this.store.saveTicket(generation, applyTicketSnapshot(e, snapshot), fact?.version);
  }
}
