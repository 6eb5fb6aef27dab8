import { api, RUN, userId } from './support';

// Issue 9 tried as an attacker would, through the gateway against the real services: managers stay
// inside their teams, activities need a record the caller sees, and answers name no record the caller
// may not see.

/** The support agent's user id, as the user directory (Keycloak) lists it. */
async function agentId(): Promise<string> {
  const users = await api('GET', '/api/v1/users?team=support', { as: 'manager' });
  expect(users.status).toBe(200);
  const agent = users.body.items.find((u: { username: string }) => u.username === 'agent');
  expect(agent).toBeDefined();
  return agent.id as string;
}

describe('a sales manager stays inside their teams', () => {
  it("transferring the support agent's records is 403 and moves nothing", async () => {
    const agent = await agentId();
    const filed = await api('POST', '/api/v1/accounts', {
      as: 'admin',
      json: {
        name: `Support Desk ${RUN}`,
        website: `desk-${RUN}.example.com`,
        ownerId: agent,
        teamId: 'support',
      },
    });
    expect(filed.status).toBe(201);
    const taken = await api('POST', '/api/v1/ownership-transfers', {
      as: 'manager',
      json: { fromUserId: agent, toUserId: await userId('manager') },
    });
    expect(taken.status).toBe(403);
    expect(taken.contentType).toMatch(/problem\+json/);
    const given = await api('POST', '/api/v1/ownership-transfers', {
      as: 'manager',
      json: { fromUserId: await userId('rep1'), toUserId: agent },
    });
    expect(given.status).toBe(403);
    const after = await api('GET', `/api/v1/accounts/${filed.body.id}`, { as: 'admin' });
    expect(after.body).toMatchObject({ ownerId: agent, teamId: 'support', version: filed.body.version });
  }, 30_000); // the first logins and the first read of the user directory take seconds on a loaded box

  it("another team's transfer is not the manager's to read: 404 by id, absent from the list", async () => {
    const agent = await agentId();
    // An admin's hand-over into team support (of a user with no records: nothing else changes).
    const support = await api('POST', '/api/v1/ownership-transfers', {
      as: 'admin',
      json: { fromUserId: `departed-${RUN}`, toUserId: agent, toTeamId: 'support' },
    });
    expect(support.status).toBe(202);
    const asAdmin = await api('GET', `/api/v1/ownership-transfers/${support.body.id}`, { as: 'admin' });
    expect(asAdmin.status).toBe(200);
    const byId = await api('GET', `/api/v1/ownership-transfers/${support.body.id}`, { as: 'manager' });
    expect(byId.status).toBe(404);
    const listed = await api('GET', '/api/v1/ownership-transfers', { as: 'manager' });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((t: { id: string }) => t.id)).not.toContain(support.body.id);
  }, 30_000);

  it('moving an account to team support (and the agent) is 403, as for a lead; an admin may', async () => {
    const agent = await agentId();
    const acc = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `East Account ${RUN}`, website: `east-${RUN}.example.com` },
    });
    expect(acc.status).toBe(201);
    const moved = await api('PATCH', `/api/v1/accounts/${acc.body.id}`, {
      as: 'manager',
      json: { teamId: 'support', ownerId: agent },
    });
    expect(moved.status).toBe(403);
    const byAdmin = await api('PATCH', `/api/v1/accounts/${acc.body.id}`, {
      as: 'admin',
      json: { teamId: 'support', ownerId: agent },
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ teamId: 'support', ownerId: agent });
  }, 30_000);
});

describe('activities need a record the caller sees', () => {
  let rep2Lead: string;
  let ownAccount: string;

  beforeAll(async () => {
    const lead = await api('POST', '/api/v1/leads', {
      as: 'rep2',
      json: { lastName: `Rules-${RUN}`, email: `rules-${RUN}@rules.example.com`, company: `Rules ${RUN}` },
    });
    expect(lead.status).toBe(201);
    expect(lead.body.ownerId).toBe(await userId('rep2'));
    rep2Lead = lead.body.id;
    const acc = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Activity Account ${RUN}`, website: `activity-${RUN}.example.com` },
    });
    expect(acc.status).toBe(201);
    ownAccount = acc.body.id;
  });

  const call = (relatedTo: { type: string; id: string }, extra: Record<string, unknown> = {}) =>
    api('POST', '/api/v1/activities', {
      as: 'rep1',
      json: { type: 'call', relatedTo, subject: `Call ${RUN}`, ...extra },
    });

  it("another rep's lead and an unknown lead answer alike: 404; the owner may log on it", async () => {
    const theirs = await call({ type: 'lead', id: rep2Lead });
    const unknown = await call({ type: 'lead', id: `no-such-lead-${RUN}` });
    expect([theirs.status, unknown.status]).toEqual([404, 404]);
    const own = await api('POST', '/api/v1/activities', {
      as: 'rep2',
      json: { type: 'call', relatedTo: { type: 'lead', id: rep2Lead }, subject: `Call ${RUN}` },
    });
    expect(own.status).toBe(201);
  });

  it('a made-up opportunity answers like an unknown record: 404 (the opportunity service is asked)', async () => {
    const made = await call({ type: 'opportunity', id: `opp-${RUN}` });
    expect(made.status).toBe(404);
    expect(made.contentType).toMatch(/problem\+json/);
  });

  it('occurredAt in 2099 is 400', async () => {
    const future = await call({ type: 'account', id: ownAccount }, { occurredAt: '2099-01-01T00:00:00Z' });
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body.errors)).toMatch(/occurredAt/);
  });
});

describe('answers name no record the caller may not see', () => {
  it("a duplicate of rep1's account names its owner to rep2, not its id", async () => {
    const acc = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Oracle Probe ${RUN}`, website: `probe-${RUN}.example.com` },
    });
    expect(acc.status).toBe(201);
    const dup = await api('POST', '/api/v1/accounts', {
      as: 'rep2',
      json: { name: `Other Name ${RUN}`, website: `probe-${RUN}.example.com` },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.existingAccountId).toBeUndefined();
    expect(dup.body).toMatchObject({ existingOwnerId: await userId('rep1'), existingTeamId: 'sales-east' });
    expect(JSON.stringify(dup.body)).not.toContain(acc.body.id);
  });

  it("rep1's account as rep2's parent answers exactly like an unknown id", async () => {
    const acc = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Hidden Parent ${RUN}`, website: `parent-${RUN}.example.com` },
    });
    const child = (parentAccountId: string) =>
      api('POST', '/api/v1/accounts', {
        as: 'rep2',
        json: { name: `Child ${parentAccountId.slice(0, 8)} ${RUN}`, parentAccountId },
      });
    const hidden = await child(acc.body.id);
    const unknown = await child(`no-such-account-${RUN}`);
    expect(hidden.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(hidden.body.errors).toEqual(unknown.body.errors);
  });
});
