import { type CallerContext, callerOf, expectedVersionOf } from '@crm/kit';
import { quote as pb } from '@crm/proto';
import type { Products } from '../application/products';
import type { Quotes } from '../application/quotes';
import { fromProtoProductFields, fromProtoQuoteFields, toProtoProduct, toProtoQuote } from './quote.mapper';

type Ctx = CallerContext;

/** proto <-> application only; the rules live in the domain and the use cases. */
export function productGrpc(products: Products): pb.ProductServiceImplementation<Ctx> {
  return {
    async listProducts(req, ctx) {
      return { products: (await products.list(req.includeInactive, callerOf(ctx))).map(toProtoProduct) };
    },
    async getProduct(req, ctx) {
      return toProtoProduct(await products.get(req.id, callerOf(ctx)));
    },
    async createProduct(req, ctx) {
      return toProtoProduct(await products.create(fromProtoProductFields(req.fields), callerOf(ctx)));
    },
    async updateProduct(req, ctx) {
      const p = await products.update(
        req.id,
        expectedVersionOf(req.expectedVersion),
        fromProtoProductFields(req.fields),
        callerOf(ctx),
      );
      return toProtoProduct(p);
    },
  };
}

const refOf = (req: { opportunityId: string; quoteId: string }) => ({
  opportunityId: req.opportunityId,
  quoteId: req.quoteId,
});

export function quoteGrpc(quotes: Quotes): pb.QuoteServiceImplementation<Ctx> {
  return {
    async createQuote(req, ctx) {
      return toProtoQuote(
        await quotes.create(req.opportunityId, fromProtoQuoteFields(req.fields), callerOf(ctx)),
      );
    },
    async listQuotes(req, ctx) {
      return { quotes: (await quotes.list(req.opportunityId, callerOf(ctx))).map(toProtoQuote) };
    },
    async getQuote(req, ctx) {
      return toProtoQuote(await quotes.get(refOf(req), callerOf(ctx)));
    },
    async updateQuote(req, ctx) {
      const q = await quotes.update(
        refOf(req),
        expectedVersionOf(req.expectedVersion),
        fromProtoQuoteFields(req.fields),
        callerOf(ctx),
      );
      return toProtoQuote(q);
    },
    async submitQuote(req, ctx) {
      return toProtoQuote(
        await quotes.submit(refOf(req), expectedVersionOf(req.expectedVersion), callerOf(ctx)),
      );
    },
    async markQuoteSent(req, ctx) {
      return toProtoQuote(
        await quotes.markSent(refOf(req), expectedVersionOf(req.expectedVersion), callerOf(ctx)),
      );
    },
    async renderQuotePdf(req, ctx) {
      return quotes.pdf(refOf(req), callerOf(ctx));
    },
    async reviseQuote(req, ctx) {
      return toProtoQuote(
        await quotes.revise(refOf(req), expectedVersionOf(req.expectedVersion), callerOf(ctx)),
      );
    },
  };
}
