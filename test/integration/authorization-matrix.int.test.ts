/**
 * The authorization matrix: every operation of the served OpenAPI document, called as every demo
 * principal and without a token, answers as the permission table says. Generated from the gateway's
 * route table (each operation names its permission) and @crm/kit/permissions, so a new operation is
 * covered the moment it is added, and one missing from the table fails the first test.
 *
 * The calls cannot harm other test files: ids that do not exist, bodies that fail validation ({}),
 * and an If-Match that no record has, so a change that passes validation is a 412 and never applied.
 * What is checked is the role gate: allowed means anything but 401/403 (a 400/404/409/412/415/422
 * for the made-up request is fine) and never a 5xx; forbidden means 403; no token means 401.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allows, PERMISSIONS } from '@crm/kit/permissions';
import { operations } from '../../gateway/src/api/operations';
import type { Operation } from '../../gateway/src/api/operation';
import { api, claims, GATEWAY_URL, KEYCLOAK_URL, REALM, RUN, token, type User } from './support';

const PEOPLE = ['rep1', 'rep2', 'manager', 'admin', 'approver', 'agent'] as const;
type Principal = (typeof PEOPLE)[number] | 'integrator';
const PRINCIPALS: Principal[] = [...PEOPLE, 'integrator'];

/** The integrator's secret, from the dev realm the test stack imports. */
function integratorSecret(): string {
  if (process.env.CRM_INTEGRATOR_SECRET) return process.env.CRM_INTEGRATOR_SECRET;
  const realm = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'deploy', 'local', 'keycloak', 'crm-realm.json'), 'utf8'),
  ) as { clients: { clientId: string; secret?: string }[] };
  return realm.clients.find((c) => c.clientId === 'crm-integrator')?.secret ?? '';
}

let integratorToken: Promise<string> | undefined;
function clientCredentials(): Promise<string> {
  integratorToken ??= fetch(`${KEYCLOAK_URL}/realms/${REALM}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'crm-integrator',
      client_secret: integratorSecret(),
    }),
  }).then(async (res) => {
    if (!res.ok) throw new Error(`integrator token: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  });
  return integratorToken;
}

const bearerOf = (p: Principal) => (p === 'integrator' ? clientCredentials() : token(p as User));

/** The realm roles the principal's token carries: what the gateway decides by. */
async function rolesOf(p: Principal): Promise<string[]> {
  const access = claims(await bearerOf(p)).realm_access as { roles?: string[] } | undefined;
  return access?.roles ?? [];
}

interface DocParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { enum?: string[] };
}
interface DocOperation {
  operationId: string;
  parameters?: DocParameter[];
}
type Document = { paths: Record<string, Record<string, DocOperation>> };

let documentP: Promise<Document> | undefined;
const served = () =>
  (documentP ??= fetch(`${GATEWAY_URL}/api/v1/openapi.json`).then((r) => r.json() as Promise<Document>));

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A request for the operation that reaches its handler but changes nothing. */
async function probe(op: Operation): Promise<{ path: string; init: RequestInit }> {
  const doc = await served();
  const documented = doc.paths[`/api/v1${op.path}`]?.[op.method];
  const params = documented?.parameters ?? [];
  const valueOf = (p: DocParameter) => p.schema?.enum?.[0] ?? `matrix-${RUN}-missing`;
  let path = op.path;
  for (const p of params.filter((x) => x.in === 'path'))
    path = path.replace(`{${p.name}}`, encodeURIComponent(valueOf(p)));
  const query = new URLSearchParams(
    params.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, valueOf(p)]),
  ).toString();
  const headers: Record<string, string> = {};
  if (op.ifMatch) headers['if-match'] = '"999999999"';
  let body: string | undefined;
  if (op.body) {
    body = '{}';
    headers['content-type'] = 'application/json';
  }
  return {
    path: `/api/v1${path}${query ? `?${query}` : ''}`,
    init: { method: op.method.toUpperCase(), headers, body },
  };
}

const call = async (op: Operation, bearer?: string) => {
  const { path, init } = await probe(op);
  const headers = { ...(init.headers as Record<string, string>) };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(`${GATEWAY_URL}${path}`, { ...init, headers });
  await res.arrayBuffer();
  return res.status;
};

describe('authorization matrix', () => {
  it('covers every operation of the served document, each with an access rule', async () => {
    const doc = await served();
    const documented = Object.values(doc.paths).flatMap((item) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([, o]) => o.operationId),
    );
    const ruled = operations.filter((o) => o.permission in PERMISSIONS).map((o) => o.operationId);
    expect(documented.filter((id) => !ruled.includes(id))).toEqual([]);
    expect(ruled.filter((id) => !documented.includes(id))).toEqual([]);
    // The gateway also answers the documented path of each operation (no typo between the two).
    expect((await api('GET', '/api/v1/openapi.json')).status).toBe(200);
  });

  describe.each(operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
    '%s',
    (_name, op) => {
      it(`answers each principal as ${op.permission} says`, async () => {
        const got: Record<string, number> = { anonymous: await call(op) };
        const want: Record<string, string> = { anonymous: '401' };
        for (const p of PRINCIPALS) {
          got[p] = await call(op, await bearerOf(p));
          want[p] = allows(await rolesOf(p), op.permission) ? 'allowed' : '403';
        }
        const seen = Object.fromEntries(
          Object.entries(got).map(([p, status]) => [
            p,
            want[p] === 'allowed' && status !== 401 && status !== 403 && status < 500
              ? 'allowed'
              : String(status),
          ]),
        );
        // On failure the diff names each principal with the status it got instead.
        expect(seen).toEqual(want);
      });
    },
  );
});
