import { checkVersion } from '@crm/kit';
import { allows, ForbiddenError, type Actor, VersionMismatchError } from '@crm/kit/domain';
import { type ExchangeRates, normaliseRates } from '../domain/exchange-rates';
import type { RatesStore, StoredRates } from './ports';

/** The exchange rates an admin sets; every sales role reads them (the figures they see use them). */
export class ExchangeRateSettings {
  constructor(
    private readonly store: RatesStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The rates; version 0 and no reporting currency before an admin first saves. */
  async get(reader: Actor): Promise<StoredRates> {
    if (!allows(reader.roles, 'analytics.sales.read') && !allows(reader.roles, 'analytics.rates.manage'))
      throw new ForbiddenError('exchange rates are for sales roles and admins');
    return (
      (await this.store.get()) ?? {
        version: 0,
        reportingCurrency: '',
        rates: [],
        updatedAt: new Date(0),
        updatedBy: '',
      }
    );
  }

  /** Replaces every rate; `expectedVersion` 0 skips the check (If-Match absent). */
  async save(expectedVersion: number, raw: ExchangeRates, by: Actor): Promise<StoredRates> {
    if (!allows(by.roles, 'analytics.rates.manage'))
      throw new ForbiddenError('only an admin sets exchange rates');
    const rates = normaliseRates(raw);
    const current = await this.store.get();
    const version = current?.version ?? 0;
    checkVersion(expectedVersion, version);
    const next: StoredRates = { ...rates, version: version + 1, updatedAt: this.now(), updatedBy: by.userId };
    if (!(await this.store.save(next, version))) {
      const now = (await this.store.get())?.version ?? 0;
      throw new VersionMismatchError(expectedVersion || version, now);
    }
    return next;
  }
}
