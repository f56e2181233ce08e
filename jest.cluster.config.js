/** @type {import('jest').Config} Cluster suites: a real control plane per suite, one suite at a time. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  cacheDirectory: '<rootDir>/.cache/jest-cluster',
  // the suites start etcd, kube-apiserver and controllers; two at once would starve a small machine
  maxWorkers: 1,
  testTimeout: 30 * 60_000,
};
