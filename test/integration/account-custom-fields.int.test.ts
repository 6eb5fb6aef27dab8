import { waitFor } from '@crm/kit/testing';
import { api, RUN } from './support';

const PROBLEM = /^application\/problem\+json/;
/** Unique per run: definitions outlive a run (they are archived at the end, never deleted). */
const ACCOUNT_KEY = `erp_${RUN}`.slice(0, 40);
const CONTACT_KEY = `lang_${RUN}`.slice(0, 40);
const fieldPath = (key: string) => `customFields.${key}`;
const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);
const ids = (body: { items: { id: string }[] }) => body.items.map((x) => x.id);

let seq = 0;
/** A company unique to this run (the service de-duplicates on domain and on folded name). */
function newAccount(extra: Record<string, unknown> = {}) {
  seq++;
  return { name: `Fields ${RUN} ${seq}`, website: `cf-${RUN}-${seq}.example.com`, ...extra };
}

describe('custom fields of accounts and contacts through the gateway', () => {
  let accountId = '';
  let otherAccountId = '';
  let contactId = '';

  afterAll(async () => {
    await api('DELETE', `/api/v1/custom-fields/account/${ACCOUNT_KEY}`, { as: 'admin' });
    await api('DELETE', `/api/v1/custom-fields/contact/${CONTACT_KEY}`, { as: 'admin' });
  });

  it('an admin defines an account field with a pattern and a contact enum field (201)', async () => {
    const account = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: {
        entity: 'account',
        key: ACCOUNT_KEY,
        label: 'ERP id',
        type: 'text',
        constraints: { pattern: '^ERP-\\d{4}$' },
      },
    });
    expect(account.status).toBe(201);
    expect(account.body).toMatchObject({ entity: 'account', key: ACCOUNT_KEY, type: 'text', version: 1 });
    expect(account.headers.get('location')).toBe(`/api/v1/custom-fields/account/${ACCOUNT_KEY}`);

    const contact = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: {
        entity: 'contact',
        key: CONTACT_KEY,
        label: 'Language',
        type: 'enum',
        constraints: { options: ['en', 'zh'] },
      },
    });
    expect(contact.status).toBe(201);
    expect(contact.body).toMatchObject({ entity: 'contact', key: CONTACT_KEY, type: 'enum' });

    const listed = await api('GET', '/api/v1/custom-fields?entity=account', { as: 'rep1' });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { key: string }) => d.key)).toContain(ACCOUNT_KEY);
    const contactFields = await api('GET', '/api/v1/custom-fields?entity=contact', { as: 'rep1' });
    expect(contactFields.body.items.map((d: { key: string }) => d.key)).toContain(CONTACT_KEY);
    expect(contactFields.body.items.map((d: { key: string }) => d.key)).not.toContain(ACCOUNT_KEY);
  });

  it('a rep cannot define, change or archive account or contact fields (403)', async () => {
    for (const entity of ['account', 'contact']) {
      const post = await api('POST', '/api/v1/custom-fields', {
        as: 'rep1',
        json: { entity, key: `x_${RUN}`, label: 'X', type: 'text' },
      });
      expect(post.status).toBe(403);
      expect(post.contentType).toMatch(PROBLEM);
    }
    const put = await api('PUT', `/api/v1/custom-fields/account/${ACCOUNT_KEY}`, {
      as: 'rep1',
      json: { label: 'Mine', type: 'text' },
    });
    expect(put.status).toBe(403);
    const del = await api('DELETE', `/api/v1/custom-fields/contact/${CONTACT_KEY}`, { as: 'rep1' });
    expect(del.status).toBe(403);
  });

  it('a rep sets a valid value on an account (200); an invalid one is 400 on customFields.<key>', async () => {
    const created = await api('POST', '/api/v1/accounts', { as: 'rep1', json: newAccount() });
    expect(created.status).toBe(201);
    expect(created.body.customFields).toEqual({});
    accountId = created.body.id;

    const ok = await api('PATCH', `/api/v1/accounts/${accountId}`, {
      as: 'rep1',
      json: { customFields: { [ACCOUNT_KEY]: 'ERP-1234' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.customFields).toEqual({ [ACCOUNT_KEY]: 'ERP-1234' });
    const version = ok.body.version;

    const bad = await api('PATCH', `/api/v1/accounts/${accountId}`, {
      as: 'rep1',
      json: { customFields: { [ACCOUNT_KEY]: 'ERP-12' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(PROBLEM);
    expect(fields(bad.body)).toEqual([fieldPath(ACCOUNT_KEY)]);

    const unknown = await api('PATCH', `/api/v1/accounts/${accountId}`, {
      as: 'rep1',
      json: { customFields: { [`nope_${RUN}`]: 'x' } },
    });
    expect(unknown.status).toBe(400);
    expect(fields(unknown.body)).toEqual([fieldPath(`nope_${RUN}`)]);

    // A contact field is not an account field.
    const wrongEntity = await api('PATCH', `/api/v1/accounts/${accountId}`, {
      as: 'rep1',
      json: { customFields: { [CONTACT_KEY]: 'en' } },
    });
    expect(wrongEntity.status).toBe(400);
    expect(fields(wrongEntity.body)).toEqual([fieldPath(CONTACT_KEY)]);

    // On create, the record's own problems and the custom field's come in one answer.
    const onCreate = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: newAccount({ website: 'not a domain', customFields: { [ACCOUNT_KEY]: 1234 } }),
    });
    expect(onCreate.status).toBe(400);
    expect(fields(onCreate.body).sort()).toEqual([fieldPath(ACCOUNT_KEY), 'website'].sort());

    const unchanged = await api('GET', `/api/v1/accounts/${accountId}`, { as: 'rep1' });
    expect(unchanged.body).toMatchObject({ version, customFields: { [ACCOUNT_KEY]: 'ERP-1234' } });

    const other = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: newAccount({ customFields: { [ACCOUNT_KEY]: 'ERP-5678' } }),
    });
    expect(other.status).toBe(201);
    expect(other.body.customFields).toEqual({ [ACCOUNT_KEY]: 'ERP-5678' });
    otherAccountId = other.body.id;
  });

  it('a contact enum field takes its options only; an unknown option is 400 on customFields.<key>', async () => {
    const ok = await api('POST', `/api/v1/accounts/${accountId}/contacts`, {
      as: 'rep1',
      json: { lastName: `Li ${RUN}`, customFields: { [CONTACT_KEY]: 'zh' } },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.customFields).toEqual({ [CONTACT_KEY]: 'zh' });
    contactId = ok.body.id;

    const bad = await api('POST', `/api/v1/accounts/${accountId}/contacts`, {
      as: 'rep1',
      json: { lastName: `Wang ${RUN}`, customFields: { [CONTACT_KEY]: 'fr' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(PROBLEM);
    expect(fields(bad.body)).toEqual([fieldPath(CONTACT_KEY)]);

    const badPatch = await api('PATCH', `/api/v1/contacts/${contactId}`, {
      as: 'rep1',
      json: { customFields: { [CONTACT_KEY]: 'fr' } },
    });
    expect(badPatch.status).toBe(400);
    expect(fields(badPatch.body)).toEqual([fieldPath(CONTACT_KEY)]);

    const second = await api('POST', `/api/v1/accounts/${accountId}/contacts`, {
      as: 'rep1',
      json: { lastName: `Wang ${RUN}`, customFields: { [CONTACT_KEY]: 'en' } },
    });
    expect(second.status).toBe(201);

    const stored = await api('GET', `/api/v1/contacts/${contactId}`, { as: 'rep1' });
    expect(stored.body).toMatchObject({ version: 1, customFields: { [CONTACT_KEY]: 'zh' } });
  });

  it('?cf.<key>=value filters accounts and the contacts of an account', async () => {
    const found = await api('GET', `/api/v1/accounts?cf.${ACCOUNT_KEY}=ERP-1234`, { as: 'rep1' });
    expect(found.status).toBe(200);
    expect(ids(found.body)).toEqual([accountId]);
    const other = await api('GET', `/api/v1/accounts?cf.${ACCOUNT_KEY}=ERP-5678`, { as: 'rep1' });
    expect(ids(other.body)).toEqual([otherAccountId]);
    const none = await api('GET', `/api/v1/accounts?cf.${ACCOUNT_KEY}=ERP-9999`, { as: 'rep1' });
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);

    const contacts = await api('GET', `/api/v1/accounts/${accountId}/contacts?cf.${CONTACT_KEY}=zh`, {
      as: 'rep1',
    });
    expect(contacts.status).toBe(200);
    expect(ids(contacts.body)).toEqual([contactId]);

    // Unknown keys, values the field cannot hold and operator objects are refused.
    for (const q of [
      `cf.nope_${RUN}=x`,
      `cf.${ACCOUNT_KEY}=ERP-1`,
      `cf.${ACCOUNT_KEY}=${encodeURIComponent('{"$gt": ""}')}`,
      `cf.${ACCOUNT_KEY}%5B%24gt%5D=`,
    ])
      expect((await api('GET', `/api/v1/accounts?${q}`, { as: 'rep1' })).status).toBe(400);
    const contactOnAccounts = await api('GET', `/api/v1/accounts?cf.${CONTACT_KEY}=zh`, { as: 'rep1' });
    expect(contactOnAccounts.status).toBe(400);
  });

  it('the OpenAPI document describes the fields in the Account and Contact schemas', async () => {
    // Built on request and cached for a few seconds.
    let account = '';
    let contact = '';
    await waitFor(async () => {
      const doc = await api('GET', '/api/v1/openapi.json');
      account = doc.body.components.schemas.Account.description ?? '';
      contact = doc.body.components.schemas.Contact.description ?? '';
      return account.includes(ACCOUNT_KEY) && contact.includes(CONTACT_KEY);
    }, 10_000).catch(() => undefined); // the assertions below say what was missing
    expect(account).toContain(`\`${ACCOUNT_KEY}\` (text): ERP id; pattern \`^ERP-\\d{4}$\``);
    expect(contact).toContain(`\`${CONTACT_KEY}\` (enum): Language; options: en, zh`);
    expect(account).not.toContain(CONTACT_KEY);
  });

  it('archiving an account field hides its values without corrupting the record', async () => {
    const archived = await api('DELETE', `/api/v1/custom-fields/account/${ACCOUNT_KEY}`, { as: 'admin' });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ key: ACCOUNT_KEY, archived: true });

    const account = await api('GET', `/api/v1/accounts/${accountId}`, { as: 'rep1' });
    expect(account.status).toBe(200);
    expect(account.body.customFields).toEqual({});
    const edit = await api('PATCH', `/api/v1/accounts/${accountId}`, {
      as: 'rep1',
      json: { industry: 'energy' },
    });
    expect(edit.status).toBe(200);
    expect((await api('GET', `/api/v1/accounts?cf.${ACCOUNT_KEY}=ERP-1234`, { as: 'rep1' })).status).toBe(
      400,
    );

    // Defining it again with its type brings the stored value back, untouched.
    const back = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: { entity: 'account', key: ACCOUNT_KEY, label: 'ERP id', type: 'text' },
    });
    expect(back.status).toBe(201);
    const restored = await api('GET', `/api/v1/accounts/${accountId}`, { as: 'rep1' });
    expect(restored.body).toMatchObject({ industry: 'energy', customFields: { [ACCOUNT_KEY]: 'ERP-1234' } });
  });
});
