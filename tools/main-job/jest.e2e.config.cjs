/**
 * End-to-end tests: the five services as real processes on the real local stack, replaying the real
 * market data. They reset the pipeline's topics, indices, bucket and tables, so `npm test` runs them
 * after every other project's tests, one at a time.
 */
module.exports = {
  displayName: 'main-job-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
  testTimeout: 900_000,
  coverageDirectory: '../../coverage/tools/main-job-e2e',
};
