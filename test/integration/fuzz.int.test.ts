/**
 * Schemathesis generates requests from the served OpenAPI document (valid and invalid ones) and
 * checks every answer: never a 5xx, only documented statuses and media types, bodies matching their
 * schemas. Fixed seed and bounded examples, so a run is repeatable. It calls as rep2, a sales rep:
 * an admin would rewrite the assignment rules, scoring and pool settings the other tests rely on.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GATEWAY_URL, token } from './support';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

it('a schema-driven fuzzer finds no 5xx and no answer outside the document', async () => {
  const install = await run('bash', [join(root, 'gateway', 'scripts', 'install-schemathesis.sh')], {
    cwd: root,
  });
  const st = install.stdout.trim();
  const args = [
    'run',
    `${GATEWAY_URL}/api/v1/openapi.json`,
    '--url',
    GATEWAY_URL,
    '--header',
    `Authorization: Bearer ${await token('rep2')}`,
    '--checks',
    'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    '10',
    '--seed',
    '20261130',
    '--workers',
    '1',
    // Well under the gateway's per-IP limit of failed requests, which the other tests share.
    '--rate-limit',
    '1500/m',
    '--request-timeout',
    '30',
    '--generation-database',
    'none',
    '--no-color',
  ];
  // In a scratch directory: schemathesis keeps a cache (.schemathesis/) where it runs.
  const scratch = mkdtempSync(join(tmpdir(), 'fuzz-'));
  const result = await run(st, args, { cwd: scratch, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ exit: 0, output: r.stdout }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      exit: err.code ?? 1,
      output: `${err.stdout ?? ''}${err.stderr ?? ''}`,
    }),
  );
  rmSync(scratch, { recursive: true, force: true });
  // On failure the output names each failing operation with a curl line that reproduces it.
  expect(result.exit === 0 ? '' : result.output).toBe('');
}, 900_000);
