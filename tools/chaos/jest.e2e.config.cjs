/**
 * The short fault-injection profile: the five services as processes on the local stack while the
 * broker and a sink server are killed and restarted. It resets the pipeline and kills servers, so
 * `npm test` runs it with the other end-to-end tests, one at a time, after every project's tests.
 */
module.exports = {
  displayName: 'chaos-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
  testTimeout: 600_000,
  coverageDirectory: '../../coverage/tools/chaos-e2e',
};
