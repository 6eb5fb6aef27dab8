import { collapseSpace, ConflictError, Violations } from '@crm/kit/domain';
import { isCalendarDate } from './opportunity';

/**
 * Payment milestones (回款): what a customer owes on a deal and when, and whether it arrived.
 *
 * Decision: milestones are planned while the deal is open (payment terms are negotiated before the
 * win) and on a won deal; a lost deal has none to plan (409). A receipt is recorded on a won deal
 * only: money does not arrive for a deal that is not won yet.
 */

export type PaymentStatus = 'planned' | 'pending-approval' | 'received';

/** What the seller plans; amounts in integer minor units of the deal's currency. */
export interface PaymentFields {
  amountMinor: number;
  dueDate: string;
  invoiceNumber: string;
  note: string;
}

export interface ReceiptInput {
  receivedDate: string;
  amountMinor: number;
}

const MAX_INVOICE = 100;
const MAX_NOTE = 2000;

/** The day (UTC) a moment falls on, yyyy-mm-dd: due dates are whole days. */
export const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

function positiveMinor(n: number, field: string, v: Violations): void {
  if (!Number.isSafeInteger(n) || n <= 0)
    v.add(field, 'must be a whole number of minor units greater than 0');
}

/** Validates and normalises a milestone; every problem is named. */
export function validatePayment(input: PaymentFields): PaymentFields {
  const v = new Violations();
  const dueDate = collapseSpace(input.dueDate ?? '');
  const invoiceNumber = collapseSpace(input.invoiceNumber ?? '');
  const note = (input.note ?? '').trim();
  positiveMinor(input.amountMinor, 'amountMinor', v);
  if (!isCalendarDate(dueDate)) v.add('dueDate', 'must be a date yyyy-mm-dd');
  if (invoiceNumber.length > MAX_INVOICE) v.add('invoiceNumber', `must be at most ${MAX_INVOICE} characters`);
  if (note.length > MAX_NOTE) v.add('note', `must be at most ${MAX_NOTE} characters`);
  v.throwIfAny();
  return { amountMinor: input.amountMinor, dueDate, invoiceNumber, note };
}

/** A receipt: a real day not after today, and an amount that arrived. */
export function validateReceipt(input: ReceiptInput, now: Date): ReceiptInput {
  const v = new Violations();
  const receivedDate = collapseSpace(input.receivedDate ?? '');
  if (!isCalendarDate(receivedDate)) v.add('receivedDate', 'must be a date yyyy-mm-dd');
  else if (receivedDate > dayOf(now)) v.add('receivedDate', 'must not be in the future');
  positiveMinor(input.amountMinor, 'amountMinor', v);
  v.throwIfAny();
  return { receivedDate, amountMinor: input.amountMinor };
}

/** The state of a milestone and its deal the rules below look at. */
export interface PaymentState {
  status: PaymentStatus;
  removedAt: Date | null;
}

/** Milestones are planned on open and won deals, not on lost ones. */
export function assertPlannable(dealStatus: string): void {
  if (dealStatus === 'lost') throw new ConflictError('a lost deal has no payments to plan');
}

/** Only a planned milestone is edited or removed: a receipt waiting for approval or recorded stays as it is. */
export function assertEditable(p: PaymentState): void {
  if (p.removedAt) throw new ConflictError('the payment milestone was removed');
  if (p.status === 'pending-approval')
    throw new ConflictError('a receipt of this milestone waits for approval; it cannot change now');
  if (p.status === 'received') throw new ConflictError('a received payment is not changed');
}

/** A receipt is recorded once, for a planned milestone of a won deal. */
export function assertReceivable(p: PaymentState, dealStatus: string): void {
  if (dealStatus !== 'won') throw new ConflictError('payments are received on a won deal only');
  assertEditable(p);
}

/**
 * Who records that money arrived: whoever may change the deal, or a member of its deal team in the
 * `finance` role (finance sees the bank statement; the approval engine still confirms the receipt).
 */
export const mayRecordReceipt = (
  actor: { userId: string },
  deal: { teamMembers: { userId: string; role: string }[] },
  mayChangeDeal: boolean,
): boolean =>
  mayChangeDeal || deal.teamMembers.some((m) => m.userId === actor.userId && m.role === 'finance');

/** Not received and its due date passed (the day after the due date, UTC). */
export const isOverdue = (p: { status: PaymentStatus; dueDate: string }, now: Date): boolean =>
  p.status !== 'received' && p.dueDate < dayOf(now);

/** The statuses the cross-deal list filters by. */
export const PAYMENT_FILTERS = ['overdue', 'due', 'received'] as const;
export type PaymentFilter = (typeof PAYMENT_FILTERS)[number];

export function matchesFilter(p: { status: PaymentStatus; dueDate: string }, f: PaymentFilter, now: Date) {
  if (f === 'received') return p.status === 'received';
  if (p.status === 'received') return false;
  return f === 'overdue' ? isOverdue(p, now) : !isOverdue(p, now);
}

export interface CurrencyCollection {
  currency: string;
  collectedMinor: number;
  outstandingMinor: number;
  overdueMinor: number;
}

/** Collected vs outstanding per currency (a pending receipt is still outstanding), by currency code. */
export function collections(
  payments: {
    currency: string;
    status: PaymentStatus;
    dueDate: string;
    amountMinor: number;
    receivedAmountMinor: number;
  }[],
  now: Date,
): CurrencyCollection[] {
  const by = new Map<string, CurrencyCollection>();
  for (const p of payments) {
    const c = by.get(p.currency) ?? {
      currency: p.currency,
      collectedMinor: 0,
      outstandingMinor: 0,
      overdueMinor: 0,
    };
    if (p.status === 'received') c.collectedMinor += p.receivedAmountMinor;
    else {
      c.outstandingMinor += p.amountMinor;
      if (isOverdue(p, now)) c.overdueMinor += p.amountMinor;
    }
    by.set(p.currency, c);
  }
  return [...by.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}
