/** Unit tests (*.spec.ts) and integration tests (*.int-spec.ts, the app booted against the local stack). */
module.exports = {
  displayName: 'firehose-archiver',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  // Brings the local stack up when it is not running and exports KAFKA_BROKERS, OPENSEARCH_URL, ... to the tests.
  globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
  coverageDirectory: '../../coverage/apps/firehose-archiver',
  // Integration tests wait for consumer group joins and broker round trips.
  testTimeout: 60_000,
  // p-retry (and its is-network-error) ship ES modules only, like trading-signals in the preset.
  transformIgnorePatterns: ['/node_modules/(?!(trading-signals|p-retry|is-network-error)/)'],
};
