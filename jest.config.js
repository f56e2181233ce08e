/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // the cluster suites need built programs and minutes each: `npm run test:cluster`
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  cacheDirectory: '<rootDir>/.cache/jest',
  globalSetup: '<rootDir>/test/global-setup.cjs',
  // the default is one worker on two cores; the suites wait on child processes much of the time
  maxWorkers: 2,
  // a guard against hangs, not a speed check: child processes take seconds each on a cold cache (fresh clone) and
  // minutes in all on a machine shared with other work
  testTimeout: 600_000,
};
