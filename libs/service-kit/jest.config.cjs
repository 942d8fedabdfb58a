/** Unit tests (*.spec.ts) and, where present, integration tests (*.int-spec.ts) on the real local stack. */
module.exports = {
  displayName: 'service-kit',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  // Brings the local stack up when it is not running and exports KAFKA_BROKERS, OPENSEARCH_URL, ... to the tests.
  globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
  coverageDirectory: '../../coverage/libs/service-kit',
  // Integration tests wait for consumer group joins and broker round trips.
  testTimeout: 60_000,
};
