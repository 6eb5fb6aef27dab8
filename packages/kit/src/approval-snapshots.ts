/**
 * The fields the CRM's own requesters (the opportunity service) put in an approval request's snapshot,
 * per subject type: the fields an approval policy's condition may name without listing them in
 * snapshotFields. One list for both sides: the approval service validates conditions against it and
 * the opportunity service's snapshots are typed by it, so a condition can no longer be accepted on a
 * field that is never sent (it would never match).
 */
export const APPROVAL_SNAPSHOT_FIELDS = {
  quote: [
    'discountPercent',
    'totalMinor',
    'subtotalMinor',
    'discountMinor',
    'currency',
    'ownerId',
    'teamId',
    'accountId',
    'opportunityId',
    'quoteNumber',
    'revision',
  ],
  // Only a win asks (a loss needs no approval), so outcome is always "won"; stageKey is the stage it
  // is closed from.
  'opportunity-close': [
    'name',
    'outcome',
    'amountMinor',
    'currency',
    'ownerId',
    'teamId',
    'accountId',
    'pipelineId',
    'stageKey',
    'winProbability',
    'expectedCloseDate',
  ],
  payment: [
    'amountMinor',
    'plannedAmountMinor',
    'currency',
    'ownerId',
    'teamId',
    'accountId',
    'opportunityId',
    'invoiceNumber',
    'dueDate',
    'receivedDate',
  ],
} as const;

export type ApprovalSubjectType = keyof typeof APPROVAL_SNAPSHOT_FIELDS;

/** A snapshot of one subject type: exactly its fields (a literal with one more or one less fails). */
export type ApprovalSnapshot<S extends ApprovalSubjectType> = {
  [F in (typeof APPROVAL_SNAPSHOT_FIELDS)[S][number]]: string | number;
};
