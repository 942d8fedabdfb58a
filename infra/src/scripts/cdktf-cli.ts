/**
 * `nx run infra:diff|deploy -- <stack> [cdktf options]`: checks what a plan or an apply needs, then runs
 * `cdktf diff|deploy <stack> --skip-synth` on the output of `infra:synth`.
 *
 * Fails early, with what to do, when: no stack is named (each stack belongs to a different AWS
 * account, so one command never targets both), the Terraform binary or the cdktf CLI is missing, or no
 * AWS credential source is configured. Exit codes: 2 usage, 3 missing tool, 4 missing credentials,
 * otherwise cdktf's own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const COMMANDS = ['diff', 'deploy'] as const;
type Command = (typeof COMMANDS)[number];

/** Environment variables any one of which means the AWS SDK has a credential source. */
const CREDENTIAL_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
] as const;

function fail(code: number, message: string): never {
  process.stderr.write(`infra: ${message}\n`);
  process.exit(code);
}

/** True when `command --version`-style probe runs. */
function runs(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/** A credential source the AWS SDK and Terraform's AWS provider would find, or undefined. */
export function credentialSource(env: NodeJS.ProcessEnv, home: string): string | undefined {
  const variable = CREDENTIAL_ENV.find((name) => env[name]);
  if (variable) return `environment (${variable})`;
  for (const file of [
    env['AWS_SHARED_CREDENTIALS_FILE'] ?? join(home, '.aws', 'credentials'),
    env['AWS_CONFIG_FILE'] ?? join(home, '.aws', 'config'),
  ]) {
    if (existsSync(file)) return file;
  }
  return undefined;
}

const isCommand = (value: string | undefined): value is Command => COMMANDS.includes(value as Command);

function main(argv: string[]): void {
  // `nx affected -t deploy --dry-run` forwards --dry-run here too (per-service deploys share the target name).
  const dryRun = argv.some(
    (a) => a === '--dry-run' || a === '--dryRun' || a === '--dry-run=true' || a === '--dryRun=true',
  );
  const [command, stack, ...rest] = argv.filter((a) => !/^--dry-?[rR]un(=true)?$/.test(a));
  if (!isCommand(command))
    fail(2, `usage: cdktf-cli.ts <${COMMANDS.join('|')}> <stack> [cdktf options] [--dry-run]`);
  // Same override as src/main.ts, so both agree on where the synthesized stacks are.
  const outDir = join(process.env['CDKTF_OUTDIR'] ?? join(__dirname, '..', '..', 'cdktf.out'), 'stacks');
  const stacks = existsSync(outDir) ? readdirSync(outDir) : [];
  if (dryRun) {
    const targets = stack ? [stack] : stacks;
    process.stdout.write(
      `[dry-run] infra ${command}: synthesized ${stacks.join(', ')}; would run, each with its own account's credentials:\n` +
        targets.map((s) => `  cdktf ${command} ${s} --skip-synth ${rest.join(' ')}`.trimEnd()).join('\n') +
        '\n',
    );
    return;
  }
  if (!stack || !stacks.includes(stack)) {
    fail(
      2,
      `name one stack (each belongs to its own AWS account): ${stacks.join(', ') || 'run `nx run infra:synth` first'}\n` +
        `  e.g. npx nx run infra:${command} -- ${stacks[0] ?? 'tickwire-producer-prod'}`,
    );
  }
  if (!runs('terraform', ['version'])) {
    fail(
      3,
      'the terraform binary (>= 1.10) is not on PATH: install it from HashiCorp (or OpenTofu with TERRAFORM_BINARY_NAME=tofu)',
    );
  }
  const cdktf = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'cdktf');
  const cli = existsSync(cdktf) ? cdktf : 'cdktf';
  if (!runs(cli, ['--version'])) {
    fail(
      3,
      'the cdktf CLI is not installed: `npm install --global cdktf-cli@0.21` (see infra/README.md for the fork)',
    );
  }
  const source = credentialSource(process.env, homedir());
  if (!source) {
    fail(
      4,
      `no AWS credentials for ${stack}: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) for the account this stack deploys to`,
    );
  }
  process.stdout.write(`infra: ${command} ${stack} with AWS credentials from ${source}\n`);
  const result = spawnSync(cli, [command, stack, '--skip-synth', ...rest], {
    stdio: 'inherit',
    cwd: join(__dirname, '..', '..'),
  });
  process.exit(result.status ?? 1);
}

if (require.main === module) main(process.argv.slice(2));
