import { type Actor, eventPackage, type OutboxEntry } from '@crm/kit';
import { accountEvents as pb } from '@crm/proto';
import {
  kinds,
  type ShownFields,
  toProtoAccount,
  toProtoActivity,
  toProtoContact,
} from '../grpc/account.mapper';
import type { AccountDoc, ActivityDoc, ContactDoc } from '../store/account.model';

/** Why an account changed hands (AccountOwnerChanged.reason). */
export type OwnerChangeReason = 'transfer' | 'reassigned' | 'pool-claim' | 'pool-release';

/** Who held the account before, and why it moved. */
export interface OwnerChange {
  previousOwnerId: string;
  reason: OwnerChangeReason;
  /** The ownership transfer that moved it, if one did. */
  transferId?: string;
}

const entry = eventPackage<'account' | 'contact' | 'activity'>('crm.account.v1');

/**
 * Builds the outbox entries of account, contact and activity events; subjects are the full proto names
 * (crm.account.v1.AccountCreated), all in the stream CRM_ACCOUNT (crm.account.>). Custom fields in the
 * payloads look as in responses: archived ones are left out (`shown`).
 */
export function accountEvents(shown: ShownFields) {
  return {
    created(a: AccountDoc, actor: Actor, requestId: string): OutboxEntry {
      const payload = pb.AccountCreated.encode({
        account: toProtoAccount(a, shown),
        creationKey: a.creationKey ?? '',
      }).finish();
      return entry('AccountCreated', payload, 'account', a, actor, requestId);
    },
    updated(
      a: AccountDoc,
      changedFields: string[],
      actor: Actor,
      requestId: string,
      previousOwnerId = '',
    ): OutboxEntry {
      const payload = pb.AccountUpdated.encode({
        account: toProtoAccount(a, shown),
        changedFields,
        previousOwnerId,
      }).finish();
      return entry('AccountUpdated', payload, 'account', a, actor, requestId);
    },
    /**
     * The account changed hands (reassigned, transferred, claimed from or released to the pool);
     * written with the owner change, `a` as stored after it.
     */
    ownerChanged(
      a: Pick<AccountDoc, '_id' | 'version' | 'ownerId' | 'teamId'>,
      change: OwnerChange,
      actor: Actor,
      requestId: string,
    ): OutboxEntry {
      const payload = pb.AccountOwnerChanged.encode({
        accountId: a._id,
        previousOwnerId: change.previousOwnerId,
        newOwnerId: a.ownerId,
        teamId: a.teamId,
        transferId: change.transferId ?? '',
        reason: change.reason,
      }).finish();
      return entry('AccountOwnerChanged', payload, 'account', a, actor, requestId);
    },
    /** Written into the merged account's outbox together with its redirect. */
    merged(merged: AccountDoc, survivorId: string, actor: Actor, requestId: string): OutboxEntry {
      const payload = pb.AccountsMerged.encode({ survivorId, mergedId: merged._id }).finish();
      return entry('AccountsMerged', payload, 'account', merged, actor, requestId);
    },
    discarded(a: AccountDoc, actor: Actor, requestId: string): OutboxEntry {
      const payload = pb.AccountDiscarded.encode({ accountId: a._id, creationKey: a.creationKey }).finish();
      return entry('AccountDiscarded', payload, 'account', a, actor, requestId);
    },
    contactCreated(c: ContactDoc, primaryId: string, actor: Actor, requestId: string): OutboxEntry {
      const payload = pb.ContactCreated.encode({
        contact: toProtoContact(c, primaryId, shown),
        creationKey: c.creationKey ?? '',
      }).finish();
      return entry('ContactCreated', payload, 'contact', c, actor, requestId);
    },
    contactUpdated(
      c: ContactDoc,
      primaryId: string,
      changedFields: string[],
      actor: Actor,
      requestId: string,
    ): OutboxEntry {
      const payload = pb.ContactUpdated.encode({
        contact: toProtoContact(c, primaryId, shown),
        changedFields,
      }).finish();
      return entry('ContactUpdated', payload, 'contact', c, actor, requestId);
    },
    contactDiscarded(c: ContactDoc, actor: Actor, requestId: string): OutboxEntry {
      const payload = pb.ContactDiscarded.encode({
        contactId: c._id,
        accountId: c.accountId,
        creationKey: c.creationKey,
      }).finish();
      return entry('ContactDiscarded', payload, 'contact', c, actor, requestId);
    },
    activityLogged(a: ActivityDoc, actor: Actor, requestId: string): OutboxEntry {
      const payload = pb.ActivityLogged.encode({
        activity: toProtoActivity(a),
        kind: kinds.toProto(a.kind),
        relatedTo: a.relatedTo,
        accountId: a.accountId,
        occurredAt: a.kind === 'task' ? a.createdAt : a.occurredAt,
      }).finish();
      return entry('ActivityLogged', payload, 'activity', a, actor, requestId);
    },
    activityUpdated(a: ActivityDoc, changedFields: string[], actor: Actor, requestId: string): OutboxEntry {
      const payload = pb.ActivityUpdated.encode({ activity: toProtoActivity(a), changedFields }).finish();
      return entry('ActivityUpdated', payload, 'activity', a, actor, requestId);
    },
    taskCompleted(a: ActivityDoc, actor: Actor, requestId: string): OutboxEntry {
      const payload = pb.TaskCompleted.encode({
        activityId: a._id,
        relatedTo: a.relatedTo,
        accountId: a.accountId,
        assigneeId: a.assigneeId,
        completedBy: a.doneBy,
        completedAt: a.doneAt ?? undefined,
      }).finish();
      return entry('TaskCompleted', payload, 'activity', a, actor, requestId);
    },
  };
}

export type AccountEvents = ReturnType<typeof accountEvents>;
