import { Violations } from '@crm/kit/domain';

/** What an approver writes to have someone decide in their place for a while. */
export interface DelegationInput {
  delegatorId: string;
  delegateId: string;
  /** yyyy-mm-dd (UTC), both days included. */
  startsOn: string;
  endsOn: string;
  comment: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (s: string) =>
  DAY.test(s) &&
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

export function normaliseDelegation(raw: DelegationInput): DelegationInput {
  const v = new Violations();
  const d = {
    delegatorId: raw.delegatorId.trim(),
    delegateId: raw.delegateId.trim(),
    startsOn: raw.startsOn.trim(),
    endsOn: raw.endsOn.trim(),
    comment: raw.comment.trim(),
  };
  if (!d.delegateId) v.add('delegateId', 'is required');
  else if (d.delegateId === d.delegatorId) v.add('delegateId', 'cannot be the delegator themself');
  if (!isDay(d.startsOn)) v.add('startsOn', 'must be a date yyyy-mm-dd');
  if (!isDay(d.endsOn)) v.add('endsOn', 'must be a date yyyy-mm-dd');
  else if (isDay(d.startsOn) && d.endsOn < d.startsOn) v.add('endsOn', 'must not be before startsOn');
  if (d.comment.length > 500) v.add('comment', 'is longer than 500 characters');
  v.throwIfAny();
  return d;
}

/** The UTC day of an instant, as delegations compare them. */
export const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** Does a delegation let its delegate act on `day`? */
export const delegationRuns = (d: { active: boolean; startsOn: string; endsOn: string }, day: string) =>
  d.active && d.startsOn <= day && day <= d.endsOn;
