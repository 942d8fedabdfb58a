import baseConfig from '../eslint.config.mjs';

// The task-environment agreement spec checks the synthesized task definitions against each app's own
// config schema (issue 16, item 3), so it alone imports the apps' service definitions and service-kit's
// config loader (and the provisioning run's config, apps/opensearch-indexer/src/provisioning); infra's code itself still depends on contracts and util libraries only. The checkov
// test's helper (src/testing) takes its Python virtual environment from @tickwire/testing, as the
// gateway's customer-tool tests do.
const [level, boundaries] = baseConfig.find((c) => c.rules?.['@nx/enforce-module-boundaries']).rules[
  '@nx/enforce-module-boundaries'
];

export default [
  ...baseConfig,
  {
    files: ['**/task-environment-agreement.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        level,
        {
          ...boundaries,
          allow: [
            ...boundaries.allow,
            '@tickwire/service-kit',
            '../../../apps/**/src/service-definition',
            '../../../apps/opensearch-indexer/src/provisioning/provisioning-config',
          ],
        },
      ],
    },
  },
  {
    files: ['**/src/testing/**/*.ts', '**/*.int-spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [level, { ...boundaries, allow: [...boundaries.allow, '@tickwire/testing'] }],
    },
  },
];
