import { api, RUN, userId } from './support';

/** A deal of rep1's (team east); rep2 (team west) cannot see it unless on its deal team. */
async function rep1Deal(): Promise<string> {
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `Team customer ${RUN}`, website: `https://team-${RUN}.example.com` },
  });
  expect(account.status).toBe(201);
  const deal = await api('POST', '/api/v1/opportunities', {
    as: 'rep1',
    json: { name: `Team deal ${RUN}`, accountId: account.body.id, amountMinor: 50_000_00, currency: 'EUR' },
  });
  expect(deal.status).toBe(201);
  return deal.body.id;
}

const inListOf = async (as: 'rep2', id: string) => {
  const list = await api('GET', '/api/v1/opportunities?limit=200', { as });
  expect(list.status).toBe(200);
  return list.body.items.some((o: { id: string }) => o.id === id);
};

describe('the deal team (real Keycloak, real opportunity service)', () => {
  it('a presales member reads the deal and finds it in their list, but does not change it; others cannot read it', async () => {
    const id = await rep1Deal();
    expect((await api('GET', `/api/v1/opportunities/${id}`, { as: 'rep2' })).status).toBe(404);
    expect(await inListOf('rep2', id)).toBe(false);

    const [rep1, rep2] = [await userId('rep1'), await userId('rep2')];
    const members = [
      { userId: rep1, role: 'owner' },
      { userId: rep2, role: 'presales' },
    ];
    const byStranger = await api('PUT', `/api/v1/opportunities/${id}/team`, {
      as: 'rep2',
      json: { members },
    });
    expect(byStranger.status).toBe(404);
    const badRole = await api('PUT', `/api/v1/opportunities/${id}/team`, {
      as: 'rep1',
      json: { members: [{ userId: rep2, role: 'owner' }] },
    });
    expect(badRole.status).toBe(400);
    expect(badRole.body.errors).toEqual([expect.objectContaining({ field: 'members[0].role' })]);

    const set = await api('PUT', `/api/v1/opportunities/${id}/team`, { as: 'rep1', json: { members } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ opportunityId: id, members });

    const read = await api('GET', `/api/v1/opportunities/${id}`, { as: 'rep2' });
    expect(read.status).toBe(200);
    expect(read.body.teamMembers).toEqual(members);
    expect(await inListOf('rep2', id)).toBe(true);
    const team = await api('GET', `/api/v1/opportunities/${id}/team`, { as: 'rep2' });
    expect(team.body.members).toEqual(members);

    const edit = await api('PATCH', `/api/v1/opportunities/${id}`, {
      as: 'rep2',
      json: { nextStep: 'demo' },
    });
    expect(edit.status).toBe(403);
    const selfRemoval = await api('PUT', `/api/v1/opportunities/${id}/team`, {
      as: 'rep2',
      json: { members: [] },
    });
    expect(selfRemoval.status).toBe(403);

    const byManager = await api('PUT', `/api/v1/opportunities/${id}/team`, {
      as: 'manager',
      json: { members: [{ userId: rep1, role: 'owner' }] },
    });
    expect(byManager.status).toBe(200);
    expect((await api('GET', `/api/v1/opportunities/${id}`, { as: 'rep2' })).status).toBe(404);
    expect(await inListOf('rep2', id)).toBe(false);
  });
});
