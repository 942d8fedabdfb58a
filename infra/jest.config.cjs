/**
 * Synthesis tests of the CDKTF stacks (*.spec.ts): no AWS credentials, no Terraform binary, no provider
 * download (the prebuilt @cdktf/provider-aws bindings are plain npm code). Integration tests
 * (*.int-spec.ts) run a real external tool on the synthesized JSON: checkov, installed from PyPI into a
 * virtual environment on first use (needs python3 and the network once). No local stack.
 */
module.exports = {
  displayName: 'infra',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/src/testing/setup-jest.ts'],
  coverageDirectory: '../coverage/infra',
  // Synthesizing the producer stack loads a few hundred provider classes: give it time on a busy machine.
  testTimeout: 60_000,
};
