import { allows, changedFields, checkVersion, ForbiddenError, retryOnVersionMismatch } from '@crm/kit';
import {
  DEFAULT_FOLLOW_ACCOUNT_TRANSFER,
  normaliseServiceSettings,
  type ServiceSettings,
  type ServiceSettingsInput,
} from '../domain/service-settings';
import { serviceSettingsChanged } from '../events/service-settings-events';
import type { ServiceSettingsDoc } from '../store/ticket.model';
import type { Caller, TicketPorts } from './ports';

/** The settings document's id: there is one per installation. */
export const SETTINGS_ID = 'service';
/** Warning percentage of policies that set none, until a manager saves another. */
export const DEFAULT_WARN_AT_PERCENT = 80;

/** The settings in force: the saved ones, else the environment's (version 0). */
export type EffectiveSettings = ServiceSettings & { version: number; updatedAt?: Date; updatedBy: string };

type Ports = Pick<TicketPorts, 'serviceSettings' | 'closedLoop' | 'settingsWritten'>;

/** The settings in force now (read on every use, so a save applies on every replica at once). */
export async function settingsInForce(p: Ports): Promise<EffectiveSettings> {
  const saved = await p.serviceSettings.get(SETTINGS_ID);
  if (saved)
    return {
      autoCloseDays: saved.autoCloseDays,
      reopenWindowDays: saved.reopenWindowDays,
      confirmationLinkDays: saved.confirmationLinkDays,
      defaultWarnAtPercent: saved.defaultWarnAtPercent,
      // Saved before the setting existed: tickets do not follow accounts.
      followAccountTransfer: saved.followAccountTransfer ?? DEFAULT_FOLLOW_ACCOUNT_TRANSFER,
      version: saved.version,
      updatedAt: saved.updatedAt,
      updatedBy: saved.updatedBy,
    };
  return {
    ...p.closedLoop,
    defaultWarnAtPercent: DEFAULT_WARN_AT_PERCENT,
    followAccountTransfer: DEFAULT_FOLLOW_ACCOUNT_TRANSFER,
    version: 0,
    updatedBy: '',
  };
}

const FIELDS: (keyof ServiceSettingsDoc)[] = [
  'autoCloseDays',
  'reopenWindowDays',
  'confirmationLinkDays',
  'defaultWarnAtPercent',
  'followAccountTransfer',
];

/**
 * The service settings as an admin API: support staff read them, support managers and admins save
 * them; each save is a compare-and-set with its ServiceSettingsChanged event (so the audit log has it).
 */
export class ServiceSettingsAdmin {
  constructor(private readonly p: Ports) {}

  async get(c: Caller): Promise<EffectiveSettings> {
    if (!allows(c.actor.roles, 'ticket.read'))
      throw new ForbiddenError('this role does not read the service settings');
    return settingsInForce(this.p);
  }

  async save(expectedVersion: number, raw: ServiceSettingsInput, c: Caller): Promise<EffectiveSettings> {
    if (!allows(c.actor.roles, 'support.manage'))
      throw new ForbiddenError('only support managers and admins change the service settings');
    normaliseServiceSettings(raw); // bad values are a 400 before anything is read
    const once = async () => {
      const current = await this.p.serviceSettings.get(SETTINGS_ID);
      checkVersion(expectedVersion, current?.version ?? 0);
      // A caller that leaves followAccountTransfer out (an older client) keeps what was saved.
      const input: ServiceSettings = normaliseServiceSettings(raw, current?.followAccountTransfer);
      if (!current) {
        const now = new Date();
        const doc: ServiceSettingsDoc = {
          _id: SETTINGS_ID,
          version: 1,
          ...input,
          createdAt: now,
          createdBy: c.actor.userId,
          updatedAt: now,
          updatedBy: c.actor.userId,
          outbox: [],
        };
        doc.outbox = [
          serviceSettingsChanged(
            doc,
            changedFields({} as ServiceSettingsDoc, doc, FIELDS),
            c.actor,
            c.requestId,
          ),
        ];
        // Two first saves at once: the second finds the first's document and goes through compare-and-set.
        if (!(await this.p.serviceSettings.insert(doc))) return once();
      } else {
        await this.p.serviceSettings.save(current, input, c.actor, (n) => [
          serviceSettingsChanged(n, changedFields(current, n, FIELDS), c.actor, c.requestId),
        ]);
      }
      this.p.settingsWritten(SETTINGS_ID);
      return settingsInForce(this.p);
    };
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }
}
