import { ClientError, Status } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { customFields as pb } from '@crm/proto';
import pino from 'pino';
import { describeCustomFields, liveOpenApi } from '../src/custom-fields/openapi';
import { customFieldToJson } from '../src/custom-fields/mapping';
import { camelPath } from '../src/http/grpc-errors';
import { parseImportCsv } from '../src/leads/import';
import { buildOpenApiDocument } from '../src/openapi';
import { auth, json, jsonHeaders, sampleLead, startApp, type Harness } from './helpers';

const definition = (over: Parameters<typeof pb.FieldDefinition.fromPartial>[0] = {}) =>
  pb.FieldDefinition.fromPartial({
    entity: 'lead',
    key: 'po_number',
    label: 'PO number',
    type: pb.FieldType.FIELD_TYPE_TEXT,
    constraints: { pattern: '^PO-\\d{4}$' },
    version: '1',
    created: { actorId: 'u-admin', at: new Date('2026-01-01T00:00:00Z') },
    updated: { actorId: 'u-admin', at: new Date('2026-01-01T00:00:00Z') },
    ...over,
  });

const fakeClient = () => ({
  listFieldDefinitions: jest.fn(),
  putFieldDefinition: jest.fn(),
  deleteFieldDefinition: jest.fn(),
});

let h: Harness;
let cf: ReturnType<typeof fakeClient>;
beforeEach(async () => {
  cf = fakeClient();
  h = await startApp({ customFields: { lead: cf } });
});
afterEach(async () => {
  await h.close();
});

describe('/api/v1/custom-fields', () => {
  it('any CRM role lists, by entity (routed to the owning service)', async () => {
    cf.listFieldDefinitions.mockResolvedValue({ definitions: [definition()] });
    for (const user of ['rep', 'agent', 'integrator']) {
      const res = await fetch(`${h.url}/api/v1/custom-fields?entity=lead`, { headers: auth(user) });
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({
        items: [
          {
            entity: 'lead',
            key: 'po_number',
            label: 'PO number',
            type: 'text',
            required: false,
            constraints: { pattern: '^PO-\\d{4}$' },
            version: 1,
            archived: false,
            createdAt: '2026-01-01T00:00:00.000Z',
            createdBy: 'u-admin',
            updatedAt: '2026-01-01T00:00:00.000Z',
            updatedBy: 'u-admin',
          },
        ],
      });
    }
    expect(cf.listFieldDefinitions.mock.calls[0][0]).toEqual({ entity: 'lead', includeArchived: false });
  });

  it('refuses entities nobody serves yet and unknown ones', async () => {
    const opp = await fetch(`${h.url}/api/v1/custom-fields?entity=opportunity`, { headers: auth('rep') });
    expect(opp.status).toBe(400);
    const bogus = await fetch(`${h.url}/api/v1/custom-fields?entity=user`, { headers: auth('rep') });
    expect(bogus.status).toBe(400);
  });

  it('admins define a field (201, Location, ETag); a rep gets 403 before any call', async () => {
    cf.putFieldDefinition.mockResolvedValue(definition());
    const body = JSON.stringify({
      entity: 'lead',
      key: 'po_number',
      label: 'PO number',
      type: 'text',
      constraints: { pattern: '^PO-\\d{4}$' },
    });
    const rep = await fetch(`${h.url}/api/v1/custom-fields`, {
      method: 'POST',
      body,
      headers: jsonHeaders('rep'),
    });
    expect(rep.status).toBe(403);
    expect(cf.putFieldDefinition).not.toHaveBeenCalled();

    const res = await fetch(`${h.url}/api/v1/custom-fields`, {
      method: 'POST',
      body,
      headers: jsonHeaders('admin'),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/v1/custom-fields/lead/po_number');
    expect(res.headers.get('etag')).toBe('"1"');
    const [req] = cf.putFieldDefinition.mock.calls[0];
    expect(req).toMatchObject({
      createOnly: true,
      expectedVersion: '0',
      definition: { entity: 'lead', key: 'po_number', type: pb.FieldType.FIELD_TYPE_TEXT },
    });
    expect(req.definition.constraints.pattern).toBe('^PO-\\d{4}$');
  });

  it('validates the definition shape', async () => {
    const res = await fetch(`${h.url}/api/v1/custom-fields`, {
      method: 'POST',
      body: JSON.stringify({ entity: 'lead', key: 'PO Number', label: '', type: 'float' }),
      headers: jsonHeaders('admin'),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'key',
      'label',
      'type',
    ]);
  });

  it('PUT passes If-Match; a type change refused by the service is a 409', async () => {
    cf.putFieldDefinition.mockResolvedValue(definition({ version: '3', label: 'Purchase order' }));
    const ok = await fetch(`${h.url}/api/v1/custom-fields/lead/po_number`, {
      method: 'PUT',
      body: JSON.stringify({ label: 'Purchase order', type: 'text' }),
      headers: jsonHeaders('admin', { 'if-match': '"2"' }),
    });
    expect(ok.status).toBe(200);
    expect(cf.putFieldDefinition.mock.calls[0][0]).toMatchObject({ expectedVersion: '2', createOnly: false });

    cf.putFieldDefinition.mockRejectedValue(
      new ClientError('/x', Status.FAILED_PRECONDITION, 'type cannot change'),
    );
    const conflict = await fetch(`${h.url}/api/v1/custom-fields/lead/po_number`, {
      method: 'PUT',
      body: JSON.stringify({ label: 'x', type: 'number' }),
      headers: jsonHeaders('admin'),
    });
    expect(conflict.status).toBe(409);
  });

  it('DELETE archives (admin only) and a path entity without a service is a 404', async () => {
    cf.deleteFieldDefinition.mockResolvedValue(definition({ version: '2', archived: true }));
    const rep = await fetch(`${h.url}/api/v1/custom-fields/lead/po_number`, {
      method: 'DELETE',
      headers: auth('rep'),
    });
    expect(rep.status).toBe(403);
    const res = await fetch(`${h.url}/api/v1/custom-fields/lead/po_number`, {
      method: 'DELETE',
      headers: auth('admin'),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ archived: true, version: 2 });
    const none = await fetch(`${h.url}/api/v1/custom-fields/ticket/x`, {
      method: 'DELETE',
      headers: auth('admin'),
    });
    expect(none.status).toBe(404);
  });
});

describe('leads with custom fields', () => {
  it('passes customFields through on create and returns them', async () => {
    h.client.createLead.mockResolvedValue(sampleLead({ customFields: { po_number: 'PO-0001' } }));
    const res = await fetch(`${h.url}/api/v1/leads`, {
      method: 'POST',
      body: JSON.stringify({ lastName: 'Doe', customFields: { po_number: 'PO-0001' } }),
      headers: jsonHeaders('rep'),
    });
    expect(res.status).toBe(201);
    expect((await json(res)).customFields).toEqual({ po_number: 'PO-0001' });
    expect(h.client.createLead.mock.calls[0][0].lead.customFields).toEqual({ po_number: 'PO-0001' });
  });

  it('keeps custom field keys as they are in error paths', async () => {
    h.client.updateLead.mockRejectedValue(
      new RichClientError('/x', Status.INVALID_ARGUMENT, 'bad', [
        BadRequest.fromPartial({
          fieldViolations: [{ field: 'customFields.po_number', description: 'does not match the pattern' }],
        }),
      ]),
    );
    const res = await fetch(`${h.url}/api/v1/leads/L1`, {
      method: 'PATCH',
      body: JSON.stringify({ customFields: { po_number: 'x', other: null } }),
      headers: jsonHeaders('rep'),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      { field: 'customFields.po_number', message: 'does not match the pattern' },
    ]);
    expect(h.client.updateLead.mock.calls[0][0].patch.customFields).toEqual({ po_number: 'x', other: null });
    expect(camelPath('rows.custom_fields.po_number')).toBe('rows.customFields.po_number');
    expect(camelPath('company_size')).toBe('companySize');
  });

  it('turns cf.<key> query parameters into custom filters and refuses other unknown ones', async () => {
    h.client.listLeads.mockResolvedValue({ leads: [], page: { nextCursor: '' } });
    const ok = await fetch(`${h.url}/api/v1/leads?cf.po_number=PO-0001&cf.budget=10&status=new`, {
      headers: auth('rep'),
    });
    expect(ok.status).toBe(200);
    expect(h.client.listLeads.mock.calls[0][0].customFilters).toEqual({ po_number: 'PO-0001', budget: '10' });
    for (const q of ['cf.po_number[$gt]=', 'cf.PO=1', 'foo=1', 'cf.po_number=a&cf.po_number=b']) {
      const bad = await fetch(`${h.url}/api/v1/leads?${q}`, { headers: auth('rep') });
      expect(bad.status).toBe(400);
    }
  });

  it('reads cf.<key> CSV columns as text values, empty cells as no value', () => {
    const parsed = parseImportCsv('lastName,cf.po_number,cf.products\nDoe,PO-0001,crm;bi\nRoe,,\n');
    expect(parsed.rows.map((r) => r.input.customFields)).toEqual([
      { po_number: 'PO-0001', products: 'crm;bi' },
      {},
    ]);
    expect(() => parseImportCsv('lastName,cf.Bad\nDoe,1\n')).toThrow(/unknown columns/);
  });
});

describe('OpenAPI with the current custom fields', () => {
  it('lists each field in the entity description and types the customFields property', () => {
    const fields = {
      lead: [
        customFieldToJson(definition({ required: true })),
        customFieldToJson(
          definition({
            key: 'stage',
            label: 'Stage',
            type: pb.FieldType.FIELD_TYPE_ENUM,
            constraints: { options: ['a', 'b'] },
          }),
        ),
      ],
    };
    const doc = describeCustomFields(buildOpenApiDocument(), fields, []) as {
      components: { schemas: Record<string, { description?: string; properties: Record<string, never> }> };
    };
    const s = doc.components.schemas;
    expect(s.Lead!.description).toContain('`po_number` (text, required): PO number; pattern `^PO-\\d{4}$`');
    expect(s.Lead!.description).toContain('`stage` (enum): Stage; options: a, b');
    expect(s.Lead!.properties.customFields).toMatchObject({
      properties: { po_number: { type: 'string', pattern: '^PO-\\d{4}$' }, stage: { enum: ['a', 'b'] } },
    });
    expect(s.PatchLead!.properties.customFields).toMatchObject({
      properties: { stage: { anyOf: [{ enum: ['a', 'b'] }, { type: 'null' }] } },
    });
  });

  it('describes Account and Contact the same way, with their own fields', () => {
    const fields = {
      account: [
        customFieldToJson(
          definition({
            entity: 'account',
            key: 'erp_id',
            label: 'ERP id',
            constraints: { pattern: '^ERP-' },
          }),
        ),
      ],
      contact: [
        customFieldToJson(
          definition({
            entity: 'contact',
            key: 'language',
            label: 'Language',
            type: pb.FieldType.FIELD_TYPE_ENUM,
            constraints: { options: ['en', 'zh'] },
          }),
        ),
      ],
    };
    const doc = describeCustomFields(buildOpenApiDocument(), fields, []) as {
      components: { schemas: Record<string, { description?: string; properties: Record<string, never> }> };
    };
    const s = doc.components.schemas;
    expect(s.Account!.description).toContain('Custom fields of account');
    expect(s.Account!.description).toContain('`erp_id` (text): ERP id; pattern `^ERP-`');
    expect(s.Account!.description).not.toContain('language');
    expect(s.Contact!.description).toContain('`language` (enum): Language; options: en, zh');
    for (const name of ['Account', 'CreateAccount'])
      expect(s[name]!.properties.customFields).toMatchObject({
        properties: { erp_id: { type: 'string', pattern: '^ERP-' } },
      });
    expect(s.PatchAccount!.properties.customFields).toMatchObject({
      properties: { erp_id: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
    });
    expect(s.CreateContact!.properties.customFields).toMatchObject({
      properties: { language: { enum: ['en', 'zh'] } },
    });
    expect(s.PatchContact!.properties.customFields).toMatchObject({
      properties: { language: { anyOf: [{ enum: ['en', 'zh'] }, { type: 'null' }] } },
    });
  });

  it('describes Opportunity and its patch body the same way', () => {
    const fields = {
      opportunity: [
        customFieldToJson(
          definition({
            entity: 'opportunity',
            key: 'deal_type',
            label: 'Deal type',
            type: pb.FieldType.FIELD_TYPE_ENUM,
            constraints: { options: ['new', 'renewal'] },
          }),
        ),
      ],
    };
    const doc = describeCustomFields(buildOpenApiDocument(), fields, []) as {
      components: { schemas: Record<string, { description?: string; properties: Record<string, never> }> };
    };
    const s = doc.components.schemas;
    expect(s.Opportunity!.description).toContain('`deal_type` (enum): Deal type; options: new, renewal');
    expect(s.Opportunity!.properties.customFields).toMatchObject({
      properties: { deal_type: { enum: ['new', 'renewal'] } },
    });
    expect(s.OpportunityPatch!.properties.customFields).toMatchObject({
      properties: { deal_type: { anyOf: [{ enum: ['new', 'renewal'] }, { type: 'null' }] } },
    });
  });

  it('is built on request, cached, and still served with a note when a service is down', async () => {
    const client = fakeClient();
    client.listFieldDefinitions.mockRejectedValueOnce(new ClientError('/x', Status.UNAVAILABLE, 'down'));
    client.listFieldDefinitions.mockResolvedValue({ definitions: [definition()] });
    let now = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const live = liveOpenApi({
      base: buildOpenApiDocument(),
      clients: { lead: client as never },
      logger: pino({ level: 'silent' }),
    });
    const first = JSON.parse(await live());
    expect(first.info.description).toContain('custom fields of lead are not listed');
    now = 6000;
    const second = JSON.parse(await live());
    expect(second.components.schemas.Lead.description).toContain('po_number');
    await live();
    expect(client.listFieldDefinitions).toHaveBeenCalledTimes(2);
    jest.restoreAllMocks();
  });

  it('serves /api/v1/openapi.json with the fields of the running services', async () => {
    cf.listFieldDefinitions.mockResolvedValue({ definitions: [definition()] });
    const res = await fetch(`${h.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.components.schemas.Lead.description).toContain('po_number');
    expect(doc.paths['/api/v1/custom-fields']).toBeDefined();
    expect(doc.paths['/api/v1/custom-fields/{entity}/{key}'].put).toBeDefined();
  });
});

describe('custom fields of entities served by the account service', () => {
  it('routes account and contact definitions to their client and lists every entity', async () => {
    await h.close();
    const accountCf = fakeClient();
    h = await startApp({ customFields: { lead: cf, account: accountCf, contact: accountCf } });
    accountCf.listFieldDefinitions.mockImplementation(async ({ entity }: { entity: string }) => ({
      definitions: [definition({ entity, key: `${entity}_code` })],
    }));
    cf.listFieldDefinitions.mockResolvedValue({ definitions: [definition()] });
    const one = await fetch(`${h.url}/api/v1/custom-fields?entity=contact`, { headers: auth('rep') });
    expect(one.status).toBe(200);
    expect((await json(one)).items.map((d: { key: string }) => d.key)).toEqual(['contact_code']);
    const all = await fetch(`${h.url}/api/v1/custom-fields`, { headers: auth('rep') });
    expect((await json(all)).items.map((d: { entity: string }) => d.entity).sort()).toEqual([
      'account',
      'contact',
      'lead',
    ]);

    accountCf.putFieldDefinition.mockResolvedValue(definition({ entity: 'account', key: 'erp_id' }));
    const body = JSON.stringify({ entity: 'account', key: 'erp_id', label: 'ERP id', type: 'text' });
    const byRep = await fetch(`${h.url}/api/v1/custom-fields`, {
      method: 'POST',
      body,
      headers: jsonHeaders('rep'),
    });
    expect(byRep.status).toBe(403);
    const byAdmin = await fetch(`${h.url}/api/v1/custom-fields`, {
      method: 'POST',
      body,
      headers: jsonHeaders('admin'),
    });
    expect(byAdmin.status).toBe(201);
    expect(accountCf.putFieldDefinition).toHaveBeenCalledTimes(1);
    expect(cf.putFieldDefinition).not.toHaveBeenCalled();

    const doc = await json(await fetch(`${h.url}/api/v1/openapi.json`));
    expect(doc.components.schemas.Account.description).toContain('account_code');
    expect(doc.components.schemas.Contact.description).toContain('contact_code');
  });
});
