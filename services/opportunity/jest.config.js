module.exports = {
  displayName: 'opportunity',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': '@swc/jest' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
};
