// The Helm chart's checks (helm lint/template, Kubernetes schemas, kube-score, the Dockerfile lint).
// A jest project of the root config, not an npm workspace; the tools come from
// deploy/local/install-chart-tools.sh (.cache/tools/bin).
module.exports = {
  displayName: 'chart',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': '@swc/jest' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 120000,
};
