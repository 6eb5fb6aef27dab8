import { type Actor, visibilityFilter } from '@crm/kit';
import { InMemoryVersioned } from '@crm/kit/testing';
import type { PaymentPorts, PaymentRepository } from '../../src/application/payment-ports';
import type { ApprovalRequests } from '../../src/application/approvals';
import { canRead } from '../../src/domain/deal-team';
import type { PaymentDoc } from '../../src/store/payment.model';
import type { InMemoryOpportunities } from './in-memory-repositories';

const byDue = (a: PaymentDoc, b: PaymentDoc) =>
  a.dueDate.localeCompare(b.dueDate) || a._id.localeCompare(b._id);

export class InMemoryPayments extends InMemoryVersioned<PaymentDoc> implements PaymentRepository {
  async listOf(opportunityIds: string[]) {
    return this.all()
      .filter((p) => !p.removedAt && opportunityIds.includes(p.opportunityId))
      .sort(byDue);
  }
  async listAll() {
    return this.all()
      .filter((p) => !p.removedAt)
      .sort(byDue);
  }
  async dueForOverdueMark(today: string, limit: number) {
    return this.all()
      .filter((p) => !p.removedAt && !p.overdueAt && p.status !== 'received' && p.dueDate < today)
      .sort(byDue)
      .slice(0, limit);
  }
}

/** Payment ports over the deals and the approval engine of inMemoryPorts(). */
export function inMemoryPaymentPorts(deals: {
  approvals: ApprovalRequests;
  opportunities: InMemoryOpportunities;
}) {
  const payments = new InMemoryPayments();
  const written: string[] = [];
  const ports: PaymentPorts = {
    payments,
    deals: {
      get: (id) => deals.opportunities.get(id),
      visibleTo: async (actor: Actor, f) => {
        if (!visibilityFilter(actor) && !f.accountId && !f.ownerId) return undefined;
        return deals.opportunities
          .all()
          .filter((d) => !d.discardedAt && canRead(actor, d))
          .filter((d) => !f.accountId || d.accountId === f.accountId)
          .filter((d) => !f.ownerId || d.ownerId === f.ownerId);
      },
    },
    approvals: deals.approvals,
    written: (id) => void written.push(id),
  };
  return { ports, payments, written };
}
