import { type Actor, ForbiddenError, Roles, ValidationError, VersionMismatchError } from '@crm/kit/domain';
import { ExchangeRateSettings } from '../src/application/exchange-rate-settings';
import { Figures } from '../src/application/figures';
import type { RatesStore, StoredRates } from '../src/application/ports';
import { InMemoryFactStore, InMemoryGenerations } from './support/in-memory';

class InMemoryRates implements RatesStore {
  doc?: StoredRates;
  async get() {
    return this.doc && structuredClone(this.doc);
  }
  async save(rates: StoredRates, previous: number) {
    if ((this.doc?.version ?? 0) !== previous) return false;
    this.doc = structuredClone(rates);
    return true;
  }
}

const actor = (userId: string, roles: string[]): Actor => ({ userId, username: userId, roles, teams: [] });
const admin = actor('admin', [Roles.admin]);
const rep1 = actor('rep1', [Roles.rep]);
const input = {
  reportingCurrency: 'EUR',
  rates: [{ currency: 'CNY', validFrom: '2026-01-01', rate: '0.125' }],
};

describe('exchange rate settings', () => {
  it('an admin saves them with who and a new version; a rep reads them but cannot change them', async () => {
    const settings = new ExchangeRateSettings(new InMemoryRates(), () => new Date('2026-12-02T10:00:00Z'));
    expect(await settings.get(rep1)).toMatchObject({ version: 0, reportingCurrency: '' });
    const saved = await settings.save(0, input, admin);
    expect(saved).toMatchObject({ version: 1, reportingCurrency: 'EUR', updatedBy: 'admin' });
    expect(await settings.get(rep1)).toMatchObject({ version: 1, rates: input.rates });
    await expect(settings.save(1, input, rep1)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuse a save on a stale version, and bad rates before anything is written', async () => {
    const store = new InMemoryRates();
    const settings = new ExchangeRateSettings(store);
    await settings.save(0, input, admin);
    await settings.save(1, { ...input, reportingCurrency: 'USD' }, admin);
    await expect(settings.save(1, input, admin)).rejects.toBeInstanceOf(VersionMismatchError);
    await expect(
      settings.save(
        2,
        { reportingCurrency: 'EUR', rates: [{ currency: 'CNY', validFrom: 'soon', rate: '1' }] },
        admin,
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(store.doc).toMatchObject({ version: 2, reportingCurrency: 'USD' });
  });

  it('figures in the reporting currency need one to be set', async () => {
    const rates = new InMemoryRates();
    const figures = new Figures(new InMemoryGenerations(), new InMemoryFactStore(), rates);
    await expect(figures.pipeline({ currency: 'reporting' }, admin)).rejects.toBeInstanceOf(ValidationError);
    await new ExchangeRateSettings(rates).save(0, input, admin);
    expect(await figures.pipeline({ currency: 'reporting' }, admin)).toEqual([]);
  });

  it('RFM needs one currency: several without a reporting currency are a 400, with one they convert', async () => {
    const rates = new InMemoryRates();
    const store = new InMemoryFactStore();
    const figures = new Figures(new InMemoryGenerations(), store, rates, () => '2026-12-02');
    const deal = (id: string, accountId: string, amountMinor: number, currency: string) =>
      store.saveOpportunity(
        1,
        {
          _id: id,
          version: 1,
          day: '2026-11-01',
          ownerId: 'rep1',
          teamId: 'north',
          pipelineId: 'default',
          stageKey: 'closed-won',
          stagesReached: ['closed-won'],
          amountMinor,
          currency,
          expectedCloseDate: '',
          status: 'won',
          closedDay: '2026-11-20',
          daysToClose: 19,
          lossReason: '',
          competitor: '',
          stays: [],
          accountId,
          eventAt: new Date(),
          appliedAt: new Date(),
        },
        undefined,
      );
    await deal('d1', 'acme', 1_000_00, 'EUR');
    await deal('d2', 'initech', 8_000_00, 'CNY');
    await expect(figures.accountsRfm({}, admin)).rejects.toBeInstanceOf(ValidationError);
    await new ExchangeRateSettings(rates).save(0, input, admin); // CNY at 0.125 into EUR
    const rfm = await figures.accountsRfm({}, admin);
    expect(rfm.currency).toBe('EUR');
    expect(rfm.rows.map((r) => [r.accountId, r.monetaryMinor])).toEqual([
      ['acme', 1_000_00],
      ['initech', 1_000_00],
    ]);
  });
});
