/** Unit tests (*.spec.ts) and, where present, integration tests (*.int-spec.ts) on the real local stack. */
module.exports = {
  displayName: 'customer-accounts',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  coverageDirectory: '../../coverage/libs/customer-accounts',
  // Integration tests run on the local stack (Kafka with its SCRAM listener, DynamoDB Local), brought up when not running.
  globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
  testTimeout: 120_000,
};
