/** Unit tests (*.spec.ts) and, where present, integration tests (*.int-spec.ts) on the real local stack. */
module.exports = {
  displayName: 'reference-data',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  // Brings the local stack up when it is not running and exports DYNAMODB_ENDPOINT, ... to the tests.
  globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
  coverageDirectory: '../../coverage/libs/reference-data',
};
