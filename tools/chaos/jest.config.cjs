/** Unit tests of the fault-injection suite's pieces (no servers needed). */
module.exports = {
  displayName: 'chaos',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  coverageDirectory: '../../coverage/tools/chaos',
};
