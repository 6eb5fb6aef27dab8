import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { payment as pb } from '@crm/proto';
import { id } from './schemas';

extendZodWithOpenApi(z);

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date yyyy-mm-dd');
const positiveMinor = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const PaymentParams = z.object({ id, paymentId: id });

export const PaymentBody = z
  .object({
    amountMinor: positiveMinor.openapi({
      description: "Integer minor units of the deal's currency",
      example: 50_000_000,
    }),
    dueDate: date.openapi({ example: '2026-03-31' }),
    invoiceNumber: z.string().max(100).default('').openapi({ example: 'INV-2026-0042' }),
    note: z.string().max(2000).default(''),
  })
  .strict()
  .openapi('PaymentInput');

export const ReceiptBody = z
  .object({
    receivedDate: date.openapi({ description: 'The day the money arrived; not in the future' }),
    amountMinor: positiveMinor.openapi({ description: 'The amount that arrived, integer minor units' }),
  })
  .strict()
  .openapi('PaymentReceipt');

export const PaymentSearchQuery = z
  .object({
    status: z.enum(['overdue', 'due', 'received']).optional().openapi({
      description:
        'overdue: not received and the due date passed; due: not received, due today or later; received',
    }),
    accountId: id.optional(),
    ownerId: z.string().max(64).optional().openapi({ description: 'A user id, or me' }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const Payment = z
  .object({
    id: z.string(),
    version: z.number().int(),
    opportunityId: z.string(),
    accountId: z.string(),
    ownerId: z.string().openapi({ description: "The deal's owner" }),
    teamId: z.string().openapi({ description: "The deal's team" }),
    currency: z.string(),
    amountMinor: z.number().int(),
    dueDate: z.string(),
    invoiceNumber: z.string(),
    note: z.string(),
    status: z.enum(['planned', 'pending-approval', 'received']),
    overdue: z.boolean().openapi({ description: 'Not received and the due date has passed (UTC days)' }),
    receivedDate: z.string(),
    receivedAmountMinor: z.number().int(),
    receiptRecordedBy: z.string(),
    approvalRequestId: z.string().openapi({ description: 'The approval request of the last receipt' }),
    approvalOutcome: z
      .enum(['', 'approved', 'rejected', 'changes-requested', 'withdrawn'])
      .openapi({ description: 'Empty while pending or never asked' }),
    approvalDecidedBy: z.string(),
    approvalDecidedAt: z.string().nullable(),
    overdueAt: z.string().nullable().openapi({ description: 'When PaymentMilestoneOverdue was raised' }),
    removedAt: z.string().nullable(),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('Payment');

export const PaymentList = z.object({ items: z.array(Payment) }).openapi('PaymentList');
export const PaymentSearchResult = z
  .object({ items: z.array(Payment), more: z.boolean() })
  .openapi('PaymentSearchResult');

export const CurrencyCollection = z
  .object({
    currency: z.string(),
    collectedMinor: z.number().int().openapi({ description: 'Received, integer minor units' }),
    outstandingMinor: z
      .number()
      .int()
      .openapi({ description: 'Not received yet (pending approval included)' }),
    overdueMinor: z.number().int().openapi({ description: 'The part of outstanding past its due date' }),
  })
  .openapi('CurrencyCollection');

const iso = (d: Date | undefined) => d?.toISOString() ?? null;

export const paymentToJson = (p: pb.Payment): z.input<typeof Payment> => ({
  ...p,
  version: Number(p.version),
  amountMinor: Number(p.amountMinor),
  status: p.status as never,
  receivedAmountMinor: Number(p.receivedAmountMinor),
  approvalOutcome: p.approvalOutcome as never,
  approvalDecidedAt: iso(p.approvalDecidedAt),
  overdueAt: iso(p.overdueAt),
  removedAt: iso(p.removedAt),
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

export const paymentToProto = (b: z.output<typeof PaymentBody>): pb.PaymentFields => ({
  amountMinor: String(b.amountMinor),
  dueDate: b.dueDate,
  invoiceNumber: b.invoiceNumber,
  note: b.note,
});

export const collectionToJson = (c: pb.CurrencyCollection): z.input<typeof CurrencyCollection> => ({
  currency: c.currency,
  collectedMinor: Number(c.collectedMinor),
  outstandingMinor: Number(c.outstandingMinor),
  overdueMinor: Number(c.overdueMinor),
});
