import type { Actor, OutboxEntry } from '@crm/kit';
import type { ApprovalRequests } from './approvals';
import type { ProductDoc, QuoteDoc } from '../store/quote.model';

export interface ProductRepository {
  get(id: string): Promise<ProductDoc | undefined>;
  /** The products among these ids (unknown ids are left out). */
  getMany(ids: string[]): Promise<ProductDoc[]>;
  /** By code; active ones only unless includeInactive. */
  list(includeInactive: boolean): Promise<ProductDoc[]>;
  /** Inserts a product; false when another product has its code (a unique index decides). */
  insert(product: ProductDoc): Promise<boolean>;
  /** Compare-and-set on the version; false when another product has the new code. */
  save(
    current: ProductDoc,
    set: Partial<ProductDoc>,
    actor: Actor,
    events: (next: ProductDoc) => OutboxEntry[],
  ): Promise<ProductDoc | false>;
}

export interface QuoteRepository {
  get(id: string): Promise<QuoteDoc | undefined>;
  /** Every version of every quote of a deal, newest first. */
  listOf(opportunityId: string): Promise<QuoteDoc[]>;
  /** Inserts a quote by its id; false when the id is taken (two revisions of one version at once). */
  insert(quote: QuoteDoc): Promise<boolean>;
  save(
    current: QuoteDoc,
    set: Partial<QuoteDoc>,
    actor: Actor,
    events: (next: QuoteDoc) => OutboxEntry[],
  ): Promise<QuoteDoc>;
}

/** Renders a quote as a PDF a customer can receive. */
export interface QuotePdfRenderer {
  render(quote: QuoteDoc, dealName: string): Promise<Buffer>;
}

/** Everything the product and quote use cases are written against (beside the Opportunities use cases). */
export interface QuotePorts {
  products: ProductRepository;
  quotes: QuoteRepository;
  pdf: QuotePdfRenderer;
  /** The approval engine (the opp plumbing's port): quotes are asked as subject type 'quote'. */
  approvals: ApprovalRequests;
  /** Deals by id without record access (applying the engine's decisions, which no user makes here). */
  dealOwnerOf: (opportunityId: string) => Promise<string>;
  /** Tells the outbox relay that a record has new events. */
  written: (kind: 'product' | 'quote', id: string) => void;
}
