/**
 * Structural rules for the services' Dockerfiles, checked on the parsed file (dockerfile-ast, the
 * parser of the VS Code Docker language server), so CI enforces them without a Docker engine.
 */
import { Copy, DockerfileParser, type From, type Instruction } from 'dockerfile-ast';

/** What a service image must declare. */
export interface ServiceImageExpectations {
  /** Nx app name, e.g. `enricher`. */
  readonly app: string;
  /** HTTP port of health and metrics. */
  readonly port: number;
}

const args = (i: Instruction): string => i.getArgumentsContent() ?? '';

/** One build stage: its FROM and the instructions up to the next FROM. */
interface Stage {
  readonly from: From;
  readonly instructions: readonly Instruction[];
}

function stagesOf(instructions: readonly Instruction[], froms: readonly From[]): Stage[] {
  const stages: { from: From; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    const from = froms.find((f) => f === instruction);
    if (from) stages.push({ from, instructions: [] });
    else stages[stages.length - 1]?.instructions.push(instruction);
  }
  return stages;
}

/**
 * The Node.js major of the images: 24, the Active LTS line (Node 20 reached end of life in April 2026;
 * AWS SDK for JavaScript v3 releases from January 2027 need Node >= 22). `npm test` runs on the same
 * major (tools/scripts/test.mjs).
 */
export const NODE_MAJOR = '24';

/**
 * Violations of the house rules for a service Dockerfile:
 * - multi-stage: a `node:24` stage (the Node.js LTS line, {@link NODE_MAJOR}) named `build` that runs
 *   `npm ci` and `nx build <app>`, and a last (runtime) stage on a slim `node:24` image;
 * - the runtime stage installs production dependencies only (`npm ci --omit=dev`), copies the bundle
 *   from the build stage, runs as a non-root USER, EXPOSEs the port, and has a HEALTHCHECK on
 *   `/health/live` at that port and a CMD running `main.js`;
 * - no ADD from URLs and no secret-looking ENV.
 *
 * @returns human-readable violations; empty when the file follows every rule.
 */
export function dockerfileViolations(content: string, expected: ServiceImageExpectations): string[] {
  const violations: string[] = [];
  const dockerfile = DockerfileParser.parse(content);
  const stages = stagesOf(dockerfile.getInstructions(), dockerfile.getFROMs());
  const runtime = stages.at(-1);
  if (stages.length < 2 || !runtime) return ['must be multi-stage (a build and a runtime stage)'];
  const keyword = (stage: Stage, name: string): Instruction[] =>
    stage.instructions.filter((i) => i.getKeyword() === name);

  const build = stages.find((s) => s.from.getBuildStage() === 'build');
  if (!build) violations.push('needs a stage named "build"');
  else {
    if (build.from.getImageName() !== 'node' || !String(build.from.getImageTag()).startsWith(NODE_MAJOR)) {
      violations.push(`build stage must use a node:${NODE_MAJOR} image, not ${build.from.getImage()}`);
    }
    const runs = keyword(build, 'RUN').map(args);
    if (!runs.some((r) => /\bnpm ci\b/.test(r))) violations.push('build stage must install with npm ci');
    if (!runs.some((r) => new RegExp(`\\bnx build ${expected.app}\\b`).test(r)))
      violations.push(`build stage must run nx build ${expected.app}`);
  }

  if (
    runtime.from.getImageName() !== 'node' ||
    !new RegExp(`^${NODE_MAJOR}.*slim`).test(String(runtime.from.getImageTag()))
  ) {
    violations.push(`runtime stage must use a slim node:${NODE_MAJOR} image, not ${runtime.from.getImage()}`);
  }
  if (!keyword(runtime, 'RUN').some((i) => /\bnpm ci\b.*--omit=dev/.test(args(i)))) {
    violations.push('runtime stage must install production dependencies only (npm ci --omit=dev)');
  }
  const fromBuild = (i: Instruction): boolean =>
    i instanceof Copy && i.getFlags().some((f) => f.getName() === 'from' && f.getValue() === 'build');
  if (!keyword(runtime, 'COPY').some((i) => fromBuild(i) && args(i).includes(`dist/apps/${expected.app}/`))) {
    violations.push(`runtime stage must copy dist/apps/${expected.app} from the build stage`);
  }
  const lastUser = keyword(runtime, 'USER').at(-1);
  const user = lastUser ? args(lastUser) : undefined;
  if (!user || /^(root|0)(:|$)/.test(user)) violations.push('runtime stage must switch to a non-root USER');
  if (!keyword(runtime, 'EXPOSE').some((i) => args(i).split(/\s+/).includes(String(expected.port)))) {
    violations.push(`runtime stage must EXPOSE ${expected.port}`);
  }
  const [healthcheck, ...extraHealthchecks] = keyword(runtime, 'HEALTHCHECK');
  if (!healthcheck || extraHealthchecks.length > 0)
    violations.push('runtime stage needs exactly one HEALTHCHECK');
  else if (!args(healthcheck).includes(`:${expected.port}/health/live`)) {
    violations.push(`HEALTHCHECK must probe /health/live on port ${expected.port}`);
  }
  if (!keyword(runtime, 'CMD').some((i) => args(i).includes('main.js')))
    violations.push('runtime stage must run main.js');

  for (const instruction of dockerfile.getInstructions()) {
    const name = instruction.getKeyword();
    if (name === 'ADD' && /https?:\/\//.test(args(instruction)))
      violations.push('no ADD from URLs (unverified downloads)');
    if (
      (name === 'ENV' || name === 'ARG') &&
      /(SECRET|PASSWORD|TOKEN|PRIVATE_KEY)/i.test(args(instruction))
    ) {
      violations.push(`no secrets in ${name}: ${args(instruction)}`);
    }
  }
  return violations;
}
