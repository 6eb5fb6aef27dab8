import Ajv2020 from 'ajv/dist/2020';
import { account as accountPb, ownership } from '@crm/proto';
import { buildOpenApiDocument } from '../src/openapi';
import { auth, json, jsonHeaders, sampleLead, startApp, type Harness } from './helpers';

type Response_ = { content?: Record<string, { schema: object }> };
type Doc = {
  components: { responses: Record<string, Response_> };
  paths: Record<string, Record<string, { responses: Record<string, Response_> }>>;
};
const doc = buildOpenApiDocument() as Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

/** The errors of a body against the schema the document gives for that answer ([] when it conforms). */
function violations(method: string, path: string, res: Response, body: unknown): string[] {
  let response = doc.paths[`/api/v1${path}`]?.[method]?.responses[String(res.status)];
  // Problems are shared response components.
  const ref = (response as { $ref?: string } | undefined)?.$ref;
  if (ref) response = doc.components.responses[ref.split('/').pop()!];
  if (!response) return [`${method} ${path} does not document ${res.status}`];
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
  const schema = response.content?.[type]?.schema;
  if (!schema) return [`${method} ${path} ${res.status} does not document ${type}`];
  const validate = ajv.compile({ ...schema, components: doc.components });
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const settings = (entity: string) =>
  ownership.PoolSettings.fromPartial({
    entity,
    maxClaimsPerDay: 5,
    releaseAfterInactiveDays: 30,
    version: '2',
    updated: { actorId: 'u-admin', at: new Date('2026-01-01T00:00:00Z') },
  });

let h: Harness;
let pool: { getPoolSettings: jest.Mock; putPoolSettings: jest.Mock };
beforeEach(async () => {
  pool = {
    getPoolSettings: jest.fn(async () => settings('lead')),
    putPoolSettings: jest.fn(async () => settings('lead')),
  };
  const account = {
    getAccount: jest.fn(async () =>
      accountPb.Account.fromPartial({ id: 'A1', version: '1', name: 'ACME', tier: 2, lifecycle: 1 }),
    ),
    listContacts: jest.fn(async () => ({ contacts: [], page: { nextCursor: '' } })),
    listActivities: jest.fn(async () => ({ activities: [], page: { nextCursor: '' } })),
  };
  h = await startApp({ pool: { lead: pool }, account });
});
afterEach(async () => {
  await h.close();
});

describe('answers match the schemas the document gives them', () => {
  it('pool settings, read and written', async () => {
    const got = await fetch(`${h.url}/api/v1/pool-settings/lead`, { headers: auth('rep') });
    expect(got.status).toBe(200);
    expect(violations('get', '/pool-settings/{type}', got, await json(got))).toEqual([]);
    const put = await fetch(`${h.url}/api/v1/pool-settings/lead`, {
      method: 'PUT',
      headers: jsonHeaders('admin'),
      body: JSON.stringify({ maxClaimsPerDay: 5, releaseAfterInactiveDays: 30 }),
    });
    expect(put.status).toBe(200);
    expect(violations('put', '/pool-settings/{type}', put, await json(put))).toEqual([]);
  });

  it('a lead, an account and its overview', async () => {
    h.client.getLead.mockResolvedValue(sampleLead());
    for (const [path, template] of [
      ['/leads/L1', '/leads/{id}'],
      ['/accounts/A1', '/accounts/{id}'],
      ['/accounts/A1/overview', '/accounts/{id}/overview'],
    ]) {
      const res = await fetch(`${h.url}/api/v1${path}`, { headers: auth('rep') });
      expect(res.status).toBe(200);
      expect(violations('get', template!, res, await json(res))).toEqual([]);
    }
  });

  it('problems: a bad request, a forbidden role', async () => {
    const bad = await fetch(`${h.url}/api/v1/leads`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: '{"lastName":{"$gt":""}}',
    });
    expect(bad.status).toBe(400);
    expect(violations('post', '/leads', bad, await json(bad))).toEqual([]);
    const forbidden = await fetch(`${h.url}/api/v1/lead-scoring`, { headers: auth('rep') });
    expect(forbidden.status).toBe(403);
    expect(violations('get', '/lead-scoring', forbidden, await json(forbidden))).toEqual([]);
  });
});
