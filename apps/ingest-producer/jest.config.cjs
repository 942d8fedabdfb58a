/** Unit tests (*.spec.ts) and integration tests (*.int-spec.ts, the app booted against the local stack). */
module.exports = {
  displayName: 'ingest-producer',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  // Brings the local stack up when it is not running and exports KAFKA_BROKERS, OPENSEARCH_URL, ... to the tests.
  globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
  coverageDirectory: '../../coverage/apps/ingest-producer',
  // Integration tests wait for consumer group joins and broker round trips.
  testTimeout: 60_000,
};
