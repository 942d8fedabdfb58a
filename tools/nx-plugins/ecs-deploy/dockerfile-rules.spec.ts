import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerfileViolations } from './dockerfile-rules';

const WORKSPACE = join(__dirname, '..', '..', '..');
/** The services and their HTTP ports (workspace convention). */
const SERVICES = {
  'consumer-gateway': 8080,
  'ingest-producer': 8081,
  enricher: 8082,
  'opensearch-indexer': 8083,
  'firehose-archiver': 8084,
} as const;

describe('service Dockerfiles', () => {
  it.each(Object.entries(SERVICES))('apps/%s/Dockerfile follows the image rules', (app, port) => {
    const content = readFileSync(join(WORKSPACE, 'apps', app, 'Dockerfile'), 'utf8');
    expect(dockerfileViolations(content, { app, port })).toEqual([]);
  });

  it('keeps dependencies, build output, git history and secrets out of the build context', () => {
    const ignored = readFileSync(join(WORKSPACE, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', 'dist', '.nx', '**/.env']));
  });
});

describe('dockerfileViolations', () => {
  const good = readFileSync(join(WORKSPACE, 'apps', 'enricher', 'Dockerfile'), 'utf8');

  it('reports a single-stage image', () => {
    expect(
      dockerfileViolations('FROM node:24\nCMD ["node", "main.js"]\n', { app: 'enricher', port: 8082 }),
    ).toEqual(['must be multi-stage (a build and a runtime stage)']);
  });

  it('reports a root runtime, a wrong port, a full runtime image and a missing health check', () => {
    const bad = good
      .replace('USER node', 'USER root')
      .replace('FROM node:24-bookworm-slim AS runtime', 'FROM node:24-bookworm AS runtime')
      .replace(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, '');
    expect(dockerfileViolations(bad, { app: 'enricher', port: 9999 })).toEqual([
      'runtime stage must use a slim node:24 image, not node:24-bookworm',
      'runtime stage must switch to a non-root USER',
      'runtime stage must EXPOSE 9999',
      'runtime stage needs exactly one HEALTHCHECK',
    ]);
  });

  it('reports images on Node 20, past its end of life', () => {
    const old = good
      .replace('FROM node:24-bookworm AS build', 'FROM node:20-bookworm AS build')
      .replace('FROM node:24-bookworm-slim AS runtime', 'FROM node:20-bookworm-slim AS runtime');
    expect(dockerfileViolations(old, { app: 'enricher', port: 8082 })).toEqual([
      'build stage must use a node:24 image, not node:20-bookworm',
      'runtime stage must use a slim node:24 image, not node:20-bookworm-slim',
    ]);
  });

  it('reports a runtime that installs dev dependencies or builds another app', () => {
    const bad = good
      .replace('npm ci --omit=dev', 'npm ci')
      .replace('nx build enricher', 'nx build ingest-producer');
    expect(dockerfileViolations(bad, { app: 'enricher', port: 8082 })).toEqual([
      'build stage must run nx build enricher',
      'runtime stage must install production dependencies only (npm ci --omit=dev)',
    ]);
  });

  it('reports secrets baked into the image', () => {
    const bad = good.replace(
      'ENV NODE_ENV=production',
      'ENV KAFKA_SASL_PASSWORD=hunter2 NODE_ENV=production',
    );
    expect(dockerfileViolations(bad, { app: 'enricher', port: 8082 })).toEqual([
      expect.stringMatching(/^no secrets in ENV/),
    ]);
  });
});
