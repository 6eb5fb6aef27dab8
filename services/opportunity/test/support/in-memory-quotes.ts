import { type Actor, type OutboxEntry } from '@crm/kit';
import { InMemoryDocs as Docs } from '@crm/kit/testing';
import type { ProductRepository, QuotePorts, QuoteRepository } from '../../src/application/quote-ports';
import type { ApprovalRequests } from '../../src/application/approvals';
import type { ProductDoc, QuoteDoc } from '../../src/store/quote.model';
import type { InMemoryOpportunities } from './in-memory-repositories';

export class InMemoryProducts extends Docs<ProductDoc> implements ProductRepository {
  private codeTaken(p: ProductDoc) {
    return this.all().some((x) => x.code === p.code && x._id !== p._id);
  }
  async getMany(ids: string[]) {
    return this.all().filter((p) => ids.includes(p._id));
  }
  async list(includeInactive: boolean) {
    return this.all()
      .filter((p) => includeInactive || p.active)
      .sort((a, b) => a.code.localeCompare(b.code));
  }
  async insert(p: ProductDoc) {
    if (this.docs.has(p._id) || this.codeTaken(p)) return false;
    this.put(p);
    return true;
  }
  async save(
    current: ProductDoc,
    set: Partial<ProductDoc>,
    actor: Actor,
    events: (n: ProductDoc) => OutboxEntry[],
  ) {
    if (this.codeTaken({ ...current, ...set })) return false as const;
    return this.apply(current, set, actor, events);
  }
}

export class InMemoryQuotes extends Docs<QuoteDoc> implements QuoteRepository {
  async listOf(opportunityId: string) {
    return this.all()
      .filter((q) => q.opportunityId === opportunityId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b._id.localeCompare(a._id));
  }
  async insert(q: QuoteDoc) {
    if (this.docs.has(q._id)) return false;
    this.put(q);
    return true;
  }
  async save(
    current: QuoteDoc,
    set: Partial<QuoteDoc>,
    actor: Actor,
    events: (n: QuoteDoc) => OutboxEntry[],
  ) {
    return this.apply(current, set, actor, events);
  }
}

/** Quote ports beside the opportunity ports of inMemoryPorts(): the same approval engine and deals. */
export function inMemoryQuotePorts(deals: {
  approvals: ApprovalRequests;
  opportunities: InMemoryOpportunities;
}) {
  const products = new InMemoryProducts();
  const quotes = new InMemoryQuotes();
  const written: string[] = [];
  const ports: QuotePorts = {
    products,
    quotes,
    // The real renderer has its own test (quote-pdf.test.ts); here only the use case's access rules matter.
    pdf: { render: async (q, dealName) => Buffer.from(`%PDF ${q.quoteNumber} ${dealName}`) },
    approvals: deals.approvals,
    dealOwnerOf: async (id) => (await deals.opportunities.get(id))?.ownerId ?? '',
    written: (kind, id) => void written.push(`${kind}:${id}`),
  };
  return { ports, products, quotes, written };
}
