import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

// The files npm reads to decide what a fresh clone installs: the root manifest, .npmrc, the lock
// and every workspace's package.json.
function manifests(): string[] {
  const root = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  const found = ['package.json', '.npmrc', 'package-lock.json'];
  for (const pattern of root.workspaces) {
    const dirs = pattern.endsWith('/*')
      ? fs
          .readdirSync(path.join(REPO, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => path.join(pattern.slice(0, -2), e.name))
      : [pattern];
    for (const dir of dirs) {
      if (fs.existsSync(path.join(REPO, dir, 'package.json'))) found.push(path.join(dir, 'package.json'));
    }
  }
  return found;
}

describe('package-lock.json', () => {
  let clone: string;

  beforeAll(() => {
    clone = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-lock-'));
    for (const file of manifests()) {
      fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      fs.copyFileSync(path.join(REPO, file), path.join(clone, file));
    }
  });

  afterAll(() => fs.rmSync(clone, { recursive: true, force: true }));

  it("is accepted by npm ci on a fresh clone, with every platform's optional binaries", () => {
    // Offline with an empty cache: npm decides from the lock alone. A lock that lacks another
    // platform's optional binaries (swc, turbo) is "out of sync" here, as on a fresh clone.
    const npm = spawnSync(
      'npm',
      ['ci', '--dry-run', '--ignore-scripts', '--offline', `--cache=${path.join(clone, '.npm-cache')}`],
      { cwd: clone, encoding: 'utf8' },
    );
    const complaint =
      npm.status === 0
        ? ''
        : npm.stderr
            .split('\n')
            .filter((l) => !/EBADENGINE/.test(l))
            .join('\n');
    expect(complaint).toBe('');
  });
});
