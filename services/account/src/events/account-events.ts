import { type Actor, outboxEntry, type OutboxEntry } from '@crm/kit';
import { accountEvents } from '@crm/proto';
import { kinds, toProtoAccount, toProtoActivity, toProtoContact } from '../grpc/account.mapper';
import type { AccountDoc, ActivityDoc, ContactDoc } from '../store/account.model';

/**
 * Builds the outbox entries of account, contact and activity events; subjects are the full proto names
 * (crm.account.v1.AccountCreated), all in the stream CRM_ACCOUNT (crm.account.>).
 */
export const AccountEvents = {
  created(a: AccountDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.AccountCreated.encode({
      account: toProtoAccount(a),
      creationKey: a.creationKey ?? '',
    }).finish();
    return entry('AccountCreated', payload, 'account', a, actor, requestId);
  },
  updated(a: AccountDoc, changedFields: string[], actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.AccountUpdated.encode({
      account: toProtoAccount(a),
      changedFields,
    }).finish();
    return entry('AccountUpdated', payload, 'account', a, actor, requestId);
  },
  /** Written into the merged account's outbox together with its redirect. */
  merged(merged: AccountDoc, survivorId: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.AccountsMerged.encode({ survivorId, mergedId: merged._id }).finish();
    return entry('AccountsMerged', payload, 'account', merged, actor, requestId);
  },
  discarded(a: AccountDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.AccountDiscarded.encode({
      accountId: a._id,
      creationKey: a.creationKey,
    }).finish();
    return entry('AccountDiscarded', payload, 'account', a, actor, requestId);
  },
  contactCreated(c: ContactDoc, primaryId: string, actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.ContactCreated.encode({
      contact: toProtoContact(c, primaryId),
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
    const payload = accountEvents.ContactUpdated.encode({
      contact: toProtoContact(c, primaryId),
      changedFields,
    }).finish();
    return entry('ContactUpdated', payload, 'contact', c, actor, requestId);
  },
  contactDiscarded(c: ContactDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.ContactDiscarded.encode({
      contactId: c._id,
      accountId: c.accountId,
      creationKey: c.creationKey,
    }).finish();
    return entry('ContactDiscarded', payload, 'contact', c, actor, requestId);
  },
  activityLogged(a: ActivityDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.ActivityLogged.encode({
      activity: toProtoActivity(a),
      kind: kinds.toProto(a.kind),
      relatedTo: a.relatedTo,
      accountId: a.accountId,
      occurredAt: a.kind === 'task' ? a.createdAt : a.occurredAt,
    }).finish();
    return entry('ActivityLogged', payload, 'activity', a, actor, requestId);
  },
  activityUpdated(a: ActivityDoc, changedFields: string[], actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.ActivityUpdated.encode({
      activity: toProtoActivity(a),
      changedFields,
    }).finish();
    return entry('ActivityUpdated', payload, 'activity', a, actor, requestId);
  },
  taskCompleted(a: ActivityDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = accountEvents.TaskCompleted.encode({
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

function entry(
  name: string,
  payload: Uint8Array,
  aggregateType: 'account' | 'contact' | 'activity',
  doc: { _id: string; version: number },
  actor: Actor,
  requestId: string,
) {
  return outboxEntry({
    eventType: `crm.account.v1.${name}`,
    payload,
    aggregateType,
    aggregateId: doc._id,
    aggregateVersion: doc.version,
    actor,
    requestId,
  });
}
