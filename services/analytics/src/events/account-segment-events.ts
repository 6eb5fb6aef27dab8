import { type Actor, eventPackage, type OutboxEntry } from '@crm/kit';
import { analyticsEvents as pb } from '@crm/proto';
import type { SegmentChange } from '../domain/account-segments';

const entry = eventPackage<'account-segment'>('crm.analytics.v1');

/** AccountSegmentChanged, as the version-th change of the account's segment. */
export function segmentChanged(
  change: SegmentChange,
  asOf: string,
  version: number,
  actor: Actor,
  requestId: string,
): OutboxEntry {
  const payload = pb.AccountSegmentChanged.encode(
    pb.AccountSegmentChanged.fromPartial({ ...change, asOf }),
  ).finish();
  return entry(
    'AccountSegmentChanged',
    payload,
    'account-segment',
    { _id: change.accountId, version },
    actor,
    requestId,
  );
}
