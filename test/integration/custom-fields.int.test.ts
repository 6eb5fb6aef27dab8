import { waitFor } from '@crm/kit/testing';
import { api, RUN, uniqueEmail } from './support';

const PROBLEM = /^application\/problem\+json/;
/** Unique per run: definitions outlive a run (they are archived at the end, never deleted). */
const KEY = `po_${RUN}`.slice(0, 40);
const OTHER = `tier_${RUN}`.slice(0, 40);
const fieldPath = (key: string) => `customFields.${key}`;
const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('custom fields (lead) through the gateway', () => {
  let leadId = '';
  let version = 0;

  afterAll(async () => {
    for (const key of [KEY, OTHER]) await api('DELETE', `/api/v1/custom-fields/lead/${key}`, { as: 'admin' });
  });

  it('an admin defines a text field with a pattern (201, Location, ETag)', async () => {
    const res = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: {
        entity: 'lead',
        key: KEY,
        label: 'PO number',
        type: 'text',
        constraints: { pattern: '^PO-\\d{4}$', maxLength: 7 },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      entity: 'lead',
      key: KEY,
      label: 'PO number',
      type: 'text',
      required: false,
      constraints: { pattern: '^PO-\\d{4}$', maxLength: 7 },
      version: 1,
      archived: false,
    });
    expect(res.headers.get('location')).toBe(`/api/v1/custom-fields/lead/${KEY}`);
    expect(res.headers.get('etag')).toBe('"1"');

    const again = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: { entity: 'lead', key: KEY, label: 'again', type: 'text' },
    });
    expect(again.status).toBe(409);

    const listed = await api('GET', '/api/v1/custom-fields?entity=lead', { as: 'rep1' });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { key: string }) => d.key)).toContain(KEY);
  });

  it('a rep cannot define, change or archive fields (403)', async () => {
    const post = await api('POST', '/api/v1/custom-fields', {
      as: 'rep1',
      json: { entity: 'lead', key: `x_${RUN}`, label: 'X', type: 'text' },
    });
    expect(post.status).toBe(403);
    expect(post.contentType).toMatch(PROBLEM);
    const put = await api('PUT', `/api/v1/custom-fields/lead/${KEY}`, {
      as: 'rep1',
      json: { label: 'Mine', type: 'text' },
    });
    expect(put.status).toBe(403);
    expect((await api('DELETE', `/api/v1/custom-fields/lead/${KEY}`, { as: 'rep1' })).status).toBe(403);
  });

  it('a rep sets a valid value (200, returned); an invalid one and an unknown key are 400 on the field', async () => {
    const created = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: { lastName: `Custom-${RUN}`, email: uniqueEmail('cf'), company: `Fields ${RUN}` },
    });
    expect(created.status).toBe(201);
    expect(created.body.customFields).toEqual({});
    leadId = created.body.id;

    const ok = await api('PATCH', `/api/v1/leads/${leadId}`, {
      as: 'rep1',
      json: { customFields: { [KEY]: 'PO-1234' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.customFields).toEqual({ [KEY]: 'PO-1234' });
    version = ok.body.version;

    const bad = await api('PATCH', `/api/v1/leads/${leadId}`, {
      as: 'rep1',
      json: { customFields: { [KEY]: 'PO-12' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(PROBLEM);
    expect(fields(bad.body)).toEqual([fieldPath(KEY)]);

    const unknown = await api('PATCH', `/api/v1/leads/${leadId}`, {
      as: 'rep1',
      json: { customFields: { [`nope_${RUN}`]: 'x' } },
    });
    expect(unknown.status).toBe(400);
    expect(fields(unknown.body)).toEqual([fieldPath(`nope_${RUN}`)]);

    const onCreate = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: { lastName: `Custom2-${RUN}`, company: `Fields ${RUN}`, customFields: { [KEY]: 1234 } },
    });
    expect(onCreate.status).toBe(400);
    expect(fields(onCreate.body)).toEqual([fieldPath(KEY)]);

    const unchanged = await api('GET', `/api/v1/leads/${leadId}`, { as: 'rep1' });
    expect(unchanged.body).toMatchObject({ version, customFields: { [KEY]: 'PO-1234' } });
  });

  it('operator objects are refused as values and as filters (400)', async () => {
    const value = await api('PATCH', `/api/v1/leads/${leadId}`, {
      as: 'rep1',
      json: { customFields: { [KEY]: { $gt: '' } } },
    });
    expect(value.status).toBe(400);
    expect(fields(value.body)).toEqual([fieldPath(KEY)]);

    const asJson = await api('GET', `/api/v1/leads?cf.${KEY}=${encodeURIComponent('{"$gt": ""}')}`, {
      as: 'rep1',
    });
    expect(asJson.status).toBe(400);
    const bracket = await api('GET', `/api/v1/leads?cf.${KEY}%5B%24gt%5D=`, { as: 'rep1' });
    expect(bracket.status).toBe(400);
    const unknown = await api('GET', `/api/v1/leads?cf.nope_${RUN}=x`, { as: 'rep1' });
    expect(unknown.status).toBe(400);
  });

  it('the list filter ?cf.<key>=value finds the lead', async () => {
    const found = await api('GET', `/api/v1/leads?cf.${KEY}=PO-1234`, { as: 'rep1' });
    expect(found.status).toBe(200);
    expect(found.body.items.map((l: { id: string }) => l.id)).toEqual([leadId]);
    const none = await api('GET', `/api/v1/leads?cf.${KEY}=PO-9999`, { as: 'rep1' });
    expect(none.body.items).toEqual([]);
  });

  it('renaming the label keeps the stored value; a stale If-Match is a 412', async () => {
    const renamed = await api('PUT', `/api/v1/custom-fields/lead/${KEY}`, {
      as: 'admin',
      json: { label: 'Purchase order', type: 'text', constraints: { pattern: '^PO-\\d{4}$', maxLength: 7 } },
      headers: { 'if-match': '"1"' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ key: KEY, label: 'Purchase order', version: 2 });
    const stale = await api('PUT', `/api/v1/custom-fields/lead/${KEY}`, {
      as: 'admin',
      json: { label: 'Again', type: 'text' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    const lead = await api('GET', `/api/v1/leads/${leadId}`, { as: 'rep1' });
    expect(lead.status).toBe(200);
    expect(lead.body.customFields).toEqual({ [KEY]: 'PO-1234' });
  });

  it('the OpenAPI document describes the field in the Lead schema', async () => {
    // Built on request and cached for a few seconds.
    let description = '';
    await waitFor(async () => {
      const doc = await api('GET', '/api/v1/openapi.json');
      description = doc.body.components.schemas.Lead.description ?? '';
      return description.includes('Purchase order');
    }, 10_000).catch(() => undefined); // the assertion below says what was missing
    expect(description).toContain(`\`${KEY}\` (text): Purchase order; pattern \`^PO-\\d{4}$\``);
  });

  it('archiving hides the value without corrupting the record; another type cannot take the key', async () => {
    const archived = await api('DELETE', `/api/v1/custom-fields/lead/${KEY}`, { as: 'admin' });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ key: KEY, archived: true });

    const lead = await api('GET', `/api/v1/leads/${leadId}`, { as: 'rep1' });
    expect(lead.status).toBe(200);
    expect(lead.body.customFields).toEqual({});
    // The record stays editable; the archived key takes no values and no filters.
    const edit = await api('PATCH', `/api/v1/leads/${leadId}`, { as: 'rep1', json: { title: 'Buyer' } });
    expect(edit.status).toBe(200);
    const write = await api('PATCH', `/api/v1/leads/${leadId}`, {
      as: 'rep1',
      json: { customFields: { [KEY]: 'PO-5555' } },
    });
    expect(write.status).toBe(400);
    expect((await api('GET', `/api/v1/leads?cf.${KEY}=PO-1234`, { as: 'rep1' })).status).toBe(400);

    const retyped = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: { entity: 'lead', key: KEY, label: 'PO amount', type: 'number' },
    });
    expect([400, 409]).toContain(retyped.status);
    expect(retyped.contentType).toMatch(PROBLEM);

    // Defining it again with its type brings the stored value back, untouched.
    const back = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: { entity: 'lead', key: KEY, label: 'PO number', type: 'text' },
    });
    expect(back.status).toBe(201);
    const restored = await api('GET', `/api/v1/leads/${leadId}`, { as: 'rep1' });
    expect(restored.body).toMatchObject({ title: 'Buyer', customFields: { [KEY]: 'PO-1234' } });
  });

  it('a CSV import reads cf.<key> columns and reports bad values per row', async () => {
    const defined = await api('POST', '/api/v1/custom-fields', {
      as: 'admin',
      json: {
        entity: 'lead',
        key: OTHER,
        label: 'Tier',
        type: 'enum',
        constraints: { options: ['gold', 'silver'] },
      },
    });
    expect(defined.status).toBe(201);
    const csv = [
      `lastName,email,company,cf.${OTHER}`,
      `Good-${RUN},${uniqueEmail('cf-import-1')},Import ${RUN},gold`,
      `Bad-${RUN},${uniqueEmail('cf-import-2')},Import ${RUN},bronze`,
    ].join('\n');
    const res = await api('POST', '/api/v1/leads/import', {
      as: 'manager',
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, rejected: 1 });
    const [good, bad] = res.body.results;
    expect(good).toMatchObject({ row: 1, outcome: 'created' });
    expect(bad).toMatchObject({ row: 2, outcome: 'rejected' });
    expect(fields(bad)).toEqual([fieldPath(OTHER)]);
    const stored = await api('GET', `/api/v1/leads/${good.leadId}`, { as: 'admin' });
    expect(stored.body.customFields).toEqual({ [OTHER]: 'gold' });
  });
});
