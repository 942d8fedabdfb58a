/**
 * End-to-end test of the deployable bundles: each app's production build installed and started as its
 * image's runtime stage does, against the real local stack. `npm test` runs e2e targets after every
 * other project's tests, one at a time.
 */
module.exports = {
  displayName: 'nx-plugins-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
  testTimeout: 600_000,
  coverageDirectory: '../../coverage/tools/nx-plugins-e2e',
};
