/** Unit tests (*.spec.ts) and integration tests (*.int-spec.ts, the app booted against the local stack). */
module.exports = {
  displayName: 'enricher',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  coverageDirectory: '../../coverage/apps/enricher',
};
