import type {
  ApprovalAsk,
  ApprovalRequests,
  ApprovalStatus,
  ApprovalTicket,
} from '../../src/application/approvals';
import type { Caller } from '../../src/application/ports';

/**
 * The approval engine as unit tests need it: `decide` says what a new request's status is (no policy
 * matched -> 'approved'; a policy -> 'pending'), and the same idempotency key returns the same request.
 */
export class InMemoryApprovals implements ApprovalRequests {
  readonly asked: { ask: ApprovalAsk; by: string }[] = [];
  private readonly byKey = new Map<string, ApprovalTicket>();
  decide: (ask: ApprovalAsk) => ApprovalStatus = () => 'approved';
  /** Set to make the engine unreachable (the adapter turns that into UnavailableError). */
  failWith?: Error;

  async request(ask: ApprovalAsk, c: Caller): Promise<ApprovalTicket> {
    if (this.failWith) throw this.failWith;
    const known = this.byKey.get(ask.idempotencyKey);
    if (known) return { ...known };
    const ticket = { id: `approval-${this.byKey.size + 1}`, status: this.decide(ask) };
    this.byKey.set(ask.idempotencyKey, ticket);
    this.asked.push({ ask, by: c.actor.userId });
    return { ...ticket };
  }
}
