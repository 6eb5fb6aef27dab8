import { type Actor, isDuplicateKey, type OutboxEntry, saveAtVersion, visibilityFilter } from '@crm/kit';
import type { PaymentDeals, PaymentRepository } from '../application/payment-ports';
import type { OpportunityDoc, OpportunityModels } from './opportunity.model';
import type { PaymentDoc, PaymentModels } from './payment.model';

const NO_OUTBOX = { outbox: 0 } as const;
/** FerretDB scans every document anyway; a bound keeps one answer small. */
const MAX_SCAN = 5000;
const byDue = { dueDate: 1, _id: 1 } as const;

/** Payment milestones in MongoDB, one document per milestone. */
export class MongoPaymentRepository implements PaymentRepository {
  constructor(private readonly m: PaymentModels) {}

  async get(id: string): Promise<PaymentDoc | undefined> {
    return (await this.m.Payment.findById(id, NO_OUTBOX).lean<PaymentDoc>()) ?? undefined;
  }

  listOf(opportunityIds: string[]): Promise<PaymentDoc[]> {
    return this.m.Payment.find({ opportunityId: { $in: opportunityIds }, removedAt: null }, NO_OUTBOX)
      .sort(byDue)
      .limit(MAX_SCAN)
      .lean<PaymentDoc[]>();
  }

  listAll(): Promise<PaymentDoc[]> {
    return this.m.Payment.find({ removedAt: null }, NO_OUTBOX)
      .sort(byDue)
      .limit(MAX_SCAN)
      .lean<PaymentDoc[]>();
  }

  dueForOverdueMark(today: string, limit: number): Promise<PaymentDoc[]> {
    return this.m.Payment.find(
      { removedAt: null, overdueAt: null, status: { $ne: 'received' }, dueDate: { $lt: today } },
      NO_OUTBOX,
    )
      .sort(byDue)
      .limit(limit)
      .lean<PaymentDoc[]>();
  }

  async insert(payment: PaymentDoc): Promise<boolean> {
    try {
      await this.m.Payment.create(payment);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  save(
    current: PaymentDoc,
    set: Partial<PaymentDoc>,
    actor: Actor,
    events: (next: PaymentDoc) => OutboxEntry[],
  ): Promise<PaymentDoc> {
    return saveAtVersion(this.m.Payment, current, set, actor, events);
  }
}

/** The deals as payments read them: record access as in the deal list (owner, team manager, admin, deal team). */
export class MongoPaymentDeals implements PaymentDeals {
  constructor(private readonly m: OpportunityModels) {}

  async get(id: string): Promise<OpportunityDoc | undefined> {
    return (await this.m.Opportunity.findById(id, NO_OUTBOX).lean<OpportunityDoc>()) ?? undefined;
  }

  async visibleTo(
    actor: Actor,
    filter: { accountId: string; ownerId: string },
  ): Promise<OpportunityDoc[] | undefined> {
    const and: Record<string, unknown>[] = [];
    const visible = visibilityFilter(actor);
    if (visible) and.push({ $or: [visible, { memberIds: actor.userId }] });
    if (filter.accountId) and.push({ accountId: filter.accountId });
    if (filter.ownerId) and.push({ ownerId: filter.ownerId });
    if (!and.length) return undefined;
    const deals = await this.m.Opportunity.find({ $and: and }, NO_OUTBOX)
      .limit(MAX_SCAN)
      .lean<OpportunityDoc[]>();
    return deals.filter((d) => !d.discardedAt);
  }
}
