/** Unit tests of the main job's pieces (no servers needed). */
module.exports = {
  displayName: 'main-job',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  coverageDirectory: '../../coverage/tools/main-job',
};
