/**
 * Tests of the local Nx plugins: pure plan logic, Dockerfile structure (parsed, no Docker engine needed)
 * and the affected-deploy behaviour through the real Nx CLI.
 */
module.exports = {
  displayName: 'nx-plugins',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  coverageDirectory: '../../coverage/tools/nx-plugins',
  // The affected and synth checks spawn Nx and the CDKTF app: seconds each on a shared 2-core machine.
  testTimeout: 180_000,
};
