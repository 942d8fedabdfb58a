/**
 * Local-stack helpers for integration tests: bring the stack up once per run (`ensureLocalStack`, or
 * the Jest `globalSetup` in jest-global-setup.ts), clients that point at it, and unique resource names.
 */
export * from './local-stack-config';
export * from './local-stack';
export * from './stack-clients';
export * from './unique-names';
export * from './bad-input-corpus';
export * from './polling';
export * from './child-processes';
export * from './compose-environment';
export * from './python-tool-venv';
