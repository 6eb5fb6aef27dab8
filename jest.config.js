// Root jest config: `npm test` (deploy/local/test.sh) runs jest once from here.
//
// Projects, found when jest starts:
//  - every workspace folder (packages/*, services/*, gateway, console) that has its own jest.config.*, and
//    charts/crm (the Helm chart checks: a jest project, not an npm workspace) and deploy/local (the
//    npm lock check);
//  - test/integration (unless CRM_JEST_SKIP_INTEGRATION=1): its own jest.config.* when it has one,
//    otherwise a default config. It talks to the running test stack through GATEWAY_URL,
//    KEYCLOAK_URL, NATS_URL and MONGODB_URI (exported by test.sh).
const fs = require('node:fs');
const path = require('node:path');

const CONFIG_NAMES = ['jest.config.js', 'jest.config.cjs', 'jest.config.mjs', 'jest.config.ts'];
const hasConfig = (dir) => CONFIG_NAMES.some((n) => fs.existsSync(path.join(dir, n)));

const subdirs = (parent) => {
  const abs = path.join(__dirname, parent);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(abs, e.name))
    .sort();
};

const workspaces = [
  ...subdirs('packages'),
  ...subdirs('services'),
  path.join(__dirname, 'gateway'),
  path.join(__dirname, 'console'),
  path.join(__dirname, 'charts', 'crm'),
  path.join(__dirname, 'deploy', 'local'),
].filter((dir) => fs.existsSync(dir) && hasConfig(dir));

const projects = [...workspaces];

const integration = path.join(__dirname, 'test', 'integration');
if (process.env.CRM_JEST_SKIP_INTEGRATION !== '1' && fs.existsSync(integration)) {
  projects.push(
    hasConfig(integration)
      ? integration
      : {
          displayName: 'integration',
          rootDir: integration,
          testEnvironment: 'node',
          testMatch: ['<rootDir>/**/*.test.ts', '<rootDir>/**/*.test.js', '<rootDir>/**/*.test.mjs'],
          transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
          testTimeout: 60000,
        },
  );
}

// The console in headless chromium against the same stack (test/browser), also skipped without one.
const browser = path.join(__dirname, 'test', 'browser');
if (process.env.CRM_JEST_SKIP_INTEGRATION !== '1' && fs.existsSync(browser)) projects.push(browser);

/** @type {import('jest').Config} */
// Jest reads testTimeout from the root config only (a project's own is ignored): integration tests
// against the stack on a busy machine take longer than the default 5 s.
module.exports = { projects, testTimeout: 30_000 };
