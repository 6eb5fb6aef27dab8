import { type Actor, retryOnVersionMismatch } from '@crm/kit';
import type { TransferRequest, TransferStamp } from '@crm/ownership';
import type { AccountDoc } from '../store/account.model';
import type { AccountChanges } from './account-changes';
import type { AccountPorts } from './ports';

/** The accounts an ownership transfer moves, as the store finds them (store/account-ownership.ts). */
export interface MovableAccounts {
  /** Live accounts of the transfer's from-user (in its teams when limited). */
  toMove(t: TransferRequest): Promise<AccountDoc[]>;
  /** How many accounts carry this transfer's stamp. */
  countMoved(transferId: string): Promise<number>;
}

/**
 * Accounts in an ownership transfer: each moves by itself, a compare-and-set that stamps the transfer
 * (so its contacts follow and the count is read back) and writes AccountOwnerChanged in the same
 * write, so services whose records follow the account's owner learn which accounts moved.
 */
export class AccountOwnership {
  constructor(
    private readonly p: Pick<AccountPorts, 'accounts' | 'written'>,
    private readonly changes: AccountChanges,
    private readonly movable: MovableAccounts,
  ) {}

  /** Safe to repeat: a moved account no longer belongs to the from-user, and the count comes from the stamps. */
  async moveForTransfer(t: TransferRequest, actor: Actor, at = new Date()): Promise<number> {
    const stamp: TransferStamp = { id: t.transferId, fromUserId: t.fromUserId, by: actor.userId, at };
    for (const a of await this.movable.toMove(t))
      await retryOnVersionMismatch(() => this.handOver(a._id, t, stamp, actor));
    return this.movable.countMoved(t.transferId);
  }

  private async handOver(id: string, t: TransferRequest, stamp: TransferStamp, actor: Actor): Promise<void> {
    const current = await this.p.accounts.get(id);
    // Merged, reassigned or moved to another team meanwhile: no longer this transfer's to move.
    if (!current || !current.live || current.ownerId !== t.fromUserId) return;
    if (t.withinTeams && !t.withinTeams.includes(current.teamId)) return;
    const set: Partial<AccountDoc> = { ownerId: t.toUserId, transfer: stamp };
    if (t.toTeamId) set.teamId = t.toTeamId;
    const requestId = `ownership-transfer:${t.transferId}`;
    const change = {
      previousOwnerId: current.ownerId,
      reason: 'transfer' as const,
      transferId: t.transferId,
    };
    await this.p.accounts.save(current, set, actor, (n) => [
      this.changes.events.ownerChanged(n, change, actor, requestId),
    ]);
    this.p.written('account', id);
  }
}
