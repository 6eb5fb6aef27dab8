import { Violations } from '@crm/kit/domain';

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
}

const whole = (v: Violations, field: string, value: number, min: number, max: number) => {
  if (!Number.isInteger(value) || value < min || value > max)
    v.add(field, `must be a whole number from ${min} to ${max}`);
};

export function normaliseServiceSettings(raw: ServiceSettings): ServiceSettings {
  const v = new Violations();
  whole(v, 'autoCloseDays', raw.autoCloseDays, 1, 365);
  whole(v, 'reopenWindowDays', raw.reopenWindowDays, 0, 3650);
  whole(v, 'confirmationLinkDays', raw.confirmationLinkDays, 1, 365);
  whole(v, 'defaultWarnAtPercent', raw.defaultWarnAtPercent, 1, 99);
  // A link that expires before the auto-close leaves the customer no way to answer in time.
  if (Number.isInteger(raw.confirmationLinkDays) && raw.confirmationLinkDays < raw.autoCloseDays)
    v.add('confirmationLinkDays', 'must not be shorter than autoCloseDays (the link must work until then)');
  v.throwIfAny();
  return {
    autoCloseDays: raw.autoCloseDays,
    reopenWindowDays: raw.reopenWindowDays,
    confirmationLinkDays: raw.confirmationLinkDays,
    defaultWarnAtPercent: raw.defaultWarnAtPercent,
  };
}
