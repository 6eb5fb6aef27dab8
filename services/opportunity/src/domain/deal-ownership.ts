import type { OpportunityStatus } from './closing';
import type { DealTeamMember } from './deal-team';

/**
 * The deal team after the deal changes hands: the `owner` entry names the new owner (who leaves any
 * other role they held, a member has one role), or goes when the deal has no owner (in the pool).
 * A team without an owner entry keeps its members as they are.
 */
export function teamAfterHandOver(members: DealTeamMember[], newOwnerId: string): DealTeamMember[] {
  if (!members.some((m) => m.role === 'owner')) return members;
  const others = members.filter((m) => m.role !== 'owner' && m.userId !== newOwnerId);
  return newOwnerId ? [{ userId: newOwnerId, role: 'owner' }, ...others] : others;
}

/**
 * Which deals change hands with their owner's book (a transfer) or through the public pool: open ones.
 * A won or lost deal keeps its owner, because commission and win/loss reports are credited to whoever
 * closed it; a manager reopens it first to hand it over.
 */
export function closedDealRefusal(status: OpportunityStatus): string | undefined {
  return status === 'open'
    ? undefined
    : `a ${status} deal keeps its owner (commission history); reopen it to hand it over`;
}

/**
 * A deal goes to the pool only while open and not waiting for its close approval (the decision is
 * about the seller who asked; an ownerless deal would be won by nobody). A transfer still moves such a
 * deal: a departing seller's pending deal must not be stranded.
 */
export function poolRefusal(deal: {
  status: OpportunityStatus;
  pendingCloseApprovalId: string;
}): string | undefined {
  return (
    closedDealRefusal(deal.status) ??
    (deal.pendingCloseApprovalId
      ? 'the deal waits for its close approval; release it after the decision'
      : undefined)
  );
}
