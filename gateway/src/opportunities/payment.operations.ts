import type { payment as pb } from '@crm/proto';
import { operation, type Operation, type Reply } from '../api/operation';
import {
  Payment,
  PaymentBody,
  PaymentList,
  PaymentParams,
  PaymentSearchQuery,
  PaymentSearchResult,
  paymentToJson,
  paymentToProto,
  ReceiptBody,
} from './payment.schemas';
import { IdParams } from './schemas';

const paymentReply = (p: pb.Payment, status = 200): Reply => ({
  status,
  body: paymentToJson(p),
  etag: p.version,
});
const thePayment = { 200: { description: 'The milestone', schema: Payment, headers: ['ETag' as const] } };
const ref = (p: { id: string; paymentId: string }) => ({ opportunityId: p.id, paymentId: p.paymentId });

/** Payment milestones on a deal and their collection after the win (回款). */
export const paymentOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/opportunities/{id}/payments',
    operationId: 'listPayments',
    tag: 'Payments',
    summary: "List an opportunity's payment milestones",
    description: 'By due date; removed ones are left out. 404: the deal is not visible to you.',
    permission: 'opportunity.use',
    params: IdParams,
    responses: { 200: { description: 'The milestones', schema: PaymentList } },
    errors: [404],
    async handler({ params, call, deps }) {
      const reply = await call((o) => deps.clients.payment.listPayments({ opportunityId: params.id }, o));
      return { body: { items: reply.payments.map(paymentToJson) } };
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/payments',
    operationId: 'addPayment',
    tag: 'Payments',
    summary: 'Plan a payment milestone',
    description:
      "An amount in the deal's currency (integer minor units), a due date, an invoice number. Planned on an " +
      'open deal (payment terms are negotiated before the win) or a won one; 409 on a lost deal. The ' +
      "deal's owner, their manager or an admin (403 for a deal team member).",
    permission: 'opportunity.use',
    params: IdParams,
    body: PaymentBody,
    responses: { 201: { description: 'Created', schema: Payment, headers: ['ETag', 'Location'] } },
    errors: [404, 409],
    async handler({ params, body, call, deps }) {
      const p = await call((o) =>
        deps.clients.payment.addPayment({ opportunityId: params.id, fields: paymentToProto(body) }, o),
      );
      return {
        ...paymentReply(p, 201),
        location: `/api/v1/opportunities/${encodeURIComponent(p.opportunityId)}/payments/${encodeURIComponent(p.id)}`,
      };
    },
  }),
  operation({
    method: 'put',
    path: '/opportunities/{id}/payments/{paymentId}',
    operationId: 'replacePayment',
    tag: 'Payments',
    summary: 'Replace a planned payment milestone',
    description: 'Only a planned milestone changes: 409 once a receipt is pending approval or recorded.',
    permission: 'opportunity.use',
    params: PaymentParams,
    body: PaymentBody,
    ifMatch: true,
    responses: thePayment,
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const p = await call((o) =>
        deps.clients.payment.updatePayment(
          { ...ref(params), expectedVersion: expectedVersion(), fields: paymentToProto(body) },
          o,
        ),
      );
      return paymentReply(p);
    },
  }),
  operation({
    method: 'delete',
    path: '/opportunities/{id}/payments/{paymentId}',
    operationId: 'removePayment',
    tag: 'Payments',
    summary: 'Remove a planned payment milestone',
    description:
      'Only a planned milestone is removed (409 otherwise); it is kept for the record with removedAt set ' +
      'and no longer listed.',
    permission: 'opportunity.use',
    params: PaymentParams,
    ifMatch: true,
    responses: thePayment,
    errors: [404, 409],
    async handler({ params, call, deps, expectedVersion }) {
      return paymentReply(
        await call((o) =>
          deps.clients.payment.removePayment({ ...ref(params), expectedVersion: expectedVersion() }, o),
        ),
      );
    },
  }),
  operation({
    method: 'post',
    path: '/opportunities/{id}/payments/{paymentId}/received',
    operationId: 'markPaymentReceived',
    tag: 'Payments',
    summary: 'Record that a payment arrived',
    description:
      "On a won deal only (409 otherwise); the deal's owner, their manager, an admin or a finance member " +
      'of its deal team. Asks the approval engine (subject type payment; policies read ' +
      'amountMinor = the received amount, plannedAmountMinor, currency, ownerId, teamId, accountId, ' +
      'invoiceNumber). 200 received at once when no policy applies; 202 pending-approval until finance ' +
      'decides (approved: received; rejected or changes requested: planned again, approvalOutcome says ' +
      'which). 503: the approval engine is away.',
    permission: 'opportunity.use',
    params: PaymentParams,
    body: ReceiptBody,
    ifMatch: true,
    responses: {
      200: { description: 'Received', schema: Payment, headers: ['ETag'] },
      202: { description: 'Pending approval', schema: Payment, headers: ['ETag'] },
    },
    errors: [404, 409],
    async handler({ params, body, call, deps, expectedVersion }) {
      const p = await call((o) =>
        deps.clients.payment.markPaymentReceived(
          {
            ...ref(params),
            expectedVersion: expectedVersion(),
            receivedDate: body.receivedDate,
            amountMinor: String(body.amountMinor),
          },
          o,
        ),
      );
      return paymentReply(p, p.status === 'pending-approval' ? 202 : 200);
    },
  }),
  operation({
    method: 'get',
    path: '/payments',
    operationId: 'searchPayments',
    tag: 'Payments',
    summary: 'List payment milestones across deals',
    description:
      'The milestones of the deals you can see (owner, team manager, admin, deal team), by due date. ' +
      'status=overdue lists those not received whose due date passed (UTC days); due: not received yet, ' +
      'due today or later; received. Filters: accountId, ownerId (or me).',
    permission: 'opportunity.use',
    query: PaymentSearchQuery,
    responses: { 200: { description: 'The milestones', schema: PaymentSearchResult } },
    async handler({ query: q, actor, call, deps }) {
      const reply = await call((o) =>
        deps.clients.payment.searchPayments(
          {
            status: q.status ?? '',
            accountId: q.accountId ?? '',
            ownerId: q.ownerId === 'me' ? actor.userId : (q.ownerId ?? ''),
            limit: q.limit,
          },
          o,
        ),
      );
      return { body: { items: reply.payments.map(paymentToJson), more: reply.more } };
    },
  }),
];
