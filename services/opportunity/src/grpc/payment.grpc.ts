import { type CallerContext, callerOf, expectedVersionOf } from '@crm/kit';
import { payment as pb } from '@crm/proto';
import type { Payments, PaymentView } from '../application/payments';
import { fromProtoPaymentFields, receiptAmount, toProtoPayment } from './payment.mapper';

type Ctx = CallerContext;

const refOf = (req: { opportunityId: string; paymentId: string }) => ({
  opportunityId: req.opportunityId,
  paymentId: req.paymentId,
});
const out = (v: PaymentView) => toProtoPayment(v.payment, v.deal);

/** proto <-> application only; the rules live in the domain and the use cases. */
export function paymentGrpc(payments: Payments): pb.PaymentServiceImplementation<Ctx> {
  return {
    async listPayments(req, ctx) {
      return { payments: (await payments.list(req.opportunityId, callerOf(ctx))).map(out) };
    },
    async addPayment(req, ctx) {
      return out(await payments.add(req.opportunityId, fromProtoPaymentFields(req.fields), callerOf(ctx)));
    },
    async updatePayment(req, ctx) {
      const v = await payments.update(
        refOf(req),
        expectedVersionOf(req.expectedVersion),
        fromProtoPaymentFields(req.fields),
        callerOf(ctx),
      );
      return out(v);
    },
    async removePayment(req, ctx) {
      return out(await payments.remove(refOf(req), expectedVersionOf(req.expectedVersion), callerOf(ctx)));
    },
    async markPaymentReceived(req, ctx) {
      const v = await payments.markReceived(
        refOf(req),
        expectedVersionOf(req.expectedVersion),
        { receivedDate: req.receivedDate, amountMinor: receiptAmount(req.amountMinor) },
        callerOf(ctx),
      );
      return out(v);
    },
    async searchPayments(req, ctx) {
      const found = await payments.search(
        { status: req.status, accountId: req.accountId, ownerId: req.ownerId, limit: req.limit },
        callerOf(ctx),
      );
      return { payments: found.items.map(out), more: found.more };
    },
    async getAccountCollections(req, ctx) {
      const currencies = await payments.accountCollections(req.accountId, callerOf(ctx));
      return {
        accountId: req.accountId,
        currencies: currencies.map((c) => ({
          currency: c.currency,
          collectedMinor: String(c.collectedMinor),
          outstandingMinor: String(c.outstandingMinor),
          overdueMinor: String(c.overdueMinor),
        })),
      };
    },
  };
}
