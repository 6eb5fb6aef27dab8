import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The rule that keeps domain code pure lives in the root eslint.config.mjs; this shows it bites. ESLint
// runs as the CLI (as `npm run lint` does): its flat config is ESM, which jest's VM cannot import.
const root = join(__dirname, '..', '..', '..');
const lint = (code: string, file: string): string[] => {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
      '--format',
      'json',
      '--stdin',
      '--stdin-filename',
      file,
    ],
    { cwd: root, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

describe('domain import rule', () => {
  it('refuses the kit barrel, mongoose and nice-grpc in src/domain', () => {
    const messages = lint(
      "import { Violations } from '@crm/kit';\nimport mongoose from 'mongoose';\nimport { Status } from 'nice-grpc';\nexport const x = [Violations, mongoose, Status];\n",
      'services/lead/src/domain/example.ts',
    );
    expect(messages).toHaveLength(3);
  });

  it('allows @crm/kit/domain in src/domain, and the kit barrel outside it', () => {
    const ok = "import { Violations } from '@crm/kit/domain';\nexport const x = Violations;\n";
    expect(lint(ok, 'services/lead/src/domain/example.ts')).toEqual([]);
    const barrel = "import { Violations } from '@crm/kit';\nexport const x = Violations;\n";
    expect(lint(barrel, 'services/lead/src/application/example.ts')).toEqual([]);
  });
});
