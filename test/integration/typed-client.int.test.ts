/**
 * What an integrator does: generate TypeScript types from the served OpenAPI document
 * (openapi-typescript), write a client against them (openapi-fetch), let the compiler check it, and
 * run it. A document whose types do not fit the calls, or whose answers the client cannot read,
 * fails here.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GATEWAY_URL, RUN, token, uniqueEmail, userId } from './support';

const run = promisify(execFile);

// The client an integrator would write, checked by tsc against the generated `paths`.
const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './api';

export async function createAndRead(baseUrl: string, token: string, lastName: string, email: string) {
  const client = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });
  const created = await client.POST('/api/v1/leads', {
    params: { header: { 'Idempotency-Key': \`typed-\${email}\` } },
    body: { lastName, email, company: 'Typed Client Ltd', companySize: 40 },
  });
  if (!created.data) throw new Error(\`create: \${created.response.status} \${JSON.stringify(created.error)}\`);
  const id: string = created.data.id;
  const read = await client.GET('/api/v1/leads/{id}', { params: { path: { id } } });
  if (!read.data) throw new Error(\`read: \${read.response.status} \${JSON.stringify(read.error)}\`);
  const status: 'new' | 'working' | 'nurturing' | 'qualified' | 'disqualified' | 'converted' = read.data.status;
  const missing = await client.GET('/api/v1/leads/{id}', { params: { path: { id: 'no-such-lead' } } });
  return {
    created: created.data,
    read: read.data,
    status,
    etag: read.response.headers.get('etag'),
    missing: { status: missing.response.status, problem: missing.error },
  };
}
`;

// Under the repository's node_modules, so the generated client resolves openapi-fetch like a project would.
const root = join(__dirname, '..', '..');
let dir = '';

beforeAll(() => {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, 'typed-client-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a client generated from the OpenAPI document', () => {
  it('type-checks, creates a lead and reads it back', async () => {
    const res = await fetch(`${GATEWAY_URL}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    writeFileSync(join(dir, 'openapi.json'), await res.text());
    // The generator's command line, as an integrator runs it.
    const generator = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
    await run(process.execPath, [generator, join(dir, 'openapi.json'), '--output', join(dir, 'api.d.ts')]);
    writeFileSync(join(dir, 'client.ts'), CLIENT);

    const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
    const compile = await run(
      process.execPath,
      [
        tsc,
        '--strict',
        '--skipLibCheck',
        '--target',
        'es2022',
        '--module',
        'commonjs',
        '--moduleResolution',
        'node10',
        '--types',
        'node',
        '--outDir',
        join(dir, 'out'),
        join(dir, 'client.ts'),
      ],
      { cwd: root },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? String(err) }));
    expect(compile.stdout).toBe('');

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client = require(join(dir, 'out', 'client.js')) as {
      createAndRead(
        baseUrl: string,
        token: string,
        lastName: string,
        email: string,
      ): Promise<{
        created: Record<string, unknown>;
        read: Record<string, unknown>;
        status: string;
        etag: string | null;
        missing: { status: number; problem: Record<string, unknown> };
      }>;
    };
    const lastName = `Typed-${RUN}`;
    const email = uniqueEmail('typed-client');
    const out = await client.createAndRead(GATEWAY_URL, await token('rep1'), lastName, email);
    expect(out.created).toMatchObject({ lastName, email, status: 'new', version: 1 });
    expect(out.read).toMatchObject({ id: out.created.id, lastName, email, version: 1 });
    expect(out.read.ownerId).toBe(await userId('rep1'));
    expect(out.etag).toBe('"1"');
    expect(out.missing.status).toBe(404);
    expect(out.missing.problem).toMatchObject({ status: 404, title: 'Not Found' });
  }, 60_000);
});
