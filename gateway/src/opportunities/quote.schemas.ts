import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { quote as pb } from '@crm/proto';
import { id } from './schemas';

extendZodWithOpenApi(z);

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date yyyy-mm-dd');
const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Percentages and quantities travel as JSON numbers; the service reads them as exact decimals. */
const percent = z.number().min(0).max(100);

export const ProductParams = z.object({ id });
export const QuoteParams = z.object({ id, quoteId: id });

const Price = z
  .object({
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code, e.g. CNY'),
    amountMinor: minor.openapi({ description: 'Integer minor units of the currency', example: 99900 }),
  })
  .strict()
  .openapi('Price');

export const ProductBody = z
  .object({
    code: z.string().min(1).max(40).openapi({ example: 'CRM-SEAT' }),
    name: z.string().min(1).max(200).openapi({ example: '客户管理系统 席位' }),
    unit: z.string().min(1).max(40).openapi({ example: 'seat/year' }),
    listPrices: z.array(Price).max(20).default([]),
    active: z.boolean().default(true),
    description: z.string().max(2000).default(''),
  })
  .strict()
  .openapi('ProductInput');

export const Product = z
  .object({
    id: z.string(),
    version: z.number().int(),
    code: z.string(),
    name: z.string(),
    unit: z.string(),
    listPrices: z.array(z.object({ currency: z.string(), amountMinor: z.number().int() })),
    active: z.boolean(),
    description: z.string(),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('Product');

export const ProductList = z.object({ items: z.array(Product) }).openapi('ProductList');

export const ProductListQuery = z
  .object({ includeInactive: z.enum(['true', 'false']).default('false') })
  .strict();

const QuoteLineInput = z
  .object({
    productId: id,
    quantity: z.number().positive().max(1e12).openapi({ description: 'Up to 3 decimals', example: 10 }),
    unitPriceMinor: minor.optional().openapi({ description: "Default: the product's list price" }),
    discountPercent: percent.default(0).openapi({ description: 'Up to 2 decimals', example: 12.5 }),
  })
  .strict();

export const QuoteBody = z
  .object({
    lines: z.array(QuoteLineInput).min(1).max(200),
    taxRatePercent: percent.default(0).openapi({ description: 'Up to 2 decimals', example: 13 }),
    validUntil: z.union([date, z.literal('')]).default(''),
    note: z.string().max(4000).default(''),
  })
  .strict()
  .openapi('QuoteInput');

export const Quote = z
  .object({
    id: z.string(),
    version: z.number().int(),
    opportunityId: z.string(),
    quoteNumber: z.string(),
    revision: z.number().int(),
    status: z.enum(['draft', 'pending-approval', 'approved', 'sent']),
    currency: z.string(),
    lines: z.array(
      z.object({
        productId: z.string(),
        productCode: z.string(),
        productName: z.string(),
        unit: z.string(),
        quantity: z.number(),
        unitPriceMinor: z.number().int(),
        discountPercent: z.number(),
        grossMinor: z.number().int(),
        discountMinor: z.number().int(),
        netMinor: z.number().int(),
      }),
    ),
    taxRatePercent: z.number(),
    validUntil: z.string(),
    note: z.string(),
    subtotalMinor: z.number().int(),
    discountMinor: z.number().int(),
    taxMinor: z.number().int(),
    totalMinor: z.number().int(),
    maxDiscountPercent: z.number(),
    supersededBy: z.string().openapi({ description: 'The next version, once revised' }),
    sentAt: z.string().nullable(),
    sentBy: z.string(),
    approvalRequestId: z.string().openapi({ description: 'The approval request of the last submission' }),
    approvalOutcome: z
      .enum(['', 'approved', 'rejected', 'changes-requested', 'withdrawn'])
      .openapi({ description: 'Empty while pending or never submitted' }),
    approvalDecidedBy: z.string(),
    approvalDecidedAt: z.string().nullable(),
    approvalComment: z.string().openapi({
      description: "The approver's comment with the decision (why rejected, what to change); empty if none",
    }),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('Quote');

export const QuoteList = z.object({ items: z.array(Quote) }).openapi('QuoteList');

const iso = (d: Date | undefined) => d?.toISOString() ?? null;

export const productToJson = (p: pb.Product): z.input<typeof Product> => ({
  ...p,
  version: Number(p.version),
  listPrices: p.listPrices.map((x) => ({ currency: x.currency, amountMinor: Number(x.amountMinor) })),
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

export const productToProto = (b: z.output<typeof ProductBody>): pb.ProductFields => ({
  ...b,
  listPrices: b.listPrices.map((x) => ({ currency: x.currency, amountMinor: String(x.amountMinor) })),
});

export const quoteToJson = (q: pb.Quote): z.input<typeof Quote> => ({
  ...q,
  version: Number(q.version),
  status: q.status as never,
  lines: q.lines.map((l) => ({
    ...l,
    quantity: Number(l.quantity),
    unitPriceMinor: Number(l.unitPriceMinor),
    discountPercent: Number(l.discountPercent),
    grossMinor: Number(l.grossMinor),
    discountMinor: Number(l.discountMinor),
    netMinor: Number(l.netMinor),
  })),
  taxRatePercent: Number(q.taxRatePercent),
  subtotalMinor: Number(q.subtotalMinor),
  discountMinor: Number(q.discountMinor),
  taxMinor: Number(q.taxMinor),
  totalMinor: Number(q.totalMinor),
  maxDiscountPercent: Number(q.maxDiscountPercent),
  sentAt: iso(q.sentAt),
  approvalOutcome: q.approvalOutcome as never,
  approvalDecidedAt: iso(q.approvalDecidedAt),
  createdAt: iso(q.createdAt),
  updatedAt: iso(q.updatedAt),
});

/** JSON numbers as the decimal strings the service reads exactly (12.5 -> "12.5"; 0.1+0.2 is refused there). */
export const quoteToProto = (b: z.output<typeof QuoteBody>): pb.QuoteFields => ({
  lines: b.lines.map((l) => ({
    productId: l.productId,
    quantity: String(l.quantity),
    unitPriceMinor: l.unitPriceMinor === undefined ? undefined : String(l.unitPriceMinor),
    discountPercent: String(l.discountPercent),
  })),
  taxRatePercent: String(b.taxRatePercent),
  validUntil: b.validUntil,
  note: b.note,
});
