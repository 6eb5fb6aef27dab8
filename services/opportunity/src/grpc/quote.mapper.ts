import { ValidationError } from '@crm/kit';
import { quote as pb } from '@crm/proto';
import type { ProductFields } from '../domain/product';
import type { QuoteInput } from '../domain/quote';
import type { ProductDoc, QuoteDoc } from '../store/quote.model';

/** An int64 amount (a decimal string on the wire) as a safe integer; anything else is bad input. */
function minorUnits(s: string, field: string): number {
  const n = /^\d{1,16}$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n))
    throw new ValidationError([{ field, description: 'must be a whole, non-negative number' }]);
  return n;
}

export function toProtoProduct(p: ProductDoc): pb.Product {
  return {
    id: p._id,
    version: String(p.version),
    code: p.code,
    name: p.name,
    unit: p.unit,
    listPrices: p.listPrices.map((x) => ({ currency: x.currency, amountMinor: String(x.amountMinor) })),
    active: p.active,
    description: p.description,
    createdAt: p.createdAt,
    createdBy: p.createdBy,
    updatedAt: p.updatedAt,
    updatedBy: p.updatedBy,
  };
}

export function fromProtoProductFields(f: pb.ProductFields | undefined): ProductFields {
  const { listPrices = [], ...rest } = f ?? pb.ProductFields.create();
  return {
    ...rest,
    listPrices: listPrices.map((p, i) => ({
      currency: p.currency,
      amountMinor: minorUnits(p.amountMinor, `listPrices[${i}].amountMinor`),
    })),
  };
}

export function toProtoQuote(q: QuoteDoc): pb.Quote {
  return {
    id: q._id,
    version: String(q.version),
    opportunityId: q.opportunityId,
    quoteNumber: q.quoteNumber,
    revision: q.revision,
    status: q.status,
    currency: q.currency,
    lines: q.lines.map((l) => ({
      ...l,
      unitPriceMinor: String(l.unitPriceMinor),
      grossMinor: String(l.grossMinor),
      discountMinor: String(l.discountMinor),
      netMinor: String(l.netMinor),
    })),
    taxRatePercent: q.taxRatePercent,
    validUntil: q.validUntil,
    note: q.note,
    subtotalMinor: String(q.subtotalMinor),
    discountMinor: String(q.discountMinor),
    taxMinor: String(q.taxMinor),
    totalMinor: String(q.totalMinor),
    maxDiscountPercent: q.maxDiscountPercent,
    supersededBy: q.supersededBy,
    sentAt: q.sentAt ?? undefined,
    sentBy: q.sentBy,
    approvalRequestId: q.approvalRequestId,
    approvalOutcome: q.approvalOutcome,
    approvalDecidedBy: q.approvalDecidedBy,
    approvalDecidedAt: q.approvalDecidedAt ?? undefined,
    approvalComment: q.approvalComment ?? '',
    createdAt: q.createdAt,
    createdBy: q.createdBy,
    updatedAt: q.updatedAt,
    updatedBy: q.updatedBy,
  };
}

export function fromProtoQuoteFields(f: pb.QuoteFields | undefined): QuoteInput {
  const { lines = [], ...rest } = f ?? pb.QuoteFields.create();
  return {
    ...rest,
    lines: lines.map((l, i) => ({
      productId: l.productId,
      quantity: l.quantity,
      discountPercent: l.discountPercent,
      unitPriceMinor:
        l.unitPriceMinor === undefined
          ? undefined
          : minorUnits(l.unitPriceMinor, `lines[${i}].unitPriceMinor`),
    })),
  };
}
