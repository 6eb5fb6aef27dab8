import type { quote as pb } from '@crm/proto';
import { operation, type Operation, type Reply } from '../api/operation';
import {
  Product,
  ProductBody,
  ProductList,
  ProductListQuery,
  ProductParams,
  productToJson,
  productToProto,
  Quote,
  QuoteBody,
  QuoteList,
  QuoteParams,
  quoteToJson,
  quoteToProto,
} from './quote.schemas';
import { IdParams } from './schemas';

const productReply = (p: pb.Product, status = 200): Reply => ({
  status,
  body: productToJson(p),
  etag: p.version,
});
const quoteReply = (q: pb.Quote, status = 200): Reply => ({ status, body: quoteToJson(q), etag: q.version });
const quoteLocation = (q: pb.Quote) =>
  `/api/v1/opportunities/${encodeURIComponent(q.opportunityId)}/quotes/${encodeURIComponent(q.id)}`;
const theProduct = { 200: { description: 'The product', schema: Product, headers: ['ETag' as const] } };
const theQuote = { 200: { description: 'The quote', schema: Quote, headers: ['ETag' as const] } };
const ref = (p: { id: string; quoteId: string }) => ({ opportunityId: p.id, quoteId: p.quoteId });

/** The product catalogue and the quotes made from it on an opportunity. */
export const quoteOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/products',
    operationId: 'listProducts',
    tag: 'Products',
    summary: 'List the products',
    description: 'The catalogue by code; retired (inactive) products only with includeInactive=true.',
    permission: 'product.read',
    query: ProductListQuery,
    responses: { 200: { description: 'The products', schema: ProductList } },
    async handler({ query, call, deps }) {
      const reply = await call((o) =>
        deps.clients.product.listProducts({ includeInactive: query.includeInactive === 'true' }, o),
      );
      return { body: { items: reply.products.map(productToJson) } };
    },
  }),
  operation({
    method: 'post',
    path: '/products',
    operationId: 'createProduct',
    tag: 'Products',
    summary: 'Create a product',
    description: 'The code is unique (409 otherwise); list prices in integer minor units, one per currency.',
    permission: 'product.write',
    body: ProductBody,
    responses: { 201: { description: 'Created', schema: Product, headers: ['ETag', 'Location'] } },
    errors: [409],
    async handler({ body, call, deps }) {
      const p = await call((o) => deps.clients.product.createProduct({ fields: productToProto(body) }, o));
      return { ...productReply(p, 201), location: `/api/v1/products/${encodeURIComponent(p.id)}` };
    },
  }),
  operation({
    method: 'get',
    path: '/products/{id}',
    operationId: 'getProduct',
    tag: 'Products',
    summary: 'Get a product',
    description: 'Also a retired one (quotes keep pointing at it).',
    permission: 'product.read',
    params: ProductParams,
    responses: theProduct,
    async handler({ params, call, deps }) {
      return productReply(await call((o) => deps.clients.product.getProduct({ id: params.id }, o)));
    },
  }),
  operation({
    method: 'put',
    path: '/products/{id}',
    operationId: 'replaceProduct',
    tag: 'Products',
    summary: 'Replace a product',
    description:
      'Retire a product with active=false; it is never deleted. 409: another product has the code.',
    permission: 'product.write',
    params: ProductParams,
    body: ProductBody,
    ifMatch: true,
    responses: theProduct,
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const p = await call((o) =>
        deps.clients.product.updateProduct(
          { id: params.id, expectedVersion: expectedVersion(), fields: productToProto(body) },
          o,
        ),
      );
      return productReply(p);
    },
  }),
  operation({
    method: 'get',
    path: '/opportunities/{id}/quotes',
    operationId: 'listQuotes',
    tag: 'Quotes',
    summary: "List an opportunity's quotes",
    description:
      'Every version of every quote of the deal, newest first. 404: the deal is not visible to you.',
    permission: 'opportunity.use',
    params: IdParams,
    responses: { 200: { description: 'The quotes', schema: QuoteList } },
    errors: [404],
    async handler({ params, call, deps }) {
      const reply = await call((o) => deps.clients.quote.listQuotes({ opportunityId: params.id }, o));
      return { body: { items: reply.quotes.map(quoteToJson) } };
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/quotes',
    operationId: 'createQuote',
    tag: 'Quotes',
    summary: 'Create a quote',
    description:
      "A draft in the deal's currency. Lines take the product's list price unless unitPriceMinor is given. " +
      'Totals are computed by the service in integer minor units: each line discount rounded half up, the ' +
      'tax once on the subtotal, rounded half up.',
    permission: 'opportunity.use',
    params: IdParams,
    body: QuoteBody,
    responses: { 201: { description: 'Created', schema: Quote, headers: ['ETag', 'Location'] } },
    errors: [404],
    async handler({ params, body, call, deps }) {
      const q = await call((o) =>
        deps.clients.quote.createQuote({ opportunityId: params.id, fields: quoteToProto(body) }, o),
      );
      return { ...quoteReply(q, 201), location: quoteLocation(q) };
    },
  }),
  operation({
    method: 'get',
    path: '/opportunities/{id}/quotes/{quoteId}',
    operationId: 'getQuote',
    tag: 'Quotes',
    summary: 'Get a quote',
    description: 'One version of a quote with its lines and totals.',
    permission: 'opportunity.use',
    params: QuoteParams,
    responses: theQuote,
    errors: [404],
    async handler({ params, call, deps }) {
      return quoteReply(await call((o) => deps.clients.quote.getQuote(ref(params), o)));
    },
  }),
  operation({
    method: 'get',
    path: '/opportunities/{id}/quotes/{quoteId}/pdf',
    operationId: 'getQuotePdf',
    tag: 'Quotes',
    summary: 'Get a quote as PDF',
    description:
      'The quote as a PDF the customer can receive (any version; Chinese text embedded with a CJK font). ' +
      'Served as an attachment named after the quote number and revision.',
    permission: 'opportunity.use',
    params: QuoteParams,
    responses: { 200: { description: 'The PDF', mediaType: 'application/pdf' } },
    errors: [404],
    async handler({ params, call, deps }) {
      const pdf = await call((o) => deps.clients.quote.renderQuotePdf(ref(params), o));
      return {
        body: Buffer.from(pdf.content),
        contentType: 'application/pdf',
        headers: { 'Content-Disposition': `attachment; filename="${pdf.fileName.replace(/[^\w.-]/g, '_')}"` },
      };
    },
  }),
  operation({
    method: 'put',
    path: '/opportunities/{id}/quotes/{quoteId}',
    operationId: 'replaceQuote',
    tag: 'Quotes',
    summary: 'Replace a draft quote',
    description: 'Only a draft changes (409 otherwise): a sent quote is never edited; revise it instead.',
    permission: 'opportunity.use',
    params: QuoteParams,
    body: QuoteBody,
    ifMatch: true,
    responses: theQuote,
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const q = await call((o) =>
        deps.clients.quote.updateQuote(
          { ...ref(params), expectedVersion: expectedVersion(), fields: quoteToProto(body) },
          o,
        ),
      );
      return quoteReply(q);
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/quotes/{quoteId}/submit',
    operationId: 'submitQuote',
    tag: 'Quotes',
    summary: 'Submit a draft quote for approval',
    description:
      'Asks the approval engine (subject type quote; policies read discountPercent, the highest line ' +
      'discount, totalMinor, currency, ownerId). 200 approved at once when no policy applies; 202 ' +
      'pending-approval until an approver decides (approved: approved; rejected or changes requested: a ' +
      'draft again, approvalOutcome says which). 409: not a draft. 503: the approval engine is away.',
    permission: 'opportunity.use',
    params: QuoteParams,
    ifMatch: true,
    responses: {
      200: { description: 'Approved at once', schema: Quote, headers: ['ETag'] },
      202: { description: 'Pending approval', schema: Quote, headers: ['ETag'] },
    },
    errors: [404, 409],
    async handler({ params, call, deps, expectedVersion }) {
      const q = await call((o) =>
        deps.clients.quote.submitQuote({ ...ref(params), expectedVersion: expectedVersion() }, o),
      );
      return quoteReply(q, q.status === 'pending-approval' ? 202 : 200);
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/quotes/{quoteId}/send',
    operationId: 'markQuoteSent',
    tag: 'Quotes',
    summary: 'Mark a quote as sent',
    description:
      'Only an approved quote is sent; it is frozen from now on. 409: a draft (submit it first), pending ' +
      'approval, sent already, or an older version.',
    permission: 'opportunity.use',
    params: QuoteParams,
    ifMatch: true,
    responses: theQuote,
    errors: [404, 409],
    async handler({ params, call, deps, expectedVersion }) {
      return quoteReply(
        await call((o) =>
          deps.clients.quote.markQuoteSent({ ...ref(params), expectedVersion: expectedVersion() }, o),
        ),
      );
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/quotes/{quoteId}/revise',
    operationId: 'reviseQuote',
    tag: 'Quotes',
    summary: 'Make the next version of a quote',
    description:
      'A new draft with the same lines and the next revision number; the old version stays as it was. ' +
      '409: a draft is edited instead, or this is not the newest version.',
    permission: 'opportunity.use',
    params: QuoteParams,
    ifMatch: true,
    responses: { 201: { description: 'The new version', schema: Quote, headers: ['ETag', 'Location'] } },
    errors: [404, 409],
    async handler({ params, call, deps, expectedVersion }) {
      const q = await call((o) =>
        deps.clients.quote.reviseQuote({ ...ref(params), expectedVersion: expectedVersion() }, o),
      );
      return { ...quoteReply(q, 201), location: quoteLocation(q) };
    },
  }),
];
