import { randomUUID } from 'node:crypto';
import {
  type Actor,
  allows,
  type ApprovalSnapshot,
  canSee,
  checkVersion,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  retryOnVersionMismatch,
  ValidationError,
  VersionMismatchError,
} from '@crm/kit';
import {
  assertEditable,
  assertPlannable,
  assertReceivable,
  collections,
  type CurrencyCollection,
  dayOf,
  matchesFilter,
  mayRecordReceipt,
  PAYMENT_FILTERS,
  type PaymentFields,
  type PaymentFilter,
  type ReceiptInput,
  validatePayment,
  validateReceipt,
} from '../domain/payment';
import { paymentEvent } from '../events/payment-events';
import type { OpportunityDoc } from '../store/opportunity.model';
import type { PaymentDoc } from '../store/payment.model';
import type { ApprovalDecision } from './approvals';
import type { Opportunities } from './opportunities';
import type { PaymentPorts } from './payment-ports';
import type { Caller } from './ports';

/** The approval engine's subject type for payment receipts (policies select on it). */
export const PAYMENT_SUBJECT = 'payment';

/** One approval request per recorded receipt: a retried call asks the same request again. */
export const paymentApprovalKey = (p: Pick<PaymentDoc, '_id' | 'version'>) =>
  `payment:${p._id}:v${p.version}`;

/** Who marks milestones overdue (recorded as updatedBy). */
export const PAYMENT_TIMER: Actor = {
  userId: 'payment-timer',
  username: 'payment-timer',
  roles: [],
  teams: [],
};

/** The cross-deal lists need the same permission as the deals themselves. */
function mayUse(c: Caller): void {
  if (!allows(c.actor.roles, 'opportunity.use'))
    throw new ForbiddenError('this role does not work opportunities');
}

const deciderActor = (userId: string): Actor => ({ userId, username: userId, roles: [], teams: [] });
const OVERDUE_BATCH = 200;
const MAX_LIST = 500;

export interface PaymentRef {
  opportunityId: string;
  paymentId: string;
}

export interface PaymentSearch {
  status: string;
  accountId: string;
  ownerId: string;
  limit: number;
}

/** A milestone with the deal it belongs to (responses and events show the deal's owner, team, account). */
export interface PaymentView {
  payment: PaymentDoc;
  deal: OpportunityDoc | undefined;
}

/**
 * Payment milestones on a deal and their collection (回款). Record access follows the deal: whoever
 * reads it reads its milestones; whoever may change it plans them and records receipts (so does a
 * finance member of its deal team), which the approval engine confirms (subject type 'payment').
 */
export class Payments {
  constructor(
    private readonly p: PaymentPorts,
    private readonly opportunities: Opportunities,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(opportunityId: string, c: Caller): Promise<PaymentView[]> {
    const deal = await this.opportunities.get(opportunityId, c);
    return (await this.p.payments.listOf([deal._id])).map((payment) => ({ payment, deal }));
  }

  async add(opportunityId: string, input: PaymentFields, c: Caller): Promise<PaymentView> {
    const deal = await this.opportunities.getForChange(opportunityId, c);
    assertPlannable(deal.status);
    const fields = validatePayment(input);
    const now = this.clock();
    const doc: PaymentDoc = {
      _id: randomUUID(),
      version: 1,
      opportunityId: deal._id,
      currency: deal.currency,
      ...fields,
      status: 'planned',
      receivedDate: '',
      receivedAmountMinor: 0,
      receiptRecordedBy: '',
      approvalRequestId: '',
      approvalOutcome: '',
      approvalDecidedBy: '',
      approvalDecidedAt: null,
      overdueAt: null,
      removedAt: null,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox = [paymentEvent('PaymentMilestoneAdded', doc, deal, c.actor, c.requestId)];
    await this.p.payments.insert(doc);
    this.p.written(doc._id);
    return { payment: doc, deal };
  }

  async update(
    ref: PaymentRef,
    expectedVersion: number,
    input: PaymentFields,
    c: Caller,
  ): Promise<PaymentView> {
    const { deal, payment } = await this.forChange(ref, c);
    checkVersion(expectedVersion, payment.version);
    assertPlannable(deal.status);
    assertEditable(payment);
    const fields = validatePayment(input);
    // A new due date in the future makes it a milestone that may become overdue again.
    const overdueAt = fields.dueDate === payment.dueDate ? payment.overdueAt : null;
    const next = await this.p.payments.save(payment, { ...fields, overdueAt }, c.actor, (n) => [
      paymentEvent('PaymentMilestoneChanged', n, deal, c.actor, c.requestId),
    ]);
    this.p.written(payment._id);
    return { payment: next, deal };
  }

  async remove(ref: PaymentRef, expectedVersion: number, c: Caller): Promise<PaymentView> {
    const { deal, payment } = await this.forChange(ref, c);
    checkVersion(expectedVersion, payment.version);
    assertEditable(payment);
    const next = await this.p.payments.save(payment, { removedAt: this.clock() }, c.actor, (n) => [
      paymentEvent('PaymentMilestoneChanged', n, deal, c.actor, c.requestId),
    ]);
    this.p.written(payment._id);
    return { payment: next, deal };
  }

  /**
   * Records a receipt and asks the approval engine about it, before anything is written, with a key
   * of this version: a retry after a failed write asks the same request again. Approved at once ->
   * received; otherwise pending until the engine's decision (applyDecision).
   */
  async markReceived(
    ref: PaymentRef,
    expectedVersion: number,
    input: ReceiptInput,
    c: Caller,
  ): Promise<PaymentView> {
    const { deal, payment } = await this.forReceipt(ref, c);
    checkVersion(expectedVersion, payment.version);
    assertReceivable(payment, deal.status);
    const receipt = validateReceipt(input, this.clock());
    const ticket = await this.p.approvals.request(
      {
        subjectType: PAYMENT_SUBJECT,
        subjectId: payment._id,
        idempotencyKey: paymentApprovalKey(payment),
        snapshot: {
          amountMinor: receipt.amountMinor,
          plannedAmountMinor: payment.amountMinor,
          currency: payment.currency,
          ownerId: deal.ownerId,
          teamId: deal.teamId,
          accountId: deal.accountId,
          opportunityId: deal._id,
          invoiceNumber: payment.invoiceNumber,
          dueDate: payment.dueDate,
          receivedDate: receipt.receivedDate,
        } satisfies ApprovalSnapshot<typeof PAYMENT_SUBJECT>,
        title: `Payment received for "${deal.name}": ${receipt.amountMinor} ${payment.currency} (minor units) on ${receipt.receivedDate}${payment.invoiceNumber ? `, invoice ${payment.invoiceNumber}` : ''}`,
        requesterId: c.actor.userId,
      },
      c,
    );
    if (ticket.status !== 'approved' && ticket.status !== 'pending')
      throw new ConflictError(`the approval engine answered ${ticket.status} for this receipt`);
    const approved = ticket.status === 'approved';
    const next = await this.p.payments.save(
      payment,
      {
        status: approved ? 'received' : 'pending-approval',
        receivedDate: receipt.receivedDate,
        receivedAmountMinor: receipt.amountMinor,
        receiptRecordedBy: c.actor.userId,
        approvalRequestId: ticket.id,
        approvalOutcome: approved ? 'approved' : '',
        approvalDecidedBy: approved ? 'approval-service' : '',
        approvalDecidedAt: approved ? this.clock() : null,
      },
      c.actor,
      (n) => [
        paymentEvent(approved ? 'PaymentReceived' : 'PaymentReceiptRequested', n, deal, c.actor, c.requestId),
      ],
    );
    this.p.written(payment._id);
    return { payment: next, deal };
  }

  /**
   * The engine decided a receipt: approved -> received; rejected, changes requested or withdrawn ->
   * planned again, the outcome recorded and the recorded receipt cleared. Idempotent: a decision the
   * milestone does not wait for changes nothing.
   */
  applyDecision(d: ApprovalDecision): Promise<void> {
    return retryOnVersionMismatch(async () => {
      const payment = await this.p.payments.get(d.subjectId);
      if (!payment) return;
      if (payment.status !== 'pending-approval' || payment.approvalRequestId !== d.requestId) {
        // The decision overtook the write that records the receipt: let NATS bring it again.
        if (payment.status === 'planned' && d.idempotencyKey === paymentApprovalKey(payment))
          throw new ConflictError('the payment receipt is not recorded yet');
        return;
      }
      const deal = await this.p.deals.get(payment.opportunityId);
      const decider = deciderActor(d.decidedBy);
      const requestId = `approval:${d.requestId}`;
      const approved = d.outcome === 'approved';
      const decision = {
        approvalOutcome: d.outcome,
        approvalDecidedBy: d.decidedBy,
        approvalDecidedAt: d.decidedAt,
      };
      const set: Partial<PaymentDoc> = approved
        ? { status: 'received', ...decision }
        : { status: 'planned', receivedDate: '', receivedAmountMinor: 0, receiptRecordedBy: '', ...decision };
      await this.p.payments.save(payment, set, decider, (n) => [
        paymentEvent(approved ? 'PaymentReceived' : 'PaymentReceiptRejected', n, deal, decider, requestId),
      ]);
      this.p.written(payment._id);
    });
  }

  /** Milestones across the deals the caller can read, by due date; status overdue | due | received. */
  async search(q: PaymentSearch, c: Caller): Promise<{ items: PaymentView[]; more: boolean }> {
    mayUse(c);
    const status = q.status.trim();
    if (status && !(PAYMENT_FILTERS as readonly string[]).includes(status))
      throw new ValidationError([
        { field: 'status', description: `must be one of ${PAYMENT_FILTERS.join(', ')}` },
      ]);
    const limit = q.limit > 0 ? Math.min(q.limit, MAX_LIST) : 100;
    const { payments, dealOf } = await this.visiblePayments(c.actor, q.accountId.trim(), q.ownerId.trim());
    const now = this.clock();
    const hits = payments.filter((p) => !status || matchesFilter(p, status as PaymentFilter, now));
    // For a full list the deals come from one read; for an admin's list, one read per deal shown.
    const page = hits.slice(0, limit);
    const items = await Promise.all(
      page.map(async (payment) => ({
        payment,
        deal: dealOf.get(payment.opportunityId) ?? (await this.p.deals.get(payment.opportunityId)),
      })),
    );
    return { items, more: hits.length > limit };
  }

  /** Collected vs outstanding per currency over the account's deals the caller can read. */
  async accountCollections(accountId: string, c: Caller): Promise<CurrencyCollection[]> {
    if (!accountId.trim()) throw new ValidationError([{ field: 'accountId', description: 'is required' }]);
    mayUse(c);
    const { payments } = await this.visiblePayments(c.actor, accountId.trim(), '');
    return collections(payments, this.clock());
  }

  /**
   * Raises PaymentMilestoneOverdue for each milestone whose due date passed unpaid, marked in the same
   * compare-and-set write that puts the event in the outbox: exactly once per milestone, even when two
   * replicas or two runs look at it at once. Run by a kit DurableSchedule; works from current state, so
   * a run after downtime catches up. Returns how many were raised.
   */
  async markOverdue(now: Date): Promise<number> {
    let raised = 0;
    for (const payment of await this.p.payments.dueForOverdueMark(dayOf(now), OVERDUE_BATCH)) {
      const deal = await this.p.deals.get(payment.opportunityId);
      try {
        await this.p.payments.save(payment, { overdueAt: now }, PAYMENT_TIMER, (n) => [
          paymentEvent('PaymentMilestoneOverdue', n, deal, PAYMENT_TIMER, `payment-overdue-${payment._id}`),
        ]);
      } catch (err) {
        // Someone changed the milestone meanwhile; the next run reads it again.
        if (err instanceof VersionMismatchError) continue;
        throw err;
      }
      this.p.written(payment._id);
      raised += 1;
    }
    return raised;
  }

  private async visiblePayments(actor: Actor, accountId: string, ownerId: string) {
    const deals = await this.p.deals.visibleTo(actor, { accountId, ownerId });
    const dealOf = new Map((deals ?? []).map((d) => [d._id, d]));
    const payments = deals
      ? await this.p.payments.listOf([...dealOf.keys()])
      : await this.p.payments.listAll();
    return { payments, dealOf };
  }

  /** The milestone and its deal, for a caller who may change the deal; NotFound for another deal's milestone. */
  private async forChange(ref: PaymentRef, c: Caller): Promise<DealAndPayment> {
    return this.milestoneOf(await this.opportunities.getForChange(ref.opportunityId, c), ref);
  }

  /** As forChange, and also for a finance member of the deal team (403 for other members). */
  private async forReceipt(ref: PaymentRef, c: Caller): Promise<DealAndPayment> {
    const deal = await this.opportunities.get(ref.opportunityId, c);
    if (!mayRecordReceipt(c.actor, deal, canSee(c.actor, deal)))
      throw new ForbiddenError(
        "the deal's owner, their manager, an admin or a finance member of its team records receipts",
      );
    return this.milestoneOf(deal, ref);
  }

  private async milestoneOf(deal: OpportunityDoc, ref: PaymentRef): Promise<DealAndPayment> {
    const payment = await this.p.payments.get(ref.paymentId);
    if (!payment || payment.opportunityId !== deal._id || payment.removedAt)
      throw new NotFoundError('payment', ref.paymentId);
    return { deal, payment };
  }
}

interface DealAndPayment {
  deal: OpportunityDoc;
  payment: PaymentDoc;
}
