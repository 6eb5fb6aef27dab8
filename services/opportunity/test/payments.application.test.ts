import { ConflictError, ForbiddenError, NotFoundError, Roles, ValidationError } from '@crm/kit';
import { LossReasons, OpportunityClosing } from '../src/application/opportunity-closing';
import { Opportunities } from '../src/application/opportunities';
import { paymentApprovalKey, Payments } from '../src/application/payments';
import { Pipelines } from '../src/application/pipelines';
import type { Caller } from '../src/application/ports';
import type { PaymentFields } from '../src/domain/payment';
import { inMemoryPaymentPorts } from './support/in-memory-payments';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const rep1 = caller('rep1', [Roles.rep], ['east']);
const rep2 = caller('rep2', [Roles.rep], ['west']);
const manager = caller('manager', [Roles.manager], ['east']);
const admin = caller('admin', [Roles.admin]);

const TODAY = new Date('2026-06-15T10:00:00Z');
const milestone = (over: Partial<PaymentFields> = {}): PaymentFields => ({
  amountMinor: 300_000_00,
  dueDate: '2026-06-30',
  invoiceNumber: 'INV-1',
  note: '',
  ...over,
});

async function setup() {
  const mem = inMemoryPorts();
  const pipelines = new Pipelines(mem.ports);
  const opportunities = new Opportunities(mem.ports, pipelines);
  const closing = new OpportunityClosing(mem.ports, pipelines, opportunities, new LossReasons(mem.ports));
  const pay = inMemoryPaymentPorts({ approvals: mem.approvals, opportunities: mem.opportunities });
  const payments = new Payments(pay.ports, opportunities, () => TODAY);
  const open = (name: string, accountId = 'acc-1', currency = 'CNY') =>
    opportunities.create({ name, accountId, amountMinor: 1_000_000_00, currency }, '', '', rep1);
  const deal = await open('ACME rollout');
  const win = (id: string) => closing.close(id, 0, { outcome: 'won', lossReason: '', competitor: '' }, rep1);
  const lose = (id: string) =>
    closing.close(id, 0, { outcome: 'lost', lossReason: 'price', competitor: '' }, rep1);
  return {
    store: pay.payments,
    written: pay.written,
    approvals: mem.approvals,
    opportunities,
    payments,
    deal,
    open,
    win,
    lose,
  };
}

describe('planning payment milestones', () => {
  it('plans them on an open deal in its currency, recorded with who did it', async () => {
    const s = await setup();
    const { payment, deal } = await s.payments.add(s.deal._id, milestone(), rep1);
    expect(payment).toMatchObject({
      status: 'planned',
      currency: 'CNY',
      amountMinor: 300_000_00,
      dueDate: '2026-06-30',
      invoiceNumber: 'INV-1',
      createdBy: 'rep1',
    });
    expect(deal?._id).toBe(s.deal._id);
    expect(s.store.subjects()).toEqual(['PaymentMilestoneAdded']);
    expect(s.written).toEqual([payment._id]);
  });

  it('names every bad field', async () => {
    const s = await setup();
    await expect(
      s.payments.add(
        s.deal._id,
        milestone({ amountMinor: 0, dueDate: '2026-02-30', note: 'x'.repeat(2001) }),
        rep1,
      ),
    ).rejects.toMatchObject({
      violations: [
        expect.objectContaining({ field: 'amountMinor' }),
        expect.objectContaining({ field: 'dueDate' }),
        expect.objectContaining({ field: 'note' }),
      ],
    });
  });

  it('follows the deal: another rep neither reads nor plans them', async () => {
    const s = await setup();
    await s.payments.add(s.deal._id, milestone(), rep1);
    await expect(s.payments.list(s.deal._id, rep2)).rejects.toThrow(NotFoundError);
    await expect(s.payments.add(s.deal._id, milestone(), rep2)).rejects.toThrow(NotFoundError);
    expect(await s.payments.list(s.deal._id, manager)).toHaveLength(1); // rep1's team east
    await expect(s.payments.list(s.deal._id, caller('manager2', [Roles.manager], ['west']))).rejects.toThrow(
      NotFoundError,
    );
    expect(await s.payments.list(s.deal._id, admin)).toHaveLength(1);
  });

  it('refuses milestones on a lost deal', async () => {
    const s = await setup();
    const lost = await s.open('Lost one');
    await s.lose(lost._id);
    await expect(s.payments.add(lost._id, milestone(), rep1)).rejects.toThrow(ConflictError);
  });

  it('edits and removes a planned milestone; a removed one is no longer listed', async () => {
    const s = await setup();
    const { payment } = await s.payments.add(s.deal._id, milestone(), rep1);
    const ref = { opportunityId: s.deal._id, paymentId: payment._id };
    const edited = await s.payments.update(
      ref,
      1,
      milestone({ amountMinor: 1_00, invoiceNumber: 'INV-2' }),
      rep1,
    );
    expect(edited.payment).toMatchObject({ amountMinor: 1_00, invoiceNumber: 'INV-2', version: 2 });
    await s.payments.remove(ref, 2, rep1);
    expect(await s.payments.list(s.deal._id, rep1)).toEqual([]);
    await expect(s.payments.update(ref, 3, milestone(), rep1)).rejects.toThrow(NotFoundError);
    expect(s.store.subjects()).toEqual([
      'PaymentMilestoneAdded',
      'PaymentMilestoneChanged',
      'PaymentMilestoneChanged',
    ]);
  });
});

describe('recording a receipt', () => {
  async function planned(approve: 'approved' | 'pending' = 'approved') {
    const s = await setup();
    // Closing as won is approved at once; receipts get what the test asks for.
    s.approvals.decide = (ask) => (ask.subjectType === 'payment' ? approve : 'approved');
    const { payment } = await s.payments.add(s.deal._id, milestone(), rep1);
    return { ...s, payment, ref: { opportunityId: s.deal._id, paymentId: payment._id } };
  }
  const receipt = { receivedDate: '2026-06-14', amountMinor: 300_000_00 };

  it('is refused while the deal is not won', async () => {
    const s = await planned();
    await expect(s.payments.markReceived(s.ref, 1, receipt, rep1)).rejects.toThrow(ConflictError);
    expect(s.approvals.asked).toEqual([]);
  });

  it('asks the approval engine with the figures finance policies read; approved at once -> received', async () => {
    const s = await planned();
    await s.win(s.deal._id);
    const { payment } = await s.payments.markReceived(s.ref, 1, receipt, rep1);
    expect(payment).toMatchObject({
      status: 'received',
      receivedDate: '2026-06-14',
      receivedAmountMinor: 300_000_00,
      receiptRecordedBy: 'rep1',
      approvalOutcome: 'approved',
    });
    expect(s.approvals.asked.find((a) => a.ask.subjectType === 'payment')).toMatchObject({
      by: 'rep1',
      ask: {
        subjectType: 'payment',
        subjectId: s.payment._id,
        idempotencyKey: `payment:${s.payment._id}:v1`,
        snapshot: {
          amountMinor: 300_000_00,
          plannedAmountMinor: 300_000_00,
          currency: 'CNY',
          accountId: 'acc-1',
          ownerId: 'rep1',
          invoiceNumber: 'INV-1',
          receivedDate: '2026-06-14',
        },
      },
    });
    expect(s.store.subjects()).toEqual(['PaymentMilestoneAdded', 'PaymentReceived']);
    // A received payment stays as it is.
    await expect(s.payments.update(s.ref, 2, milestone(), rep1)).rejects.toThrow(ConflictError);
    await expect(s.payments.remove(s.ref, 2, rep1)).rejects.toThrow(ConflictError);
  });

  it('refuses a receipt dated in the future or of no amount', async () => {
    const s = await planned();
    await s.win(s.deal._id);
    await expect(
      s.payments.markReceived(s.ref, 1, { receivedDate: '2026-06-16', amountMinor: 0 }, rep1),
    ).rejects.toMatchObject({
      violations: [
        expect.objectContaining({ field: 'receivedDate' }),
        expect.objectContaining({ field: 'amountMinor' }),
      ],
    });
    expect(
      (await s.payments.markReceived(s.ref, 1, { ...receipt, receivedDate: '2026-06-15' }, rep1)).payment
        .status,
    ).toBe('received');
  });

  it('waits for the engine when a policy applies, and becomes received when approved', async () => {
    const s = await planned('pending');
    await s.win(s.deal._id);
    const { payment } = await s.payments.markReceived(s.ref, 1, receipt, rep1);
    expect(payment.status).toBe('pending-approval');
    await expect(s.payments.update(s.ref, 2, milestone(), rep1)).rejects.toThrow(ConflictError);
    const decision = {
      requestId: payment.approvalRequestId,
      subjectType: 'payment',
      subjectId: payment._id,
      idempotencyKey: paymentApprovalKey({ _id: payment._id, version: 1 }),
      outcome: 'approved' as const,
      decidedBy: 'approver',
      decidedAt: new Date(),
    };
    await s.payments.applyDecision(decision);
    await s.payments.applyDecision(decision); // redelivered: nothing twice
    const [after] = await s.payments.list(s.deal._id, rep1);
    expect(after?.payment).toMatchObject({
      status: 'received',
      approvalDecidedBy: 'approver',
      updatedBy: 'approver',
    });
    expect(s.store.subjects()).toEqual([
      'PaymentMilestoneAdded',
      'PaymentReceiptRequested',
      'PaymentReceived',
    ]);
  });

  it('is planned again when the engine rejects the receipt, the outcome recorded', async () => {
    const s = await planned('pending');
    await s.win(s.deal._id);
    const { payment } = await s.payments.markReceived(s.ref, 1, receipt, rep1);
    await s.payments.applyDecision({
      requestId: payment.approvalRequestId,
      subjectType: 'payment',
      subjectId: payment._id,
      idempotencyKey: `payment:${payment._id}:v1`,
      outcome: 'rejected',
      decidedBy: 'approver',
      decidedAt: new Date(),
    });
    const [after] = await s.payments.list(s.deal._id, rep1);
    expect(after?.payment).toMatchObject({
      status: 'planned',
      approvalOutcome: 'rejected',
      receivedDate: '',
      receivedAmountMinor: 0,
    });
    expect(s.store.subjects()).toContain('PaymentReceiptRejected');
  });

  it('refuses a decision that overtook the write recording the receipt, so it comes again', async () => {
    const s = await planned('pending');
    await expect(
      s.payments.applyDecision({
        requestId: 'approval-1',
        subjectType: 'payment',
        subjectId: s.payment._id,
        idempotencyKey: `payment:${s.payment._id}:v1`,
        outcome: 'approved',
        decidedBy: 'approver',
        decidedAt: new Date(),
      }),
    ).rejects.toThrow(ConflictError);
  });

  it('is recorded by whoever may change the deal or a finance member of its team, not by other members', async () => {
    const s = await planned();
    await s.opportunities.setTeam(
      s.deal._id,
      0,
      [
        { userId: 'fin1', role: 'finance' },
        { userId: 'pre1', role: 'presales' },
      ],
      rep1,
    );
    await s.win(s.deal._id);
    await expect(s.payments.markReceived(s.ref, 1, receipt, rep2)).rejects.toThrow(NotFoundError);
    const presales = caller('pre1', [Roles.rep]);
    await expect(s.payments.markReceived(s.ref, 1, receipt, presales)).rejects.toThrow(ForbiddenError);
    // A finance member reads the milestones but does not plan them.
    const finance = caller('fin1', [Roles.rep]);
    await expect(s.payments.add(s.deal._id, milestone(), finance)).rejects.toThrow(ForbiddenError);
    const other = await s.payments.add(s.deal._id, milestone({ invoiceNumber: 'INV-2' }), rep1);
    const byFinance = await s.payments.markReceived(
      { opportunityId: s.deal._id, paymentId: other.payment._id },
      1,
      receipt,
      finance,
    );
    expect(byFinance.payment).toMatchObject({ status: 'received', receiptRecordedBy: 'fin1' });
    expect((await s.payments.markReceived(s.ref, 1, receipt, admin)).payment.receiptRecordedBy).toBe('admin');
  });
});

describe('overdue milestones', () => {
  it('are listed as overdue once the due date passed unpaid, and raise the event exactly once', async () => {
    const s = await setup();
    await s.payments.add(s.deal._id, milestone({ dueDate: '2026-06-14', invoiceNumber: 'LATE' }), rep1);
    await s.payments.add(s.deal._id, milestone({ dueDate: '2026-06-15', invoiceNumber: 'TODAY' }), rep1);
    const overdue = await s.payments.search(
      { status: 'overdue', accountId: '', ownerId: '', limit: 0 },
      rep1,
    );
    expect(overdue.items.map((v) => v.payment.invoiceNumber)).toEqual(['LATE']);
    const due = await s.payments.search({ status: 'due', accountId: '', ownerId: '', limit: 0 }, rep1);
    expect(due.items.map((v) => v.payment.invoiceNumber)).toEqual(['TODAY']);

    expect(await s.payments.markOverdue(TODAY)).toBe(1);
    expect(await s.payments.markOverdue(TODAY)).toBe(0);
    expect(await s.payments.markOverdue(new Date('2026-06-15T23:59:59Z'))).toBe(0);
    expect(s.store.subjects().filter((n) => n === 'PaymentMilestoneOverdue')).toHaveLength(1);
    const [late] = await s.payments.list(s.deal._id, rep1);
    expect(late?.payment).toMatchObject({
      invoiceNumber: 'LATE',
      overdueAt: TODAY,
      updatedBy: 'payment-timer',
    });
  });

  it('raises it again only when the due date is moved and passes again', async () => {
    const s = await setup();
    const { payment } = await s.payments.add(s.deal._id, milestone({ dueDate: '2026-06-01' }), rep1);
    const ref = { opportunityId: s.deal._id, paymentId: payment._id };
    expect(await s.payments.markOverdue(TODAY)).toBe(1);
    await s.payments.update(ref, 2, milestone({ dueDate: '2026-06-01', note: 'called the CFO' }), rep1);
    expect(await s.payments.markOverdue(TODAY)).toBe(0);
    await s.payments.update(ref, 3, milestone({ dueDate: '2026-06-20' }), rep1);
    expect(await s.payments.markOverdue(TODAY)).toBe(0);
    expect(await s.payments.markOverdue(new Date('2026-06-21T00:00:00Z'))).toBe(1);
  });

  it('a received milestone never becomes overdue', async () => {
    const s = await setup();
    const { payment } = await s.payments.add(s.deal._id, milestone({ dueDate: '2026-06-01' }), rep1);
    await s.win(s.deal._id);
    await s.payments.markReceived(
      { opportunityId: s.deal._id, paymentId: payment._id },
      1,
      { receivedDate: '2026-05-30', amountMinor: 1_00 },
      rep1,
    );
    expect(await s.payments.markOverdue(TODAY)).toBe(0);
    const received = await s.payments.search(
      { status: 'received', accountId: '', ownerId: '', limit: 0 },
      rep1,
    );
    expect(received.items).toHaveLength(1);
  });
});

describe('the cross-deal list and collections', () => {
  it('shows each caller the payments of the deals they can read', async () => {
    const s = await setup();
    await s.payments.add(s.deal._id, milestone(), rep1);
    const all = { status: '', accountId: '', ownerId: '', limit: 0 };
    expect((await s.payments.search(all, rep1)).items).toHaveLength(1);
    expect((await s.payments.search(all, rep2)).items).toHaveLength(0);
    expect((await s.payments.search(all, admin)).items).toHaveLength(1);
    await expect(s.payments.search({ ...all, status: 'late' }, rep1)).rejects.toThrow(ValidationError);
    await expect(s.payments.search(all, caller('agent', [Roles.agent]))).rejects.toThrow(ForbiddenError);
  });

  it('sums collected vs outstanding per currency for an account', async () => {
    const s = await setup();
    const usd = await s.open('US branch', 'acc-1', 'USD');
    const other = await s.open('Elsewhere', 'acc-2');
    const { payment } = await s.payments.add(
      s.deal._id,
      milestone({ amountMinor: 300_00, dueDate: '2026-06-01' }),
      rep1,
    );
    await s.payments.add(s.deal._id, milestone({ amountMinor: 700_00, dueDate: '2026-06-01' }), rep1);
    await s.payments.add(s.deal._id, milestone({ amountMinor: 50_00, dueDate: '2026-07-01' }), rep1);
    await s.payments.add(usd._id, milestone({ amountMinor: 10_00 }), rep1);
    await s.payments.add(other._id, milestone({ amountMinor: 99_00 }), rep1);
    await s.win(s.deal._id);
    await s.payments.markReceived(
      { opportunityId: s.deal._id, paymentId: payment._id },
      1,
      { receivedDate: '2026-06-02', amountMinor: 300_00 },
      rep1,
    );
    expect(await s.payments.accountCollections('acc-1', rep1)).toEqual([
      { currency: 'CNY', collectedMinor: 300_00, outstandingMinor: 750_00, overdueMinor: 700_00 },
      { currency: 'USD', collectedMinor: 0, outstandingMinor: 10_00, overdueMinor: 0 },
    ]);
    expect(await s.payments.accountCollections('acc-1', rep2)).toEqual([]);
  });
});
