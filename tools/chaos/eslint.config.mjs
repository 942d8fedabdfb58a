import baseConfig from '../../eslint.config.mjs';

/**
 * The chaos suite drives the main job's pipeline (tools/main-job) and the stack launcher's per-server
 * control (tools/stack): tools built to run together, imported by path. Only those two folders are
 * allowed; every other boundary rule of the workspace holds.
 */
const CHAOS_ALLOWED_IMPORTS = ['../main-job/**', '../stack/**'];

export default baseConfig.map((entry) => {
  const rule = entry.rules?.['@nx/enforce-module-boundaries'];
  if (!Array.isArray(rule)) return entry;
  const [level, options] = rule;
  return {
    ...entry,
    rules: {
      ...entry.rules,
      '@nx/enforce-module-boundaries': [level, { ...options, allow: [...(options.allow ?? []), ...CHAOS_ALLOWED_IMPORTS] }],
    },
  };
});
