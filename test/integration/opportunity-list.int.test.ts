import { api, RUN } from './support';

const PROBLEM = /^application\/problem\+json/;
/** Unique per run: definitions outlive a run (archived at the end, never deleted). Never required: other files create deals too. */
const DEAL_TYPE = `deal_type_${RUN}`.slice(0, 40);
const SEATS = `seats_${RUN}`.slice(0, 40);
const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

let accountId = '';
/** The deals of this run by name, all with one account of rep1's so a list filtered by it holds only them. */
const deals: Record<string, { id: string; version: number }> = {};

async function newDeal(name: string, amountMinor: number, expectedCloseDate: string, custom: object) {
  const res = await api('POST', '/api/v1/opportunities', {
    as: 'rep1',
    json: {
      name: `${name} ${RUN}`,
      accountId,
      amountMinor,
      currency: 'EUR',
      expectedCloseDate,
      customFields: custom,
    },
  });
  expect(res.status).toBe(201);
  deals[name] = res.body;
  return res.body;
}

/** Names (without the run suffix) of the deals a list of this run's account answers, in order. */
async function names(query: string): Promise<string[]> {
  const res = await api('GET', `/api/v1/opportunities?accountId=${accountId}&${query}`, { as: 'rep1' });
  expect(res.status).toBe(200);
  return res.body.items.map((o: { name: string }) => o.name.replace(` ${RUN}`, ''));
}

beforeAll(async () => {
  for (const definition of [
    {
      key: DEAL_TYPE,
      label: 'Deal type',
      type: 'enum',
      constraints: { options: ['new', 'renewal', 'upsell'] },
    },
    { key: SEATS, label: 'Seats', type: 'number', constraints: { min: 1 } },
  ]) {
    const res = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: { entity: 'opportunity', ...definition },
    });
    expect(res.status).toBe(201);
  }
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `List customer ${RUN}`, website: `https://list-${RUN}.example.com` },
  });
  expect(account.status).toBe(201);
  accountId = account.body.id;
  // Created in this order (createdAt), with amounts, dates and names that each sort differently.
  await newDeal('Delta', 40_000_00, '2027-03-31', { [DEAL_TYPE]: 'renewal', [SEATS]: 40 });
  await newDeal('Alpha', 250_000_00, '2027-01-15', { [DEAL_TYPE]: 'new' });
  await newDeal('Charlie', 5_000_00, '', { [DEAL_TYPE]: 'renewal' });
  await newDeal('Bravo', 90_000_00, '2027-06-30', {});
});

afterAll(async () => {
  for (const key of [DEAL_TYPE, SEATS])
    await api('DELETE', `/api/v1/custom-fields/opportunity/${key}`, { as: 'admin' });
});

describe('custom fields of opportunities (real stack)', () => {
  it('are stored with the deal and read back; a value that does not fit is a 400 naming the field', async () => {
    const got = await api('GET', `/api/v1/opportunities/${deals.Delta!.id}`, { as: 'rep1' });
    expect(got.status).toBe(200);
    expect(got.body.customFields).toEqual({ [DEAL_TYPE]: 'renewal', [SEATS]: 40 });

    const bad = await api('POST', '/api/v1/opportunities', {
      as: 'rep1',
      json: {
        name: `Bad ${RUN}`,
        accountId,
        currency: 'EUR',
        customFields: { [DEAL_TYPE]: 'lease', [SEATS]: '40', colour_of_the_day: 'red' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(PROBLEM);
    expect(fields(bad.body).sort()).toEqual(
      [`customFields.${DEAL_TYPE}`, `customFields.${SEATS}`, 'customFields.colour_of_the_day'].sort(),
    );
  });

  it('an update changes only the keys it sends; null clears one, and who changed it is recorded', async () => {
    const { id, version } = deals.Delta!;
    const res = await api('PATCH', `/api/v1/opportunities/${id}`, {
      as: 'rep1',
      headers: { 'if-match': `"${version}"` },
      json: { customFields: { [SEATS]: null, [DEAL_TYPE]: 'upsell' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.customFields).toEqual({ [DEAL_TYPE]: 'upsell' });
    expect(res.body.updatedBy).toBe(res.body.ownerId);
    const bad = await api('PATCH', `/api/v1/opportunities/${id}`, {
      as: 'rep1',
      headers: { 'if-match': `"${res.body.version}"` },
      json: { customFields: { [SEATS]: 0 } },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual([`customFields.${SEATS}`]);
    // Back as it was, for the filters below.
    const back = await api('PATCH', `/api/v1/opportunities/${id}`, {
      as: 'rep1',
      headers: { 'if-match': `"${res.body.version}"` },
      json: { customFields: { [DEAL_TYPE]: 'renewal' } },
    });
    expect(back.status).toBe(200);
  });
});

describe('the opportunities list: filters and sort (real stack)', () => {
  it('filters by a custom field, amount range, close-date range, stage and forecast category', async () => {
    expect(await names(`cf.${DEAL_TYPE}=renewal&sort=name`)).toEqual(['Charlie', 'Delta']);
    expect(await names('amountMinMinor=5000000&amountMaxMinor=25000000&sort=name')).toEqual([
      'Alpha',
      'Bravo',
    ]);
    expect(await names('closeDateFrom=2027-02-01&closeDateTo=2027-06-30&sort=name')).toEqual([
      'Bravo',
      'Delta',
    ]);
    const moved = await api('POST', `/api/v1/opportunities/${deals.Bravo!.id}/stage`, {
      as: 'rep1',
      json: { stageKey: 'negotiation' },
    });
    expect(moved.status).toBe(200);
    expect(await names('stage=negotiation')).toEqual(['Bravo']);
    expect(await names('forecastCategory=commit')).toEqual(['Bravo']);
    expect(await names('forecastCategory=pipeline&ownerId=me&sort=name')).toEqual([
      'Alpha',
      'Charlie',
      'Delta',
    ]);
  });

  it('sorts newest first by default, and by amount, close date, name or last change either way', async () => {
    expect(await names('')).toEqual(['Bravo', 'Charlie', 'Alpha', 'Delta']);
    expect(await names('sort=-amount')).toEqual(['Alpha', 'Bravo', 'Delta', 'Charlie']);
    expect(await names('sort=amount')).toEqual(['Charlie', 'Delta', 'Bravo', 'Alpha']);
    // A deal without an expected close date comes first going up.
    expect(await names('sort=closeDate')).toEqual(['Charlie', 'Alpha', 'Delta', 'Bravo']);
    expect(await names('sort=name')).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta']);
    // Bravo moved stage last (the filter test), Delta's fields changed before that.
    expect((await names('sort=-updatedAt')).slice(0, 2)).toEqual(['Bravo', 'Delta']);
  });

  it('pages a sorted list with its cursor: every deal once, in order', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const res = await api(
        'GET',
        `/api/v1/opportunities?accountId=${accountId}&sort=-amount&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { as: 'rep1' },
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((o: { name: string }) => o.name.replace(` ${RUN}`, '')));
      if (!res.body.nextCursor) break;
      cursor = encodeURIComponent(res.body.nextCursor);
    }
    expect(seen).toEqual(['Alpha', 'Bravo', 'Delta', 'Charlie']);
  });

  it('answers an unknown sort, a malformed or inverted range and an unknown custom field with a 400', async () => {
    for (const query of [
      'sort=probability',
      'closeDateFrom=2027-05-01&closeDateTo=2027-04-01',
      'closeDateFrom=2027-02-30',
      'amountMinMinor=100&amountMaxMinor=99',
      'amountMinMinor=-5',
      'cf.no_such_field=1',
      `cf.${SEATS}=many`,
    ]) {
      const res = await api('GET', `/api/v1/opportunities?accountId=${accountId}&${query}`, { as: 'rep1' });
      expect({ query, status: res.status, problem: PROBLEM.test(res.contentType) }).toEqual({
        query,
        status: 400,
        problem: true,
      });
    }
  });

  it('hides an archived field from readers and refuses it as a filter; the other values stay', async () => {
    const delta = await api('GET', `/api/v1/opportunities/${deals.Delta!.id}`, { as: 'rep1' });
    const seats = await api('PATCH', `/api/v1/opportunities/${deals.Delta!.id}`, {
      as: 'rep1',
      headers: { 'if-match': `"${delta.body.version}"` },
      json: { customFields: { [SEATS]: 12 } },
    });
    expect(seats.body.customFields).toEqual({ [DEAL_TYPE]: 'renewal', [SEATS]: 12 });
    const archived = await api('DELETE', `/api/v1/custom-fields/opportunity/${SEATS}`, { as: 'admin' });
    expect(archived.status).toBeLessThan(300);
    const after = await api('GET', `/api/v1/opportunities/${deals.Delta!.id}`, { as: 'rep1' });
    expect(after.body.customFields).toEqual({ [DEAL_TYPE]: 'renewal' });
    const filter = await api('GET', `/api/v1/opportunities?accountId=${accountId}&cf.${SEATS}=12`, {
      as: 'rep1',
    });
    expect(filter.status).toBe(400);
  });
});
