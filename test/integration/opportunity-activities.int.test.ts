import { api, RUN, type User } from './support';

async function account(as: User, name: string): Promise<string> {
  const res = await api('POST', '/api/v1/accounts', {
    as,
    json: {
      name: `${name} ${RUN}`,
      website: `https://${name.toLowerCase().replace(/\W+/g, '-')}-${RUN}.example.com`,
    },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function deal(as: User, accountId: string, name: string): Promise<string> {
  const res = await api('POST', '/api/v1/opportunities', {
    as,
    json: { name: `${name} ${RUN}`, accountId, amountMinor: 5_000_00, currency: 'EUR' },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

const call = (relatedTo: { type: string; id: string }, extra: Record<string, unknown> = {}) => ({
  type: 'call',
  subject: 'Discovery call',
  relatedTo,
  ...extra,
});

describe('activities about a deal (account service asks the opportunity service)', () => {
  it("an activity on the deal is filed under its account and listed in the deal's history", async () => {
    const accountId = await account('rep1', 'Activity customer');
    const dealId = await deal('rep1', accountId, 'Activity deal');
    const onDeal = await api('POST', '/api/v1/activities', {
      as: 'rep1',
      json: call({ type: 'opportunity', id: dealId }),
    });
    expect(onDeal.status).toBe(201);
    expect(onDeal.body).toMatchObject({ accountId, opportunityId: dealId });
    const naming = await api('POST', '/api/v1/activities', {
      as: 'rep1',
      json: call({ type: 'account', id: accountId }, { subject: 'Pricing call', opportunityId: dealId }),
    });
    expect(naming.status).toBe(201);
    await api('POST', '/api/v1/activities', { as: 'rep1', json: call({ type: 'account', id: accountId }) });

    const history = await api('GET', `/api/v1/activities?relatedTo=${dealId}&relatedType=opportunity`, {
      as: 'rep1',
    });
    expect(history.status).toBe(200);
    expect(history.body.items.map((a: { id: string }) => a.id).sort()).toEqual(
      [onDeal.body.id, naming.body.id].sort(),
    );
    const ofAccount = await api('GET', `/api/v1/activities?accountId=${accountId}`, { as: 'rep1' });
    expect(ofAccount.body.items.map((a: { id: string }) => a.id)).toContain(onDeal.body.id);
  });

  it('a deal of another account is a 400 naming opportunityId; nothing is logged', async () => {
    const acme = await account('rep1', 'Acme for activities');
    const globex = await account('rep1', 'Globex for activities');
    const globexDeal = await deal('rep1', globex, 'Globex deal');
    const res = await api('POST', '/api/v1/activities', {
      as: 'rep1',
      json: call({ type: 'account', id: acme }, { opportunityId: globexDeal }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'opportunityId' })]);
    const logged = await api('GET', `/api/v1/activities?accountId=${acme}`, { as: 'rep1' });
    expect(logged.body.items).toEqual([]);
  });

  it('a rep who cannot see the deal can neither log on it, name it, nor read its history (404)', async () => {
    const rep1Account = await account('rep1', 'Hidden deal customer');
    const hidden = await deal('rep1', rep1Account, 'Hidden deal');
    const rep2Account = await account('rep2', 'Rep2 own customer');
    const onDeal = await api('POST', '/api/v1/activities', {
      as: 'rep2',
      json: call({ type: 'opportunity', id: hidden }),
    });
    expect(onDeal.status).toBe(404);
    const naming = await api('POST', '/api/v1/activities', {
      as: 'rep2',
      json: call({ type: 'account', id: rep2Account }, { opportunityId: hidden }),
    });
    expect(naming.status).toBe(404);
    const history = await api('GET', `/api/v1/activities?relatedTo=${hidden}&relatedType=opportunity`, {
      as: 'rep2',
    });
    expect(history.status).toBe(404);
  });
});
