import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The repository's ESLint config forbids writing to a model around VersionedWrites. ESLint loads its
 * (ESM) config by dynamic import, which jest's module sandbox refuses, so its Node API runs in a
 * child process over the real eslint.config.mjs.
 */
const root = join(__dirname, '../../..');

interface Finding {
  ruleId: string | null;
  severity: number;
  line: number;
}

function lint(cases: { filePath: string; code: string }[]): Finding[][] {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const c of cases) {
      const [r] = await eslint.lintText(c.code, { filePath: c.filePath });
      out.push(r.messages.map((m) => ({ ruleId: m.ruleId, severity: m.severity, line: m.line })));
    }
    console.log(JSON.stringify(out));`;
  const stdout = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(cases)],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return JSON.parse(stdout) as Finding[][];
}

const direct = `import type { Model } from 'mongoose';
export async function close(Lead: Model<unknown>, id: string, version: number) {
  await Lead.updateOne({ _id: id, version }, { $set: { status: 'closed' } });
  await Lead.findOneAndUpdate({ _id: id }, { $inc: { version: 1 } });
  await Lead.db.collection('leads').updateMany({}, { $set: { ownerId: 'x' } });
}
`;

const throughKit = `import type { Model } from 'mongoose';
import { VersionedWrites } from '@crm/kit';
export async function close(Lead: Model<unknown>, id: string, version: number) {
  const writes = new VersionedWrites(Lead);
  await writes.updateAtVersion(id, version, { $set: { status: 'closed' } });
  await writes.updateEach({ ownerId: 'a' }, { $set: { ownerId: 'b' } });
}
`;

it('flags direct updateOne/findOneAndUpdate/updateMany: errors in packages, services and the gateway, none in kit', () => {
  const [pkg, svc, kit, clean] = lint([
    { filePath: 'packages/ownership/src/close.ts', code: direct },
    { filePath: 'services/lead/src/store/close.ts', code: direct },
    { filePath: 'packages/kit/src/close.ts', code: direct },
    { filePath: 'packages/ownership/src/close.ts', code: throughKit },
  ]);
  const restricted = (f: Finding[]) => f.filter((m) => m.ruleId === 'no-restricted-syntax');
  expect(restricted(pkg!)).toEqual([
    { ruleId: 'no-restricted-syntax', severity: 2, line: 3 },
    { ruleId: 'no-restricted-syntax', severity: 2, line: 4 },
    { ruleId: 'no-restricted-syntax', severity: 2, line: 5 },
  ]);
  expect(restricted(svc!).map((m) => [m.line, m.severity])).toEqual([
    [3, 2],
    [4, 2],
    [5, 2],
  ]);
  expect(restricted(kit!)).toEqual([]);
  expect(clean).toEqual([]);
}, 30_000);
