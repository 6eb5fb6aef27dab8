import { Violations } from '@crm/kit/domain';

/**
 * What follows an account when it changes owner: nothing (support ownership is by queue), or the
 * assignee of its open tickets (those the previous owner held go to the new owner).
 */
export const FOLLOW_ACCOUNT_TRANSFER = ['none', 'assignee'] as const;
export type FollowAccountTransfer = (typeof FOLLOW_ACCOUNT_TRANSFER)[number];
export const DEFAULT_FOLLOW_ACCOUNT_TRANSFER: FollowAccountTransfer = 'none';

/** What support managers tune of the service; the deployment's environment gives the defaults. */
export interface ServiceSettings {
  /** A resolved ticket the customer does not answer closes itself after this many days. */
  autoCloseDays: number;
  /** A closed ticket may be reopened within this many days of closing. */
  reopenWindowDays: number;
  /** How long a customer's confirmation link works, in days. */
  confirmationLinkDays: number;
  /** Warning percentage of SLA policies that set none. */
  defaultWarnAtPercent: number;
  /** Whether tickets follow their account to its new owner (AccountOwnerChanged). */
  followAccountTransfer: FollowAccountTransfer;
}

/** Settings as a caller sends them: followAccountTransfer may be left out ('' keeps the saved one). */
export type ServiceSettingsInput = Omit<ServiceSettings, 'followAccountTransfer'> & {
  followAccountTransfer?: string;
};

const whole = (v: Violations, field: string, value: number, min: number, max: number) => {
  if (!Number.isInteger(value) || value < min || value > max)
    v.add(field, `must be a whole number from ${min} to ${max}`);
};

/** Checks the settings; `saved` fills in what the caller left out. */
export function normaliseServiceSettings(
  raw: ServiceSettingsInput,
  saved: FollowAccountTransfer = DEFAULT_FOLLOW_ACCOUNT_TRANSFER,
): ServiceSettings {
  const v = new Violations();
  whole(v, 'autoCloseDays', raw.autoCloseDays, 1, 365);
  whole(v, 'reopenWindowDays', raw.reopenWindowDays, 0, 3650);
  whole(v, 'confirmationLinkDays', raw.confirmationLinkDays, 1, 365);
  whole(v, 'defaultWarnAtPercent', raw.defaultWarnAtPercent, 1, 99);
  // A link that expires before the auto-close leaves the customer no way to answer in time.
  if (Number.isInteger(raw.confirmationLinkDays) && raw.confirmationLinkDays < raw.autoCloseDays)
    v.add('confirmationLinkDays', 'must not be shorter than autoCloseDays (the link must work until then)');
  const follow = (raw.followAccountTransfer ?? '').trim() || saved;
  if (!(FOLLOW_ACCOUNT_TRANSFER as readonly string[]).includes(follow))
    v.add('followAccountTransfer', `must be one of ${FOLLOW_ACCOUNT_TRANSFER.join(', ')}`);
  v.throwIfAny();
  return {
    autoCloseDays: raw.autoCloseDays,
    reopenWindowDays: raw.reopenWindowDays,
    confirmationLinkDays: raw.confirmationLinkDays,
    defaultWarnAtPercent: raw.defaultWarnAtPercent,
    followAccountTransfer: follow as FollowAccountTransfer,
  };
}
