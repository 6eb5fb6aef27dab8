// Unit tests of the console's pure logic (screens are covered by the browser tests in test/browser).
module.exports = {
  displayName: 'console',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': '@swc/jest' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
};
