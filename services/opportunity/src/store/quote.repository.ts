import { type Actor, isDuplicateKey, type OutboxEntry, saveAtVersion } from '@crm/kit';
import type { ProductRepository, QuoteRepository } from '../application/quote-ports';
import type { ProductDoc, QuoteDoc, QuoteModels } from './quote.model';

const NO_OUTBOX = { outbox: 0 } as const;

/** null when the write hit a unique key (a product code, a quote id) that is taken. */
async function unlessDuplicate<T>(write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch (err) {
    if (isDuplicateKey(err)) return null;
    throw err;
  }
}

/** The product catalogue in MongoDB. */
export class MongoProductRepository implements ProductRepository {
  constructor(private readonly m: QuoteModels) {}

  async get(id: string): Promise<ProductDoc | undefined> {
    return (await this.m.Product.findById(id, NO_OUTBOX).lean<ProductDoc>()) ?? undefined;
  }

  getMany(ids: string[]): Promise<ProductDoc[]> {
    return this.m.Product.find({ _id: { $in: ids } }, NO_OUTBOX).lean<ProductDoc[]>();
  }

  list(includeInactive: boolean): Promise<ProductDoc[]> {
    return this.m.Product.find(includeInactive ? {} : { active: true }, NO_OUTBOX)
      .sort({ code: 1 })
      .lean<ProductDoc[]>();
  }

  async insert(product: ProductDoc): Promise<boolean> {
    return (await unlessDuplicate(() => this.m.Product.create(product))) !== null;
  }

  async save(
    current: ProductDoc,
    set: Partial<ProductDoc>,
    actor: Actor,
    events: (next: ProductDoc) => OutboxEntry[],
  ): Promise<ProductDoc | false> {
    return (await unlessDuplicate(() => saveAtVersion(this.m.Product, current, set, actor, events))) ?? false;
  }
}

/** Quotes in MongoDB, one document per version. */
export class MongoQuoteRepository implements QuoteRepository {
  constructor(private readonly m: QuoteModels) {}

  async get(id: string): Promise<QuoteDoc | undefined> {
    return (await this.m.Quote.findById(id, NO_OUTBOX).lean<QuoteDoc>()) ?? undefined;
  }

  listOf(opportunityId: string): Promise<QuoteDoc[]> {
    return this.m.Quote.find({ opportunityId }, NO_OUTBOX)
      .sort({ createdAt: -1, _id: -1 })
      .limit(500)
      .lean<QuoteDoc[]>();
  }

  async insert(quote: QuoteDoc): Promise<boolean> {
    return (await unlessDuplicate(() => this.m.Quote.create(quote))) !== null;
  }

  save(
    current: QuoteDoc,
    set: Partial<QuoteDoc>,
    actor: Actor,
    events: (next: QuoteDoc) => OutboxEntry[],
  ): Promise<QuoteDoc> {
    return saveAtVersion(this.m.Quote, current, set, actor, events);
  }
}
