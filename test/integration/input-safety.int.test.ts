import { api, GATEWAY_URL, RUN, token, uniqueEmail } from './support';

// Issue 9, items 6, 8, 9 and 11: client input that used to be a 5xx, a stored U+FFFD or a missed
// duplicate, tried against the real stack as an attacker or a careless client would.

const PROBLEM = /^application\/problem\+json/;
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function newLead(tag: string, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/leads', {
    as: 'rep1',
    json: { firstName: 'Li', lastName: `Chen-${tag}-${RUN}`, company: `Safety ${tag} ${RUN}`, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number; email: string; [k: string]: unknown };
}

describe('client mistakes are 4xx problems, never 5xx', () => {
  it('a conversion with an If-Match that can never be a version is a 412', async () => {
    const lead = await newLead('ifmatch');
    for (const ifMatch of ['garbage', '"abc"']) {
      const res = await api('POST', `/api/v1/leads/${lead.id}/convert`, {
        as: 'rep1',
        json: {},
        headers: { 'if-match': ifMatch, 'idempotency-key': `ifmatch-${RUN}-${ifMatch}` },
      });
      expect(res.status).toBe(412);
      expect(res.contentType).toMatch(PROBLEM);
    }
    expect((await api('GET', `/api/v1/leads/${lead.id}`, { as: 'rep1' })).body.status).toBe('new');
  });

  const lists = [
    '/api/v1/leads',
    '/api/v1/leads?sort=-score',
    '/api/v1/accounts',
    '/api/v1/activities?assignee=me',
    '/api/v1/pool?type=lead',
    '/api/v1/pool?type=account',
  ];
  const cursors = {
    'a date that is not one': cursorOf(['not-a-date', 'x']),
    'a number beyond a double': Buffer.from('[1e400,"x"]').toString('base64url'),
    'an operator object': cursorOf([{ $gt: '' }, 'x']),
    'an operator as the id': cursorOf(['2026-01-01T00:00:00.000Z', { $gt: '' }]),
    'not JSON': 'bm90IGpzb24',
  };
  it.each(lists)('%s answers every made-up cursor with a 400 naming the cursor', async (path) => {
    for (const [what, cursor] of Object.entries(cursors)) {
      const res = await api('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}`, {
        as: 'rep1',
      });
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      expect(res.contentType).toMatch(PROBLEM);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
  });
});

describe('email keys are made from the normalised address', () => {
  it('a fullwidth or zero-width-spaced form of an existing lead email is a duplicate', async () => {
    const email = `l1.chen.${RUN}@example.com`;
    await newLead('email', { email });
    for (const variant of [`ｌ１．chen.${RUN}@ｅxample.com`, `l1.chen.${RUN}\u200b@example.com`]) {
      const dup = await api('POST', '/api/v1/leads', {
        as: 'rep1',
        json: { lastName: `Other-${RUN}`, company: `Elsewhere ${RUN}`, email: variant },
      });
      expect(dup.status).toBe(409);
      expect(dup.body.title).toBe('Duplicate');
    }
  });

  it('a contact keeps its email in the plain form, so it matches the plain address', async () => {
    const account = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Fullwidth ${RUN}`, website: `https://fullwidth-${RUN}.example.com`, region: 'emea' },
    });
    expect(account.status).toBe(201);
    const contact = await api('POST', `/api/v1/accounts/${account.body.id}/contacts`, {
      as: 'rep1',
      json: { firstName: 'Li', lastName: 'Chen', email: `ｌ１．Chen.${RUN}\u200b@Example.com` },
    });
    expect(contact.status).toBe(201);
    expect(contact.body.email).toBe(`l1.chen.${RUN}@example.com`);
  });
});

describe('text that is not text is refused, not stored mangled', () => {
  it('a NUL in a name is a 400 naming the field (it was a 502)', async () => {
    const res = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      raw: JSON.stringify({ lastName: `Do\u0000e-${RUN}`, company: `Nul ${RUN}` }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'lastName' })]);
  });

  it('invalid UTF-8 and a lone surrogate are 400s, and nothing is created', async () => {
    const lastName = `Jos-${RUN}`;
    const bearer = await token('rep1');
    const send = (body: Buffer | string) =>
      fetch(`${GATEWAY_URL}/api/v1/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body,
      });
    const invalid = Buffer.concat([
      Buffer.from(`{"lastName":"${lastName}`),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]);
    expect((await send(invalid)).status).toBe(400);
    expect((await send(`{"lastName":"${lastName}\\ud800"}`)).status).toBe(400);
    const found = await api('GET', `/api/v1/leads?q=${encodeURIComponent(lastName)}`, { as: 'rep1' });
    expect(found.body.items).toEqual([]);
  });

  it('a Latin-1 CSV is a 415 naming the charset parameter without one, and keeps José with one', async () => {
    const company = `Añejo ${RUN}`;
    const csv = Buffer.from(`lastName,company,email\nJosé,${company},${uniqueEmail('latin1')}\n`, 'latin1');
    const upload = async (contentType: string) =>
      fetch(`${GATEWAY_URL}/api/v1/leads/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token('manager')}`, 'content-type': contentType },
        body: csv,
      });
    const undeclared = await upload('text/csv');
    expect(undeclared.status).toBe(415);
    expect(((await undeclared.json()) as { detail: string }).detail).toMatch(/charset parameter/);
    expect((await upload('text/csv; charset=x-made-up')).status).toBe(415);

    const declared = await upload('text/csv; charset=windows-1252');
    expect(declared.status).toBe(200);
    const report = (await declared.json()) as { created: number; results: { leadId: string }[] };
    expect(report.created).toBe(1);
    const stored = await api('GET', `/api/v1/leads/${report.results[0]!.leadId}`, { as: 'manager' });
    expect(stored.body).toMatchObject({ lastName: 'José', company });
  });
});

describe('answers keep secrets and personal data where they belong', () => {
  it('a token sent in the query is not echoed in the problem', async () => {
    const leaked = await token('rep1');
    const res = await fetch(`${GATEWAY_URL}/api/v1/leads?access_token=${leaked}`);
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(JSON.parse(text).instance).toBe('/api/v1/leads');
    expect(text).not.toContain(leaked);
  });

  it('a lead, a list and a user directory answer carry Cache-Control: no-store', async () => {
    const lead = await newLead('nostore');
    for (const path of [`/api/v1/leads/${lead.id}`, '/api/v1/leads?limit=1', '/api/v1/users']) {
      const res = await api('GET', path, { as: 'manager' });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('two PATCHes without If-Match of different fields both land (last writer wins field by field)', async () => {
    const lead = await newLead('lww');
    const [title, region] = await Promise.all([
      api('PATCH', `/api/v1/leads/${lead.id}`, { as: 'rep1', json: { title: 'CTO' } }),
      api('PATCH', `/api/v1/leads/${lead.id}`, { as: 'rep1', json: { region: 'emea' } }),
    ]);
    expect([title.status, region.status]).toEqual([200, 200]);
    const now = await api('GET', `/api/v1/leads/${lead.id}`, { as: 'rep1' });
    expect(now.body).toMatchObject({ title: 'CTO', region: 'emea', version: 3 });
  });

  it('the same holds for an account and a contact', async () => {
    const account = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Writers ${RUN}`, website: `https://writers-${RUN}.example.com`, region: 'emea' },
    });
    const contact = await api('POST', `/api/v1/accounts/${account.body.id}/contacts`, {
      as: 'rep1',
      json: { firstName: 'Ada', lastName: `Writer-${RUN}` },
    });
    const patch = (path: string, json: object) => api('PATCH', path, { as: 'rep1', json });
    const statuses = await Promise.all([
      patch(`/api/v1/accounts/${account.body.id}`, { industry: 'manufacturing' }),
      patch(`/api/v1/accounts/${account.body.id}`, { region: 'apac' }),
      patch(`/api/v1/contacts/${contact.body.id}`, { title: 'CFO' }),
      patch(`/api/v1/contacts/${contact.body.id}`, { department: 'Finance' }),
    ]);
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await api('GET', `/api/v1/accounts/${account.body.id}`, { as: 'rep1' })).body).toMatchObject({
      industry: 'manufacturing',
      region: 'apac',
    });
    expect((await api('GET', `/api/v1/contacts/${contact.body.id}`, { as: 'rep1' })).body).toMatchObject({
      title: 'CFO',
      department: 'Finance',
    });
  });
});
