import { api, claims, token, uniqueEmail, userId, RUN } from './support';

const PROBLEM = /^application\/problem\+json/;

function newLead(tag: string, extra: Record<string, unknown> = {}) {
  // Unique per run: the lead service also de-duplicates on company + name, not only on email.
  return {
    firstName: 'Ada',
    lastName: `Lovelace-${tag}-${RUN}`,
    email: uniqueEmail(tag),
    company: `Engines ${RUN}`,
    ...extra,
  };
}

describe('leads through the gateway (real Keycloak, real lead service)', () => {
  let leadId = '';
  let leadEmail = '';

  it('rep1 creates a lead (201, Location, ETag) and an identical create is a 409 with existingLeadId', async () => {
    const input = newLead('create');
    leadEmail = input.email;
    const created = await api('POST', '/api/v1/leads', { as: 'rep1', json: input });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      lastName: input.lastName,
      email: input.email,
      status: 'new',
      version: 1,
    });
    leadId = created.body.id;
    expect(created.headers.get('location')).toBe(`/api/v1/leads/${leadId}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body.ownerId).toBe(await userId('rep1'));

    const dup = await api('POST', '/api/v1/leads', { as: 'rep1', json: input });
    expect(dup.status).toBe(409);
    expect(dup.contentType).toMatch(PROBLEM);
    expect(dup.body.existingLeadId).toBe(leadId);
  });

  it('of six identical creates at the same instant exactly one is a 201, the others 409 naming it', async () => {
    const input = newLead('race');
    await token('rep1'); // signed in before the race, so the creates really run together
    const results = await Promise.all(
      Array.from({ length: 6 }, () => api('POST', '/api/v1/leads', { as: 'rep1', json: input })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    const created = results.find((r) => r.status === 201)!;
    for (const dup of results.filter((r) => r.status === 409)) {
      expect(dup.contentType).toMatch(PROBLEM);
      expect(dup.body.existingLeadId).toBe(created.body.id);
    }
  });

  it('a rep may not force a duplicate', async () => {
    const res = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: { ...newLead('dup-force'), allowDuplicate: true },
    });
    expect(res.status).toBe(403);
  });

  it('rep2 cannot see rep1’s lead; the team manager can', async () => {
    const other = await api('GET', `/api/v1/leads/${leadId}`, { as: 'rep2' });
    expect([403, 404]).toContain(other.status);
    expect(other.contentType).toMatch(PROBLEM);
    const mgr = await api('GET', `/api/v1/leads/${leadId}`, { as: 'manager' });
    expect(mgr.status).toBe(200);
    expect(mgr.headers.get('etag')).toBe(`"${mgr.body.version}"`);
  });

  it('a stale If-Match gives 412', async () => {
    const first = await api('PATCH', `/api/v1/leads/${leadId}`, {
      as: 'rep1',
      json: { title: 'Countess' },
      headers: { 'if-match': '"1"' },
    });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    const stale = await api('PATCH', `/api/v1/leads/${leadId}`, {
      as: 'rep1',
      json: { title: 'Mathematician' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.contentType).toMatch(PROBLEM);
  });

  it('status new -> working is allowed, new -> converted is a 409, disqualify without reason is a 400', async () => {
    const working = await api('POST', `/api/v1/leads/${leadId}/status`, {
      as: 'rep1',
      json: { status: 'working' },
    });
    expect(working.status).toBe(200);
    expect(working.body.status).toBe('working');

    const fresh = await api('POST', '/api/v1/leads', { as: 'rep1', json: newLead('convert') });
    expect(fresh.status).toBe(201);
    const converted = await api('POST', `/api/v1/leads/${fresh.body.id}/status`, {
      as: 'rep1',
      json: { status: 'converted' },
    });
    expect(converted.status).toBe(409);
    expect(converted.contentType).toMatch(PROBLEM);

    const noReason = await api('POST', `/api/v1/leads/${fresh.body.id}/status`, {
      as: 'rep1',
      json: { status: 'disqualified' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.contentType).toMatch(PROBLEM);
  });

  it('rejects injection, malformed JSON and oversized bodies with problem+json', async () => {
    const injection = await api('POST', '/api/v1/leads', { as: 'rep1', raw: '{"lastName":{"$gt":""}}' });
    expect(injection.status).toBe(400);
    expect(injection.contentType).toMatch(PROBLEM);
    expect(Array.isArray(injection.body.errors)).toBe(true);

    const malformed = await api('POST', '/api/v1/leads', { as: 'rep1', raw: '{"lastName": "x",' });
    expect(malformed.status).toBe(400);
    expect(malformed.contentType).toMatch(PROBLEM);

    const big = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      raw: JSON.stringify({ lastName: 'x'.repeat(3 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.contentType).toMatch(PROBLEM);
  });

  it('answers 401 without a token and with a forged one', async () => {
    const none = await api('GET', '/api/v1/leads');
    expect(none.status).toBe(401);
    expect(none.contentType).toMatch(PROBLEM);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const real = await token('rep1');
    const [h, p, s = ''] = real.split('.');
    const i = Math.floor(s.length / 2);
    const flipped = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const forgedSig = await api('GET', '/api/v1/leads', { bearer: `${h}.${p}.${flipped}` });
    expect(forgedSig.status).toBe(401);

    const payload = { ...claims(real), realm_access: { roles: ['crm-admin'] } };
    const escalated = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect((await api('GET', '/api/v1/leads', { bearer: escalated })).status).toBe(401);
  });

  it('a rep may not PUT the assignment rules (403)', async () => {
    const res = await api('PUT', '/api/v1/lead-assignment-rules', {
      as: 'rep1',
      json: { defaultQueue: 'x', rules: [] },
    });
    expect(res.status).toBe(403);
    expect(res.contentType).toMatch(PROBLEM);
  });

  it('admin-set assignment rules route a new admin-created lead to the rule’s member', async () => {
    const current = await api('GET', '/api/v1/lead-assignment-rules', { as: 'admin' });
    expect(current.status).toBe(200);
    const rep2 = await userId('rep2');
    const region = `it-${RUN}`;
    const rule = {
      id: `it-${RUN}`,
      name: 'integration test',
      match: { regions: [region] },
      teamId: 'sales-east',
      members: [rep2],
    };
    const put = await api('PUT', '/api/v1/lead-assignment-rules', {
      as: 'admin',
      headers: { 'if-match': `"${current.body.version}"` },
      json: { defaultQueue: current.body.defaultQueue || 'unassigned', rules: [rule, ...current.body.rules] },
    });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(current.body.version + 1);
    try {
      const created = await api('POST', '/api/v1/leads', {
        as: 'admin',
        json: newLead('routed', { region }),
      });
      expect(created.status).toBe(201);
      expect(created.body.ownerId).toBe(rep2);
      expect(created.body.teamId).toBe('sales-east');
      expect(created.body.assignments.at(-1)).toMatchObject({
        ownerId: rep2,
        ruleId: rule.id,
        assignedBy: 'system',
      });
      // The new owner sees it.
      expect((await api('GET', `/api/v1/leads/${created.body.id}`, { as: 'rep2' })).status).toBe(200);
    } finally {
      await api('PUT', '/api/v1/lead-assignment-rules', {
        as: 'admin',
        json: { defaultQueue: current.body.defaultQueue, rules: current.body.rules },
      });
    }
  });

  it('CSV import reports per row and stores only the good rows', async () => {
    const good = uniqueEmail('import-good');
    const bad = uniqueEmail('import-bad');
    const csv = [
      'firstName,lastName,email,company,region,source',
      `Grace,Hopper-${RUN},${good},Navy ${RUN},na,import`,
      `Dup,Licate-${RUN},${leadEmail},ACME ${RUN},na,import`,
      `No,,${bad},,na,import`,
    ].join('\n');
    const res = await api('POST', '/api/v1/leads/import', {
      as: 'admin',
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, duplicates: 1, rejected: 1 });
    const [r1, r2, r3] = res.body.results;
    expect(r1).toMatchObject({ row: 1, outcome: 'created' });
    expect(r2).toMatchObject({ row: 2, outcome: 'duplicate', existingLeadId: leadId });
    expect(r3).toMatchObject({ row: 3, outcome: 'rejected' });
    expect(r3.errors.length).toBeGreaterThan(0);

    const stored = await api('GET', `/api/v1/leads/${r1.leadId}`, { as: 'admin' });
    expect(stored.status).toBe(200);
    expect(stored.body.email).toBe(good);
    const rejected = await api('GET', `/api/v1/leads?q=${encodeURIComponent(bad)}`, { as: 'admin' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.items).toHaveLength(0);

    const malformed = await api('POST', '/api/v1/leads/import', {
      as: 'admin',
      raw: 'lastName,email\n"open,quote\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(malformed.status).toBe(400);
  });

  it('serves the OpenAPI 3.1 document and health endpoints without a token', async () => {
    const doc = await api('GET', '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\.1/);
    expect((await api('GET', '/healthz')).status).toBe(200);
    expect((await api('GET', '/readyz')).status).toBe(200);
  });
});
