import { type OutboxEntry, outboxSchema } from '@crm/kit';
import { type Connection, Schema } from 'mongoose';
import type { PaymentFields, PaymentStatus } from '../domain/payment';

/** One payment milestone of a deal; removed ones stay (removedAt) so their events still go out. */
export interface PaymentDoc extends PaymentFields {
  _id: string;
  version: number;
  opportunityId: string;
  /** The deal's currency when the milestone was added. */
  currency: string;
  status: PaymentStatus;
  /** Recorded with the receipt (also while it waits for approval); '' and 0 before. */
  receivedDate: string;
  receivedAmountMinor: number;
  receiptRecordedBy: string;
  /** The approval request of the last receipt ('' before the first). */
  approvalRequestId: string;
  /** '' while pending or never asked; else the engine's outcome. */
  approvalOutcome: string;
  approvalDecidedBy: string;
  approvalDecidedAt: Date | null;
  /** Set in the write that raises PaymentMilestoneOverdue, so it is raised once. */
  overdueAt: Date | null;
  removedAt: Date | null;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
}

const paymentSchema = new Schema<PaymentDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    opportunityId: { type: String, required: true },
    currency: String,
    amountMinor: Number,
    dueDate: String,
    invoiceNumber: { type: String, default: '' },
    note: { type: String, default: '' },
    status: String,
    receivedDate: { type: String, default: '' },
    receivedAmountMinor: { type: Number, default: 0 },
    receiptRecordedBy: { type: String, default: '' },
    approvalRequestId: { type: String, default: '' },
    approvalOutcome: { type: String, default: '' },
    approvalDecidedBy: { type: String, default: '' },
    approvalDecidedAt: { type: Date, default: null },
    overdueAt: { type: Date, default: null },
    removedAt: { type: Date, default: null },
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
  },
  { versionKey: false, minimize: false },
);
paymentSchema.index({ opportunityId: 1 });

export function registerPaymentModels(db: Connection) {
  return { Payment: db.model<PaymentDoc>('Payment', paymentSchema, 'payments') };
}

export type PaymentModels = ReturnType<typeof registerPaymentModels>;
