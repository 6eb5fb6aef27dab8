/**
 * The account overview gathers the account's deals from the opportunity service for the caller: a rep
 * sees their open and won deals beside contacts and activities; lost deals are left out.
 */
import { api, RUN } from './support';

it('the account overview shows the open and won deals of the account, not the lost ones', async () => {
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `Overview deals ${RUN}`, website: `https://overview-deals-${RUN}.example.com` },
  });
  expect(account.status).toBe(201);
  const open = async (name: string) => {
    const res = await api('POST', '/api/v1/opportunities', {
      as: 'rep1',
      json: { name, accountId: account.body.id, amountMinor: 5_000_000, currency: 'CNY' },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const kept = await open(`Expansion ${RUN}`);
  const lost = await open(`Pilot ${RUN}`);
  const closed = await api('POST', `/api/v1/opportunities/${lost}/close`, {
    as: 'rep1',
    json: { outcome: 'lost', lossReason: 'price' },
  });
  expect(closed.status).toBe(200);

  const overview = await api('GET', `/api/v1/accounts/${account.body.id}/overview`, { as: 'rep1' });
  expect(overview.status).toBe(200);
  expect(overview.body.partial).toBe(false);
  expect(overview.body.opportunities.status).toBe('ok');
  expect(overview.body.opportunities.items.map((o: { id: string }) => o.id)).toEqual([kept]);
  expect(overview.body.opportunities.items[0]).toMatchObject({
    name: `Expansion ${RUN}`,
    amountMinor: 5_000_000,
  });
});
