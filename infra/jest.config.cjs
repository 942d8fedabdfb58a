/**
 * Synthesis tests of the CDKTF stacks: no AWS credentials, no Terraform binary, no provider download
 * (the prebuilt @cdktf/provider-aws bindings are plain npm code).
 */
module.exports = {
  displayName: 'infra',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/src/testing/setup-jest.ts'],
  coverageDirectory: '../coverage/infra',
  // Synthesizing the producer stack loads a few hundred provider classes: give it time on a busy machine.
  testTimeout: 60_000,
};
