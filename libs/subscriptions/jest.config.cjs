/** Unit tests (*.spec.ts) and, where present, integration tests (*.int-spec.ts) on the real local stack. */
module.exports = {
  displayName: 'subscriptions',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  coverageDirectory: '../../coverage/libs/subscriptions',
};
