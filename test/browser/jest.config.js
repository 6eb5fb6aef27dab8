// Browser tests: the built console, served by the test stack's gateway, driven in Debian's chromium
// (deploy/local/install-browser.sh) by playwright-core. Screenshots go to .local/test/browser.
module.exports = {
  displayName: 'browser',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': '@swc/jest' },
  testMatch: ['<rootDir>/**/*.browser.test.ts'],
};
