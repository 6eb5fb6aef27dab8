// Checks of the local tooling (the npm lock a fresh clone installs from, the lookups of the stack's database). A
// jest project of the root config, not an npm workspace.
module.exports = {
  displayName: 'local-stack',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': '@swc/jest' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
};
