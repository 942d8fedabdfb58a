/** Unit tests of the benchmark's pure parts (statistics, tables, parsers); they never run a benchmark. */
module.exports = {
  displayName: 'bench',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  coverageDirectory: '../../coverage/tools/bench',
};
