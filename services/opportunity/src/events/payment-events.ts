import { type Actor, outboxEntry, type OutboxEntry } from '@crm/kit';
import { paymentEvents as pb } from '@crm/proto';
import { type PaymentDeal, toProtoPayment } from '../grpc/payment.mapper';
import type { PaymentDoc } from '../store/payment.model';

type Name =
  | 'PaymentMilestoneAdded'
  | 'PaymentMilestoneChanged'
  | 'PaymentReceiptRequested'
  | 'PaymentReceived'
  | 'PaymentReceiptRejected'
  | 'PaymentMilestoneOverdue';

/**
 * Outbox entries of payment milestone events, on the stream CRM_OPPORTUNITY (crm.opportunity.>). Every
 * event carries the whole milestone with the deal's account, owner and team (analytics reads them).
 */
export function paymentEvent(
  name: Name,
  p: PaymentDoc,
  deal: PaymentDeal | undefined,
  actor: Actor,
  requestId: string,
): OutboxEntry {
  const payload = pb[name].encode({ payment: toProtoPayment(p, deal) }).finish();
  return outboxEntry({
    eventType: `crm.opportunity.v1.${name}`,
    payload,
    aggregateType: 'payment',
    aggregateId: p._id,
    aggregateVersion: p.version,
    actor,
    requestId,
  });
}
