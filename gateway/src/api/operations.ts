import { accountOperations } from '../accounts/account.operations';
import { analyticsOperations } from '../analytics/analytics.operations';
import { exchangeRateOperations } from '../analytics/exchange-rates.operations';
import { contactOperations } from '../accounts/contact.operations';
import { activityOperations } from '../activities/activity.operations';
import { auditOperations } from '../audit/audit.operations';
import { customFieldOperations } from '../custom-fields/custom-field.operations';
import { leadOperations } from '../leads/lead.operations';
import { opportunityOperations } from '../opportunities/opportunity.operations';
import { quoteOperations } from '../opportunities/quote.operations';
import { paymentOperations } from '../opportunities/payment.operations';
import { approvalOperations } from '../approvals/approval.operations';
import { ownershipOperations } from '../ownership/ownership.operations';
import { slaOperations, ticketOperations } from '../tickets/ticket.operations';
import { ticketOpsOperations } from '../tickets/ticket-ops.operations';
import { userOperations } from '../users/user.operations';
import { queueOperations } from '../tickets/queue.operations';
import type { Operation } from './operation';

/** Every REST operation under /api/v1; a new domain adds its module's list here. */
export const operations: Operation[] = [
  ...leadOperations,
  ...accountOperations,
  ...contactOperations,
  ...activityOperations,
  ...opportunityOperations,
  ...quoteOperations,
  ...approvalOperations,
  ...ticketOperations,
  ...slaOperations,
  ...ownershipOperations,
  ...userOperations,
  ...customFieldOperations,
  ...auditOperations,
  ...analyticsOperations,
  ...exchangeRateOperations,
  ...paymentOperations,
  ...queueOperations,
  ...ticketOpsOperations,
];
