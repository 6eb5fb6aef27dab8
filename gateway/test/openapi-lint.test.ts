import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { customFields as pb } from '@crm/proto';
import { describeCustomFields } from '../src/custom-fields/openapi';
import { customFieldToJson } from '../src/custom-fields/mapping';
import { buildOpenApiDocument } from '../src/openapi';

const run = promisify(execFile);
const gateway = join(__dirname, '..');
const bin = (pkg: string, path: string) => join(dirname(require.resolve(`${pkg}/package.json`)), path);

// The document as served: the static operations plus a described custom field of each entity.
const field = (entity: string, type: pb.FieldType) =>
  customFieldToJson(
    pb.FieldDefinition.fromPartial({ entity, key: 'po_number', label: 'PO number', type, version: '1' }),
  );
const document = describeCustomFields(
  buildOpenApiDocument(),
  {
    lead: [field('lead', pb.FieldType.FIELD_TYPE_TEXT)],
    account: [field('account', pb.FieldType.FIELD_TYPE_DATE)],
    contact: [field('contact', pb.FieldType.FIELD_TYPE_MULTI_ENUM)],
  },
  [],
);

let dir = '';
let file = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a linter; returns its output whatever the exit code. */
async function lint(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, args, {
      cwd: gateway,
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: 'off',
        REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
        NO_COLOR: '1',
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? String(err);
  }
}

describe('the OpenAPI document', () => {
  it('passes spectral:oas with no warning, hint or error', async () => {
    const out = await lint([
      bin('@stoplight/spectral-cli', 'dist/index.js'),
      'lint',
      '--ruleset',
      join(gateway, '.spectral.yaml'),
      '--format',
      'json',
      '--quiet',
      file,
    ]);
    const results = JSON.parse(out) as { code: string; message: string; path: string[] }[];
    expect(results.map((r) => `${r.code}: ${r.message} at ${r.path.join('.')}`)).toEqual([]);
  }, 120_000);

  it('passes redocly lint (recommended) with no warning or error', async () => {
    const out = await lint([
      bin('@redocly/cli', 'bin/cli.js'),
      'lint',
      '--config',
      join(gateway, 'redocly.yaml'),
      '--format',
      'json',
      file,
    ]);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as {
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  }, 120_000);
});
