import { type OutboxEntry, outboxSchema } from '@crm/kit';
import { type Connection, Schema } from 'mongoose';
import type { ProductFields } from '../domain/product';
import type { QuoteContent, QuoteStatus } from '../domain/quote';

export interface ProductDoc extends ProductFields {
  _id: string;
  version: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

/** One version of a quote; a revision is a new document (its id is the first version's id + "-r<n>"). */
export interface QuoteDoc extends QuoteContent {
  _id: string;
  version: number;
  opportunityId: string;
  /** The id of revision 1: every revision of a quote shares it. */
  firstVersionId: string;
  quoteNumber: string;
  revision: number;
  status: QuoteStatus;
  currency: string;
  supersededBy: string;
  sentAt: Date | null;
  sentBy: string;
  /** The approval request of the last submission ('' before the first). */
  approvalRequestId: string;
  /** '' while pending or never submitted; else the engine's outcome. */
  approvalOutcome: string;
  approvalDecidedBy: string;
  approvalDecidedAt: Date | null;
  /** The approver's comment with the decision; '' if none (quotes stored before it existed lack it). */
  approvalComment?: string;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

const priceSchema = new Schema({ currency: String, amountMinor: Number }, { _id: false });

const productSchema = new Schema<ProductDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    code: { type: String, required: true },
    name: String,
    unit: String,
    listPrices: { type: [priceSchema], default: [] },
    active: Boolean,
    description: { type: String, default: '' },
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
  },
  { versionKey: false, minimize: false },
);
// Unique indexes are enforced atomically by FerretDB too: of two products with one code, one wins.
productSchema.index({ code: 1 }, { unique: true });

const quoteLineSchema = new Schema(
  {
    productId: String,
    productCode: String,
    productName: String,
    unit: String,
    quantity: String,
    unitPriceMinor: Number,
    discountPercent: String,
    grossMinor: Number,
    discountMinor: Number,
    netMinor: Number,
  },
  { _id: false },
);

const quoteSchema = new Schema<QuoteDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    opportunityId: { type: String, required: true },
    firstVersionId: String,
    quoteNumber: String,
    revision: Number,
    status: String,
    currency: String,
    // Written whole ($set) on every edit, never by position (FerretDB rejects positional updates).
    lines: { type: [quoteLineSchema], default: [] },
    taxRatePercent: String,
    validUntil: { type: String, default: '' },
    note: { type: String, default: '' },
    subtotalMinor: Number,
    discountMinor: Number,
    taxMinor: Number,
    totalMinor: Number,
    maxDiscountPercent: String,
    supersededBy: { type: String, default: '' },
    sentAt: { type: Date, default: null },
    sentBy: { type: String, default: '' },
    approvalRequestId: { type: String, default: '' },
    approvalOutcome: { type: String, default: '' },
    approvalDecidedBy: { type: String, default: '' },
    approvalDecidedAt: { type: Date, default: null },
    approvalComment: { type: String, default: '' },
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
  },
  { versionKey: false, minimize: false },
);
quoteSchema.index({ opportunityId: 1 });

export function registerQuoteModels(db: Connection) {
  return {
    Product: db.model<ProductDoc>('Product', productSchema, 'products'),
    Quote: db.model<QuoteDoc>('Quote', quoteSchema, 'quotes'),
  };
}

export type QuoteModels = ReturnType<typeof registerQuoteModels>;
