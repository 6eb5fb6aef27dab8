import { api, RUN } from './support';
import { startApps, stopApp } from './stack';

const PROBLEM = /^application\/problem\+json/;
let n = 0;

/** A working lead of rep1 at a company of its own (conversion finds accounts by email domain). */
async function workingLead(tag: string) {
  const company = `Conv ${tag} ${RUN} ${++n}`;
  const domain = `conv-${tag}-${RUN}-${n}.example.com`;
  const created = await api('POST', '/api/v1/leads', {
    as: 'rep1',
    json: {
      firstName: 'Grace',
      lastName: `Hopper-${tag}-${RUN}-${n}`,
      email: `grace@${domain}`,
      company,
      title: 'CTO',
    },
  });
  expect(created.status).toBe(201);
  const working = await api('POST', `/api/v1/leads/${created.body.id}/status`, {
    as: 'rep1',
    json: { status: 'working' },
  });
  expect(working.status).toBe(200);
  return { id: created.body.id as string, company, domain };
}

describe('lead conversion (saga across the lead and account services)', () => {
  it('converts into an account and a contact; the same key returns the same ids; the lead is read-only', async () => {
    const lead = await workingLead('happy');
    const key = `conv-${RUN}-happy`;
    const first = await api('POST', `/api/v1/leads/${lead.id}/convert`, {
      as: 'rep1',
      json: {},
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ leadId: lead.id, accountCreated: true, opportunityId: null });
    expect(first.body.accountId).toEqual(expect.any(String));
    expect(first.body.contactId).toEqual(expect.any(String));

    const again = await api('POST', `/api/v1/leads/${lead.id}/convert`, {
      as: 'rep1',
      json: {},
      headers: { 'idempotency-key': key },
    });
    expect(again.status).toBe(200);
    expect(again.body.accountId).toBe(first.body.accountId);
    expect(again.body.contactId).toBe(first.body.contactId);

    const other = await api('POST', `/api/v1/leads/${lead.id}/convert`, {
      as: 'rep1',
      json: {},
      headers: { 'idempotency-key': `${key}-other` },
    });
    expect(other.status).toBe(409);

    const got = await api('GET', `/api/v1/leads/${lead.id}`, { as: 'rep1' });
    expect(got.body.status).toBe('converted');
    const edit = await api('PATCH', `/api/v1/leads/${lead.id}`, { as: 'rep1', json: { title: 'CEO' } });
    expect(edit.status).toBe(409);
    expect(edit.contentType).toMatch(PROBLEM);

    const account = await api('GET', `/api/v1/accounts/${first.body.accountId}`, { as: 'rep1' });
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ name: lead.company, ownerId: expect.any(String) });
    const contact = await api('GET', `/api/v1/contacts/${first.body.contactId}`, { as: 'rep1' });
    expect(contact.status).toBe(200);
    expect(contact.body).toMatchObject({ accountId: first.body.accountId, firstName: 'Grace', title: 'CTO' });
  });

  it('links a second lead of the same company to the existing account instead of creating another', async () => {
    const a = await workingLead('link');
    const first = await api('POST', `/api/v1/leads/${a.id}/convert`, { as: 'rep1', json: {} });
    expect(first.status).toBe(200);
    // Same email domain, different person.
    const b = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: { firstName: 'Alan', lastName: `Turing-${RUN}`, email: `alan@${a.domain}`, company: a.company },
      headers: {},
    });
    // The lead service may see the company+name as new: fine; what matters is the account.
    expect([201, 409]).toContain(b.status);
    if (b.status !== 201) return;
    await api('POST', `/api/v1/leads/${b.body.id}/status`, { as: 'rep1', json: { status: 'working' } });
    const second = await api('POST', `/api/v1/leads/${b.body.id}/convert`, { as: 'rep1', json: {} });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ accountId: first.body.accountId, accountCreated: false });
  });

  it('refuses to convert a new lead, and a lead the caller cannot see', async () => {
    const created = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: { lastName: `Fresh-${RUN}`, email: `fresh@fresh-${RUN}.example.com`, company: `Fresh ${RUN}` },
    });
    const fresh = await api('POST', `/api/v1/leads/${created.body.id}/convert`, { as: 'rep1', json: {} });
    expect(fresh.status).toBe(409);
    const foreign = await api('POST', `/api/v1/leads/${created.body.id}/convert`, { as: 'rep2', json: {} });
    expect(foreign.status).toBe(404);
    const injected = await api('POST', `/api/v1/leads/${created.body.id}/convert`, {
      as: 'rep1',
      json: { accountId: { $gt: '' } },
    });
    expect(injected.status).toBe(400);
  });

  it('survives the account service going away: 503, no orphan, and the retry with the same key completes', async () => {
    const lead = await workingLead('outage');
    const key = `conv-${RUN}-outage`;
    await stopApp('account');
    try {
      const down = await api('POST', `/api/v1/leads/${lead.id}/convert`, {
        as: 'rep1',
        json: {},
        headers: { 'idempotency-key': key },
      });
      expect(down.status).toBe(503);
      expect(down.contentType).toMatch(PROBLEM);
      const meanwhile = await api('GET', `/api/v1/leads/${lead.id}`, { as: 'rep1' });
      expect(meanwhile.body.status).toBe('working');
      // Half-converted leads are frozen until the conversion ends.
      const edit = await api('PATCH', `/api/v1/leads/${lead.id}`, { as: 'rep1', json: { title: 'CEO' } });
      expect(edit.status).toBe(409);
    } finally {
      await startApps();
    }
    const retry = await convertUntilDone(lead.id, key);
    expect(retry.body.accountCreated).toBe(true);
    await expectExactlyOneAccountAndContact(lead.company, retry.body);
  }, 180_000);

  it('leaves no orphan when the account service is stopped in the middle of conversions', async () => {
    const leads = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => workingLead(`kill${i}`)));
    const keys = leads.map((l) => `conv-${RUN}-kill-${l.id}`);
    const inFlight = leads.map((l, i) =>
      api('POST', `/api/v1/leads/${l.id}/convert`, {
        as: 'rep1',
        json: {},
        headers: { 'idempotency-key': keys[i]! },
      }),
    );
    try {
      // Stop the account service while the conversions run: some finish, some stop between their
      // account and contact steps, some fail at their first call to it.
      await stopApp('account');
      const first = await Promise.all(inFlight);
      for (const r of first) expect([200, 503]).toContain(r.status);
      // Worth nothing unless the stop caught conversions mid-flight: begun (their lead is frozen by
      // the conversion) and not finished.
      const interrupted = leads.filter((_, i) => first[i]!.status === 503);
      expect(interrupted.length).toBeGreaterThan(0);
      for (const l of interrupted) {
        const edit = await api('PATCH', `/api/v1/leads/${l.id}`, { as: 'rep1', json: { title: 'CEO' } });
        expect(edit.status).toBe(409);
      }
    } finally {
      await startApps();
    }
    for (const [i, l] of leads.entries()) {
      const done = await convertUntilDone(l.id, keys[i]!);
      await expectExactlyOneAccountAndContact(l.company, done.body);
      const lead = await api('GET', `/api/v1/leads/${l.id}`, { as: 'rep1' });
      expect(lead.body.status).toBe('converted');
    }
  }, 180_000);
});

/** As a client would: retry with the same key while the answer is 503 (Retry-After). */
async function convertUntilDone(id: string, key: string) {
  for (let i = 0; ; i++) {
    const res = await api('POST', `/api/v1/leads/${id}/convert`, {
      as: 'rep1',
      json: {},
      headers: { 'idempotency-key': key },
    });
    if (res.status !== 503 || i >= 40) {
      expect(res.status).toBe(200);
      return res;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Exactly one account for the company, holding exactly the converted contact: nothing left over. */
async function expectExactlyOneAccountAndContact(
  company: string,
  result: { accountId: string; contactId: string },
) {
  const accounts = await api('GET', `/api/v1/accounts?q=${encodeURIComponent(company)}`, { as: 'rep1' });
  expect(accounts.status).toBe(200);
  const named = accounts.body.items.filter((a: { name: string }) => a.name === company);
  expect(named.map((a: { id: string }) => a.id)).toEqual([result.accountId]);
  const contacts = await api('GET', `/api/v1/accounts/${result.accountId}/contacts`, { as: 'rep1' });
  expect(contacts.body.items.map((c: { id: string }) => c.id)).toEqual([result.contactId]);
}
