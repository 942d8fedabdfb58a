// Shared Jest settings for every project: SWC transform (with decorator metadata, which NestJS DI
// needs) and Nx's resolver, which maps the tsconfig.base.json path aliases (@tickwire/*).
const nxPreset = require('@nx/jest/preset').default;
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json', 'mjs'],
  // trading-signals ships ES modules only; Jest (CommonJS) must transform it.
  transform: {
    '^.+\\.[tj]s$': ['@swc/jest', { ...swcrc, swcrc: false }],
    '^.+\\.mjs$': ['@swc/jest', { ...swcrc, swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!trading-signals/)'],
  coverageReporters: ['text-summary'],
  reporters: ['default', [join(__dirname, 'tools/jest/summary-reporter.cjs'), {}]],
};
