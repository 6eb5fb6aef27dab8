import type { Actor, OutboxEntry } from '@crm/kit';
import type { ApprovalRequests } from './approvals';
import type { OpportunityDoc } from '../store/opportunity.model';
import type { PaymentDoc } from '../store/payment.model';

export interface PaymentRepository {
  get(id: string): Promise<PaymentDoc | undefined>;
  /** The live (not removed) milestones of these deals. */
  listOf(opportunityIds: string[]): Promise<PaymentDoc[]>;
  /** Every live milestone (an admin's cross-deal list without filters). */
  listAll(): Promise<PaymentDoc[]>;
  /** Live milestones not received whose due date is before `today` and not marked overdue yet. */
  dueForOverdueMark(today: string, limit: number): Promise<PaymentDoc[]>;
  insert(payment: PaymentDoc): Promise<boolean>;
  /** Compare-and-set on the version with its events; throws VersionMismatchError when another write came first. */
  save(
    current: PaymentDoc,
    set: Partial<PaymentDoc>,
    actor: Actor,
    events: (next: PaymentDoc) => OutboxEntry[],
  ): Promise<PaymentDoc>;
}

/** The deals payments hang on, read without a user (events, the timer) or as one (the cross-deal list). */
export interface PaymentDeals {
  get(id: string): Promise<OpportunityDoc | undefined>;
  /**
   * The live deals this actor may read (owner, team manager, admin, deal team), optionally of one
   * account or owner; undefined when the actor sees every deal and no filter is given.
   */
  visibleTo(
    actor: Actor,
    filter: { accountId: string; ownerId: string },
  ): Promise<OpportunityDoc[] | undefined>;
}

/** Everything the payment use cases are written against (beside the Opportunities use cases). */
export interface PaymentPorts {
  payments: PaymentRepository;
  deals: PaymentDeals;
  /** The approval engine: receipts are asked as subject type 'payment'. */
  approvals: ApprovalRequests;
  /** Tells the outbox relay that a milestone has new events. */
  written: (id: string) => void;
}
