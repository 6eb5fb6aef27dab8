import { ValidationError } from '@crm/kit';
import { payment as pb } from '@crm/proto';
import { isOverdue, type PaymentFields } from '../domain/payment';
import type { OpportunityDoc } from '../store/opportunity.model';
import type { PaymentDoc } from '../store/payment.model';

/** The deal fields a payment shows (its owner, team and account as they are now). */
export type PaymentDeal = Pick<OpportunityDoc, 'accountId' | 'ownerId' | 'teamId'>;

/** An int64 amount (a decimal string on the wire) as a safe integer; anything else is bad input. */
function minorUnits(s: string, field: string): number {
  const n = /^\d{1,16}$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n))
    throw new ValidationError([{ field, description: 'must be a whole, non-negative number' }]);
  return n;
}

export function toProtoPayment(p: PaymentDoc, deal: PaymentDeal | undefined, now = new Date()): pb.Payment {
  return {
    id: p._id,
    version: String(p.version),
    opportunityId: p.opportunityId,
    accountId: deal?.accountId ?? '',
    ownerId: deal?.ownerId ?? '',
    teamId: deal?.teamId ?? '',
    currency: p.currency,
    amountMinor: String(p.amountMinor),
    dueDate: p.dueDate,
    invoiceNumber: p.invoiceNumber,
    note: p.note,
    status: p.status,
    overdue: !p.removedAt && isOverdue(p, now),
    receivedDate: p.receivedDate,
    receivedAmountMinor: String(p.receivedAmountMinor),
    receiptRecordedBy: p.receiptRecordedBy,
    approvalRequestId: p.approvalRequestId,
    approvalOutcome: p.approvalOutcome,
    approvalDecidedBy: p.approvalDecidedBy,
    approvalDecidedAt: p.approvalDecidedAt ?? undefined,
    overdueAt: p.overdueAt ?? undefined,
    removedAt: p.removedAt ?? undefined,
    createdAt: p.createdAt,
    createdBy: p.createdBy,
    updatedAt: p.updatedAt,
    updatedBy: p.updatedBy,
  };
}

export function fromProtoPaymentFields(f: pb.PaymentFields | undefined): PaymentFields {
  const { amountMinor, ...rest } = f ?? pb.PaymentFields.create();
  return { ...rest, amountMinor: minorUnits(amountMinor, 'amountMinor') };
}

export const receiptAmount = (s: string) => minorUnits(s, 'amountMinor');
