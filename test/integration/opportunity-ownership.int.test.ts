import { waitFor } from '@crm/kit/testing';
import { api, RUN, type User, userId } from './support';

async function account(as: User, name: string, over: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', '/api/v1/accounts', {
    as,
    json: {
      name: `${name} ${RUN}`,
      website: `https://${name.toLowerCase().replace(/\W+/g, '-')}-${RUN}.example.com`,
      ...over,
    },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function deal(as: User, accountId: string, name: string, over: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/opportunities', {
    as,
    json: { name: `${name} ${RUN}`, accountId, amountMinor: 10_000_00, currency: 'EUR', ...over },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number };
}

const ownerOf = async (id: string) =>
  (await api('GET', `/api/v1/opportunities/${id}`, { as: 'admin' })).body.ownerId as string;

describe('deals follow their account (real stack)', () => {
  it("a transfer of a departing rep's book moves their open deals; a lost deal keeps its owner", async () => {
    // A user id of this test's own, so moving the whole book touches nothing another test works with.
    const leaver = `leaving-deals-${RUN}`;
    const rep2 = await userId('rep2');
    const owned = { ownerId: leaver, teamId: 'sales-east' };
    const accountId = await account('manager', 'Departing book', owned);
    const open = await deal('manager', accountId, 'Open deal', owned);
    const lost = await deal('manager', accountId, 'Lost deal', owned);
    const closed = await api('POST', `/api/v1/opportunities/${lost.id}/close`, {
      as: 'manager',
      headers: { 'if-match': `"${lost.version}"` },
      json: { outcome: 'lost', lossReason: 'price' },
    });
    expect(closed.status).toBe(200);

    const started = await api('POST', '/api/v1/ownership-transfers', {
      as: 'manager',
      json: { fromUserId: leaver, toUserId: rep2 },
    });
    expect(started.status).toBe(202);
    let transfer = started.body;
    await waitFor(async () => {
      transfer = (await api('GET', `/api/v1/ownership-transfers/${started.body.id}`, { as: 'manager' })).body;
      return transfer.status === 'completed';
    }, 20_000);
    expect(transfer.counts).toMatchObject({ account: 1, opportunity: 1 });

    const moved = await api('GET', `/api/v1/opportunities/${open.id}`, { as: 'rep2' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ ownerId: rep2, updatedBy: await userId('manager') });
    expect(await ownerOf(lost.id)).toBe(leaver);
  }, 60_000);

  it("reassigning one account takes its previous owner's open deals along, within seconds", async () => {
    const [rep1, rep2] = [await userId('rep1'), await userId('rep2')];
    const accountId = await account('rep1', 'Reassigned');
    const rep1Deal = await deal('rep1', accountId, 'Follows the account');
    const before = await api('GET', `/api/v1/accounts/${accountId}`, { as: 'manager' });
    const reassigned = await api('PATCH', `/api/v1/accounts/${accountId}`, {
      as: 'manager',
      headers: { 'if-match': before.headers.get('etag') ?? '' },
      json: { ownerId: rep2 },
    });
    expect(reassigned.status).toBe(200);
    await waitFor(async () => (await ownerOf(rep1Deal.id)) === rep2, 15_000);
    expect(await ownerOf(rep1Deal.id)).not.toBe(rep1);
    expect((await api('GET', `/api/v1/opportunities/${rep1Deal.id}`, { as: 'rep1' })).status).toBe(404);
  }, 30_000);

  it("merging two accounts moves the merged one's deals, closed ones too, to the survivor's list", async () => {
    const survivorId = await account('rep1', 'Merge survivor');
    const mergedId = await account('rep1', 'Merge duplicate');
    const open = await deal('rep1', mergedId, 'Open on the duplicate');
    const lost = await deal('rep1', mergedId, 'Lost on the duplicate');
    const closed = await api('POST', `/api/v1/opportunities/${lost.id}/close`, {
      as: 'rep1',
      headers: { 'if-match': `"${lost.version}"` },
      json: { outcome: 'lost', lossReason: 'price' },
    });
    expect(closed.status).toBe(200);
    const merged = await api('POST', `/api/v1/accounts/${survivorId}/merge`, {
      as: 'manager',
      json: { mergedAccountId: mergedId },
    });
    expect(merged.status).toBe(200);

    const onSurvivor = async () =>
      (
        (await api('GET', `/api/v1/opportunities?accountId=${survivorId}`, { as: 'rep1' })).body.items as {
          id: string;
        }[]
      ).map((d) => d.id);
    await waitFor(async () => (await onSurvivor()).length === 2, 15_000);
    expect((await onSurvivor()).sort()).toEqual([open.id, lost.id].sort());
    const moved = await api('GET', `/api/v1/opportunities/${open.id}`, { as: 'rep1' });
    expect(moved.body).toMatchObject({
      accountId: survivorId,
      ownerId: await userId('rep1'),
      updatedBy: await userId('manager'),
    });
  }, 30_000);
});

describe('deals in the public pool (real stack)', () => {
  it('the owner releases an open deal, another rep claims it; a lost deal cannot go to the pool', async () => {
    const rep2 = await userId('rep2');
    const accountId = await account('rep1', 'Pooled deals');
    const open = await deal('rep1', accountId, 'Pooled');
    const released = await api('POST', '/api/v1/pool', {
      as: 'rep1',
      json: { type: 'opportunity', id: open.id, reason: 'no time for it' },
    });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ type: 'opportunity', id: open.id, pooled: true, ownerId: null });
    const pool = await api('GET', '/api/v1/pool?type=opportunity&limit=200', { as: 'rep2' });
    expect(pool.body.items.map((r: { id: string }) => r.id)).toContain(open.id);
    const claimed = await api('POST', `/api/v1/pool/opportunity/${open.id}/claim`, { as: 'rep2' });
    expect(claimed.status).toBe(200);
    expect((await api('GET', `/api/v1/opportunities/${open.id}`, { as: 'rep2' })).body.ownerId).toBe(rep2);

    const lost = await deal('rep1', accountId, 'Lost, stays');
    await api('POST', `/api/v1/opportunities/${lost.id}/close`, {
      as: 'rep1',
      headers: { 'if-match': `"${lost.version}"` },
      json: { outcome: 'lost', lossReason: 'timing' },
    });
    const refused = await api('POST', '/api/v1/pool', {
      as: 'rep1',
      json: { type: 'opportunity', id: lost.id, reason: 'done with it' },
    });
    expect(refused.status).toBe(409);
  });
});

describe('the deal team (real Keycloak directory)', () => {
  it('adding a user the directory does not know is a 400 naming the member, and nothing changes', async () => {
    const accountId = await account('rep1', 'Team check');
    const d = await deal('rep1', accountId, 'Team check');
    const res = await api('PUT', `/api/v1/opportunities/${d.id}/team`, {
      as: 'rep1',
      json: {
        members: [
          { userId: await userId('rep2'), role: 'presales' },
          { userId: `nobody-${RUN}`, role: 'finance' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'members[1].userId' })]);
    expect((await api('GET', `/api/v1/opportunities/${d.id}/team`, { as: 'rep1' })).body.members).toEqual([]);
  });
});
