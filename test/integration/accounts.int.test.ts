import { createChannel, createClient, Metadata, type Channel } from 'nice-grpc';
import { account as pb } from '@crm/proto';
import { api, GATEWAY_URL, RUN, token, uniqueEmail, userId } from './support';

const PROBLEM = /^application\/problem\+json/;
const ACCOUNT_GRPC_ADDR = process.env.ACCOUNT_GRPC_ADDR ?? '127.0.0.1:50052';

let seq = 0;
/** A company unique to this run (the service de-duplicates on domain and on folded name). */
function newAccount(tag: string, extra: Record<string, unknown> = {}) {
  seq++;
  return {
    name: `Acme ${tag} ${RUN} ${seq}`,
    website: `https://www.${tag}-${RUN}-${seq}.example.com/about`,
    industry: 'manufacturing',
    region: 'emea',
    ...extra,
  };
}

async function create(as: 'rep1' | 'rep2' | 'manager' | 'admin', body: Record<string, unknown>) {
  const res = await api('POST', '/api/v1/accounts', { as, json: body });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number; domain: string; [k: string]: unknown };
}

async function addContact(accountId: string, body: Record<string, unknown>, as: 'rep1' | 'manager' = 'rep1') {
  const res = await api('POST', `/api/v1/accounts/${accountId}/contacts`, { as, json: body });
  expect(res.status).toBe(201);
  return res.body as { id: string; primary: boolean; [k: string]: unknown };
}

describe('accounts through the gateway (real Keycloak, real account service)', () => {
  let acc: { id: string; version: number; domain: string };

  it('a rep creates an account (201, Location, ETag, normalised domain, owned by the rep)', async () => {
    const input = newAccount('create');
    const res = await api('POST', '/api/v1/accounts', { as: 'rep1', json: input });
    expect(res.status).toBe(201);
    acc = res.body;
    expect(res.headers.get('location')).toBe(`/api/v1/accounts/${acc.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({
      name: input.name,
      domain: `create-${RUN}-${seq}.example.com`,
      lifecycle: 'prospect',
      version: 1,
      ownerId: await userId('rep1'),
      tier: 'C',
    });
  });

  it('the same domain (any spelling) is a 409 with existingAccountId; so is the same folded name', async () => {
    const byDomain = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Other name ${RUN}`, website: `HTTP://${acc.domain.toUpperCase()}/contact` },
    });
    expect(byDomain.status).toBe(409);
    expect(byDomain.contentType).toMatch(PROBLEM);
    expect(byDomain.body.existingAccountId).toBe(acc.id);

    const got = await api('GET', `/api/v1/accounts/${acc.id}`, { as: 'rep1' });
    const byName = await api('POST', '/api/v1/accounts', {
      as: 'manager',
      json: { name: `${String(got.body.name).toUpperCase()}, Inc.` },
    });
    expect(byName.status).toBe(409);
    expect(byName.body.existingAccountId).toBe(acc.id);
    // rep2 may not see rep1's account: the answer names its owner instead of its id
    const hidden = await api('POST', '/api/v1/accounts', {
      as: 'rep2',
      json: { name: `${String(got.body.name).toUpperCase()}, Inc.` },
    });
    expect(hidden.status).toBe(409);
    expect(hidden.body.existingAccountId).toBeUndefined();
    expect(hidden.body.existingOwnerId).toBe(await userId('rep1'));
  });

  it('rep2 cannot see rep1’s account (404); the team manager can', async () => {
    const other = await api('GET', `/api/v1/accounts/${acc.id}`, { as: 'rep2' });
    expect(other.status).toBe(404);
    expect(other.contentType).toMatch(PROBLEM);
    const list = await api('GET', `/api/v1/accounts?q=${encodeURIComponent(RUN)}&limit=200`, { as: 'rep2' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(acc.id);
    const mgr = await api('GET', `/api/v1/accounts/${acc.id}`, { as: 'manager' });
    expect(mgr.status).toBe(200);
    expect(mgr.headers.get('etag')).toBe(`"${mgr.body.version}"`);
  });

  it('lists with filters and ownerId=me', async () => {
    const res = await api(
      'GET',
      `/api/v1/accounts?ownerId=me&industry=Manufacturing&region=emea&lifecycle=prospect&q=${RUN}`,
      { as: 'rep1' },
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: { id: string }) => a.id)).toContain(acc.id);
    expect(res.body).toHaveProperty('nextCursor');
  });

  it('a PATCH with a stale If-Match is a 412', async () => {
    const first = await api('PATCH', `/api/v1/accounts/${acc.id}`, {
      as: 'rep1',
      json: { lifecycle: 'customer', size: 1200 },
      headers: { 'if-match': '"1"' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 2, lifecycle: 'customer', size: 1200 });
    const stale = await api('PATCH', `/api/v1/accounts/${acc.id}`, {
      as: 'rep1',
      json: { size: 1300 },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.contentType).toMatch(PROBLEM);
  });

  it('a contact with an unknown buying role is a 400', async () => {
    const res = await api('POST', `/api/v1/accounts/${acc.id}/contacts`, {
      as: 'rep1',
      json: { lastName: 'Li', buyingRole: 'king-maker' },
    });
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(PROBLEM);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('buyingRole');
  });

  it('the first contact becomes primary and shows on the account; key persons come first', async () => {
    const first = await addContact(acc.id, {
      firstName: 'Wei',
      lastName: 'Li',
      email: uniqueEmail('wei'),
      title: 'Procurement lead',
      buyingRole: 'influencer',
    });
    expect(first.primary).toBe(true);
    const got = await api('GET', `/api/v1/accounts/${acc.id}`, { as: 'rep1' });
    expect(got.body.primaryContact).toEqual({
      id: first.id,
      name: 'Wei Li',
      title: 'Procurement lead',
      buyingRole: 'influencer',
    });

    const user = await addContact(acc.id, { lastName: 'Alpha', buyingRole: 'user' });
    const cfo = await addContact(acc.id, {
      firstName: 'Min',
      lastName: 'Zhao',
      title: 'CFO',
      buyingRole: 'economic-buyer',
      reportsToContactId: first.id,
    });
    const ceo = await addContact(acc.id, {
      firstName: 'Jun',
      lastName: 'Wang',
      buyingRole: 'decision-maker',
    });
    const list = await api('GET', `/api/v1/accounts/${acc.id}/contacts`, { as: 'rep1' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([first.id, ceo.id, cfo.id, user.id]);

    // Another contact made primary moves the key person on the account.
    const now = await api('GET', `/api/v1/contacts/${cfo.id}`, { as: 'rep1' });
    const patch = await api('PATCH', `/api/v1/contacts/${cfo.id}`, {
      as: 'rep1',
      json: { primary: true },
      headers: { 'if-match': `"${now.body.version}"` },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.primary).toBe(true);
    const after = await api('GET', `/api/v1/accounts/${acc.id}`, { as: 'rep1' });
    expect(after.body.primaryContact).toMatchObject({
      id: cfo.id,
      name: 'Min Zhao',
      buyingRole: 'economic-buyer',
    });
    expect((await api('GET', `/api/v1/contacts/${first.id}`, { as: 'rep1' })).body.primary).toBe(false);

    // Contacts follow their account's visibility; a reporting cycle is refused.
    expect((await api('GET', `/api/v1/contacts/${cfo.id}`, { as: 'rep2' })).status).toBe(404);
    const firstNow = await api('GET', `/api/v1/contacts/${first.id}`, { as: 'rep1' });
    const cycle = await api('PATCH', `/api/v1/contacts/${first.id}`, {
      as: 'rep1',
      json: { reportsToContactId: cfo.id },
      headers: { 'if-match': `"${firstNow.body.version}"` },
    });
    expect([400, 409]).toContain(cycle.status);
  });

  it('the hierarchy rejects an unknown parent (400) and a cycle (409)', async () => {
    const unknown = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: newAccount('orphan', { parentAccountId: 'no-such-account' }),
    });
    expect(unknown.status).toBe(400);
    const parent = await create('rep1', newAccount('parent'));
    const child = await create('rep1', newAccount('child', { parentAccountId: parent.id }));
    const grandchild = await create('rep1', newAccount('grandchild', { parentAccountId: child.id }));
    expect(grandchild.parentAccountId).toBe(child.id);
    const cycle = await api('PATCH', `/api/v1/accounts/${parent.id}`, {
      as: 'rep1',
      json: { parentAccountId: grandchild.id },
    });
    expect([400, 409]).toContain(cycle.status);
    expect(cycle.contentType).toMatch(PROBLEM);
    const self = await api('PATCH', `/api/v1/accounts/${parent.id}`, {
      as: 'rep1',
      json: { parentAccountId: parent.id },
    });
    expect([400, 409]).toContain(self.status);
  });

  it('a logged visit appears in the overview and moves lastActivityAt', async () => {
    const contacts = await api('GET', `/api/v1/accounts/${acc.id}/contacts`, { as: 'rep1' });
    const contactId = contacts.body.items[0].id as string;
    const visit = await api('POST', '/api/v1/activities', {
      as: 'rep1',
      json: {
        type: 'visit',
        relatedTo: { type: 'contact', id: contactId },
        subject: `On-site visit ${RUN}`,
        participantContactIds: [contactId],
        outcome: 'Interested in a pilot',
        nextStep: 'Send the pilot proposal',
      },
    });
    expect(visit.status).toBe(201);
    expect(visit.body).toMatchObject({ type: 'visit', accountId: acc.id, relatedTo: { type: 'contact' } });

    const overview = await api('GET', `/api/v1/accounts/${acc.id}/overview`, { as: 'rep1' });
    expect(overview.status).toBe(200);
    expect(overview.body.partial).toBe(false);
    expect(overview.body.account.id).toBe(acc.id);
    expect(overview.body.account.lastActivityAt).not.toBeNull();
    expect(overview.body.contacts.status).toBe('ok');
    expect(overview.body.contacts.items[0].primary).toBe(true);
    expect(overview.body.activities.status).toBe('ok');
    expect(overview.body.activities.items.map((a: { id: string }) => a.id)).toContain(visit.body.id);

    const byRelated = await api('GET', `/api/v1/activities?relatedTo=${contactId}`, { as: 'rep1' });
    expect(byRelated.body.items.map((a: { id: string }) => a.id)).toContain(visit.body.id);
    expect((await api('GET', `/api/v1/activities?relatedTo=${contactId}`, { as: 'rep2' })).status).toBe(404);
  });

  it('a task due today appears in assignee=me&due=today until it is done', async () => {
    const task = await api('POST', '/api/v1/activities', {
      as: 'rep1',
      json: {
        type: 'task',
        relatedTo: { type: 'account', id: acc.id },
        subject: `Send the quote ${RUN}`,
        dueAt: new Date().toISOString(),
        priority: 'high',
      },
    });
    expect(task.status).toBe(201);
    expect(task.body).toMatchObject({ assigneeId: await userId('rep1'), done: false, priority: 'high' });
    const today = await api('GET', '/api/v1/activities?assignee=me&due=today&limit=200', { as: 'rep1' });
    expect(today.status).toBe(200);
    expect(today.body.items.map((a: { id: string }) => a.id)).toContain(task.body.id);
    const rep2 = await api('GET', '/api/v1/activities?assignee=me&due=today&limit=200', { as: 'rep2' });
    expect(rep2.body.items.map((a: { id: string }) => a.id)).not.toContain(task.body.id);

    const done = await api('PATCH', `/api/v1/activities/${task.body.id}`, {
      as: 'rep1',
      json: { done: true },
      headers: { 'if-match': `"${task.body.version}"` },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ done: true, doneBy: await userId('rep1') });
    const after = await api('GET', '/api/v1/activities?assignee=me&due=today&limit=200', { as: 'rep1' });
    expect(after.body.items.map((a: { id: string }) => a.id)).not.toContain(task.body.id);
  });

  it('a manager sets a tier by hand (who, why) and clears it; a rep may not', async () => {
    const rep = await api('PUT', `/api/v1/accounts/${acc.id}/tier`, {
      as: 'rep1',
      json: { tier: 'strategic', reason: 'I think so' },
    });
    expect(rep.status).toBe(403);
    const set = await api('PUT', `/api/v1/accounts/${acc.id}/tier`, {
      as: 'manager',
      json: { tier: 'strategic', reason: 'Group-wide framework agreement' },
    });
    expect(set.status).toBe(200);
    expect(set.body.tier).toBe('strategic');
    expect(set.body.tierOverride).toMatchObject({
      tier: 'strategic',
      reason: 'Group-wide framework agreement',
      setBy: await userId('manager'),
    });
    const cleared = await api('DELETE', `/api/v1/accounts/${acc.id}/tier`, { as: 'manager' });
    expect(cleared.status).toBe(200);
    expect(cleared.body.tierOverride).toBeNull();
    expect(cleared.body.tier).toBe(cleared.body.computedTier);
  });

  it('admin tier rules compute the tier; a rep may not change them', async () => {
    expect((await api('PUT', '/api/v1/account-tier-rules', { as: 'rep1', json: { rules: [] } })).status).toBe(
      403,
    );
    const industry = `it-${RUN}`;
    const current = await api('GET', '/api/v1/account-tier-rules', { as: 'admin' });
    expect(current.status).toBe(200);
    const put = await api('PUT', '/api/v1/account-tier-rules', {
      as: 'admin',
      headers: { 'if-match': current.headers.get('etag') ?? '*' },
      json: {
        defaultTier: current.body.defaultTier,
        rules: [
          {
            id: `big-${RUN}`,
            tier: 'A',
            industries: [industry],
            annualRevenueMin: { currencyCode: 'USD', amount: '1000000' },
          },
          { id: `any-${RUN}`, tier: 'B', industries: [industry] },
          ...current.body.rules.filter((r: { id: string }) => !r.id.endsWith(RUN)),
        ],
      },
    });
    expect(put.status).toBe(200);
    const big = await create(
      'rep1',
      newAccount('tier-big', { industry, annualRevenue: { currencyCode: 'USD', amount: '2500000' } }),
    );
    expect(big).toMatchObject({ tier: 'A', tierRuleId: `big-${RUN}` });
    const small = await create('rep1', newAccount('tier-small', { industry }));
    expect(small.tier).toBe('B');
  });

  it('a merge moves contacts to the survivor and the merged id redirects (308)', async () => {
    const survivor = await create('rep1', newAccount('survivor'));
    const merged = await create('rep1', newAccount('merged'));
    const c = await addContact(merged.id, { firstName: 'Lan', lastName: 'Sun', buyingRole: 'champion' });

    const byRep = await api('POST', `/api/v1/accounts/${survivor.id}/merge`, {
      as: 'rep1',
      json: { mergedAccountId: merged.id },
    });
    expect(byRep.status).toBe(403);
    const self = await api('POST', `/api/v1/accounts/${survivor.id}/merge`, {
      as: 'manager',
      json: { mergedAccountId: survivor.id },
    });
    expect(self.status).toBe(400);

    const res = await api('POST', `/api/v1/accounts/${survivor.id}/merge`, {
      as: 'manager',
      json: { mergedAccountId: merged.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(survivor.id);
    // The survivor had no contact: it takes over the merged account's primary.
    expect(res.body.primaryContactId).toBe(c.id);

    const contacts = await api('GET', `/api/v1/accounts/${survivor.id}/contacts`, { as: 'rep1' });
    expect(contacts.body.items.map((x: { id: string }) => x.id)).toContain(c.id);
    expect((await api('GET', `/api/v1/contacts/${c.id}`, { as: 'rep1' })).body.accountId).toBe(survivor.id);

    const token1 = await token('rep1');
    const redirect = await fetch(`${GATEWAY_URL}/api/v1/accounts/${merged.id}`, {
      headers: { authorization: `Bearer ${token1}` },
      redirect: 'manual',
    });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe(`/api/v1/accounts/${survivor.id}`);

    // Its domain now finds the survivor; merging into the merged account is a conflict.
    const dup = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Yet another ${RUN}`, website: merged.domain },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.existingAccountId).toBe(survivor.id);
    const third = await create('rep1', newAccount('third'));
    const intoMerged = await api('POST', `/api/v1/accounts/${merged.id}/merge`, {
      as: 'manager',
      json: { mergedAccountId: third.id },
    });
    expect(intoMerged.status).toBe(409);
  });

  it('operator injection in a body or query field is a 400, not a match', async () => {
    const body = await api('POST', '/api/v1/accounts', { as: 'rep1', raw: '{"name":{"$gt":""}}' });
    expect(body.status).toBe(400);
    expect(body.contentType).toMatch(PROBLEM);
    const query = await api('GET', '/api/v1/accounts?ownerId[$gt]=', { as: 'rep1' });
    expect(query.status).toBe(400);
    const activities = await api('GET', '/api/v1/activities?relatedTo[$ne]=x', { as: 'rep1' });
    expect(activities.status).toBe(400);
    const contact = await api('POST', `/api/v1/accounts/${acc.id}/contacts`, {
      as: 'rep1',
      raw: '{"lastName":"X","buyingRole":{"$gt":""}}',
    });
    expect(contact.status).toBe(400);
    const custom = await api('PATCH', `/api/v1/accounts/${acc.id}`, {
      as: 'rep1',
      json: { customFields: { $where: 'sleep(1000)' } },
    });
    expect(custom.status).toBe(400);
  });
});

describe('account service over gRPC: the lead-conversion contract', () => {
  let channel: Channel;
  let client: ReturnType<typeof createClient<typeof pb.AccountServiceDefinition>>;
  let md: Metadata;

  beforeAll(async () => {
    channel = createChannel(ACCOUNT_GRPC_ADDR);
    client = createClient(pb.AccountServiceDefinition, channel);
    md = Metadata({ authorization: `Bearer ${await token('rep1')}`, 'x-request-id': `it-${RUN}` });
  });
  afterAll(() => channel.close());

  it('CreateAccount with the same creation_key twice returns the same account, created both times', async () => {
    const key = `it-conversion:${RUN}:account`;
    const input = pb.AccountInput.fromPartial(newAccount('grpc-key'));
    const first = await client.createAccount(
      { account: input, creationKey: key, linkDuplicate: true },
      { metadata: md },
    );
    const again = await client.createAccount(
      { account: input, creationKey: key, linkDuplicate: true },
      { metadata: md },
    );
    expect(first.created).toBe(true);
    expect(again.created).toBe(true);
    expect(again.account?.id).toBe(first.account?.id);

    // link_duplicate: another key for the same company links the existing account.
    const linked = await client.createAccount(
      { account: input, creationKey: `${key}:other`, linkDuplicate: true },
      { metadata: md },
    );
    expect(linked.created).toBe(false);
    expect(linked.account?.id).toBe(first.account?.id);

    // CreateContact with a creation key is idempotent too.
    const ckey = `it-conversion:${RUN}:contact`;
    const contact = pb.ContactInput.fromPartial({ firstName: 'Ada', lastName: 'Lovelace' });
    const c1 = await client.createContact(
      { accountId: first.account!.id, contact, creationKey: ckey },
      { metadata: md },
    );
    const c2 = await client.createContact(
      { accountId: first.account!.id, contact, creationKey: ckey },
      { metadata: md },
    );
    expect(c2.id).toBe(c1.id);

    // Compensation: the account is kept while it has a contact; then both go, idempotently.
    await expect(
      client.discardAccount({ id: first.account!.id, creationKey: key }, { metadata: md }),
    ).rejects.toMatchObject({ code: 9 /* FAILED_PRECONDITION */ });
    expect((await client.discardContact({ id: c1.id, creationKey: ckey }, { metadata: md })).discarded).toBe(
      true,
    );
    expect((await client.discardContact({ id: c1.id, creationKey: ckey }, { metadata: md })).discarded).toBe(
      false,
    );
    expect(
      (await client.discardAccount({ id: first.account!.id, creationKey: key }, { metadata: md })).discarded,
    ).toBe(true);
    expect(
      (await client.discardAccount({ id: first.account!.id, creationKey: key }, { metadata: md })).discarded,
    ).toBe(false);
    await expect(client.getAccount({ id: first.account!.id }, { metadata: md })).rejects.toMatchObject({
      code: 5,
    });

    // A retry after the compensation creates it again under the same id.
    const revived = await client.createAccount(
      { account: input, creationKey: key, linkDuplicate: true },
      { metadata: md },
    );
    expect(revived).toMatchObject({ created: true, account: { id: first.account!.id } });
  });
});
