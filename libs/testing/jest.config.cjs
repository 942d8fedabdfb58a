/**
 * Unit tests (*.spec.ts) and integration tests (*.int-spec.ts) on the real local stack, which the
 * globalSetup brings up (and provisions) when it is not running.
 */
module.exports = {
  displayName: 'testing',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  coverageDirectory: '../../coverage/libs/testing',
  globalSetup: '<rootDir>/src/jest-global-setup.ts',
  // Integration tests wait for consumer group joins and index refreshes.
  testTimeout: 60_000,
};
