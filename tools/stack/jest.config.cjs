/**
 * Unit tests of the local-stack launcher (config, port probe, server config, provisioning mapping,
 * docker-compose.yml agreement). They need no running server.
 */
module.exports = {
  displayName: 'stack',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  coverageDirectory: '../../coverage/tools/stack',
};
