import { type Actor, eventPackage, type OutboxEntry } from '@crm/kit';
import { quoteEvents as pb } from '@crm/proto';
import { toProtoProduct, toProtoQuote } from '../grpc/quote.mapper';
import type { ProductDoc, QuoteDoc } from '../store/quote.model';

const entry = eventPackage<'product' | 'quote'>('crm.opportunity.v1');

/** Outbox entries of product and quote events, on the stream CRM_OPPORTUNITY (crm.opportunity.>). */
export const quoteEvents = {
  productSaved(p: ProductDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.ProductSaved.encode({ product: toProtoProduct(p) }).finish();
    return entry('ProductSaved', payload, 'product', p, actor, requestId);
  },
  quoteSaved(q: QuoteDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.QuoteSaved.encode({ quote: toProtoQuote(q) }).finish();
    return entry('QuoteSaved', payload, 'quote', q, actor, requestId);
  },
  quoteSent(q: QuoteDoc, opportunityOwnerId: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.QuoteSent.encode({ quote: toProtoQuote(q), opportunityOwnerId }).finish();
    return entry('QuoteSent', payload, 'quote', q, actor, requestId);
  },
  quoteSubmitted(q: QuoteDoc, opportunityOwnerId: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.QuoteSubmitted.encode({ quote: toProtoQuote(q), opportunityOwnerId }).finish();
    return entry('QuoteSubmitted', payload, 'quote', q, actor, requestId);
  },
  quoteApproved(q: QuoteDoc, opportunityOwnerId: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.QuoteApproved.encode({ quote: toProtoQuote(q), opportunityOwnerId }).finish();
    return entry('QuoteApproved', payload, 'quote', q, actor, requestId);
  },
  quoteRejected(q: QuoteDoc, opportunityOwnerId: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.QuoteRejected.encode({ quote: toProtoQuote(q), opportunityOwnerId }).finish();
    return entry('QuoteRejected', payload, 'quote', q, actor, requestId);
  },
};
