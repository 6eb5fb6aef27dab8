import { Roles, ValidationError } from '@crm/kit';
import { Opportunities, type OpportunityListRequest } from '../src/application/opportunities';
import { Pipelines } from '../src/application/pipelines';
import type { Caller } from '../src/application/ports';
import { inMemoryPorts } from './support/in-memory-repositories';

const rep1: Caller = {
  actor: { userId: 'rep1', username: 'rep1', roles: [Roles.rep], teams: ['east'] },
  requestId: 'req-rep1',
};

const listing = (over: Partial<OpportunityListRequest> = {}): OpportunityListRequest => ({
  stageKey: '',
  ownerId: '',
  teamId: '',
  accountId: '',
  pipelineId: '',
  closeDateFrom: '',
  closeDateTo: '',
  forecastCategory: '',
  limit: 0,
  cursor: '',
  ...over,
});

/** Three deals created in the order Beta, Alpha, Gamma; Alpha changed last. */
async function threeDeals() {
  const mem = inMemoryPorts();
  const opportunities = new Opportunities(mem.ports, new Pipelines(mem.ports));
  const make = async (name: string, amountMinor: number, expectedCloseDate: string, at: string) => {
    jest.setSystemTime(new Date(at));
    return opportunities.create(
      { name, accountId: 'acc-1', amountMinor, currency: 'EUR', expectedCloseDate },
      '',
      '',
      rep1,
    );
  };
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  await make('Beta', 500_00, '2027-02-01', '2026-11-01T10:00:00Z');
  const alpha = await make('Alpha', 9_000_00, '', '2026-11-02T10:00:00Z');
  await make('Gamma', 70_00, '2027-01-15', '2026-11-03T10:00:00Z');
  jest.setSystemTime(new Date('2026-11-04T10:00:00Z'));
  await opportunities.update(alpha._id, 1, { nextStep: 'Call the CFO' }, rep1);
  jest.useRealTimers();
  const names = async (sort?: string) =>
    (await opportunities.list(listing({ sort }), rep1)).opportunities.map((o) => o.name);
  return { opportunities, names };
}

describe('the opportunities list order', () => {
  it('is newest first unless sorted, and sorts by close date, amount, name and last change either way', async () => {
    const { names } = await threeDeals();
    expect(await names()).toEqual(['Gamma', 'Alpha', 'Beta']);
    expect(await names('createdAt')).toEqual(['Beta', 'Alpha', 'Gamma']);
    // A deal without an expected close date comes first going up, last going down.
    expect(await names('closeDate')).toEqual(['Alpha', 'Gamma', 'Beta']);
    expect(await names('-closeDate')).toEqual(['Beta', 'Gamma', 'Alpha']);
    expect(await names('-amount')).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(await names('name')).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(await names('-updatedAt')).toEqual(['Alpha', 'Gamma', 'Beta']);
  });

  it('refuses a sort it does not know, naming the parameter and the choices', async () => {
    const { opportunities } = await threeDeals();
    for (const sort of ['probability', '--amount', 'amount-', 'constructor']) {
      const err = await opportunities.list(listing({ sort }), rep1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).violations).toEqual([
        {
          field: 'sort',
          description:
            'must be one of createdAt, updatedAt, closeDate, amount, name, with an optional - for descending',
        },
      ]);
    }
  });

  it('refuses a malformed range: an amount or close-date range whose end is before its start', async () => {
    const { opportunities } = await threeDeals();
    const fieldsOf = async (over: Partial<OpportunityListRequest>) => {
      const err = await opportunities.list(listing(over), rep1).catch((e: unknown) => e);
      return (err as ValidationError).violations.map((v) => v.field);
    };
    expect(await fieldsOf({ amountMinMinor: 100, amountMaxMinor: 99 })).toEqual(['amountMaxMinor']);
    expect(await fieldsOf({ closeDateFrom: '2027-02-01', closeDateTo: '2027-01-31' })).toEqual([
      'closeDateTo',
    ]);
    expect(await fieldsOf({ closeDateFrom: '2027-02-30' })).toEqual(['closeDateFrom']);
  });
});
