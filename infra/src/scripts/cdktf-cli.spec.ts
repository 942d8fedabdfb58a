import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialSource } from './cdktf-cli';

const INFRA = join(__dirname, '..', '..');
const TSX = join(INFRA, '..', 'node_modules', '.bin', 'tsx');

describe('credentialSource', () => {
  const emptyHome = mkdtempSync(join(tmpdir(), 'infra-home-'));

  it('finds none without variables or files, so diff/deploy stop before calling AWS', () => {
    expect(credentialSource({}, emptyHome)).toBeUndefined();
  });

  it('names the environment variable or the shared file it found', () => {
    expect(credentialSource({ AWS_PROFILE: 'producer' }, emptyHome)).toBe('environment (AWS_PROFILE)');
    const home = mkdtempSync(join(tmpdir(), 'infra-home-'));
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\n');
    expect(credentialSource({}, home)).toBe(join(home, '.aws', 'credentials'));
  });
});

describe('cdktf-cli.ts', () => {
  const out = mkdtempSync(join(tmpdir(), 'infra-synth-'));
  // A PATH with node and nothing else: no terraform, no cdktf CLI, no aws.
  const bin = mkdtempSync(join(tmpdir(), 'infra-bin-'));
  const env = { CDKTF_OUTDIR: out, PATH: bin, HOME: mkdtempSync(join(tmpdir(), 'infra-home-')) };
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [TSX, 'src/scripts/cdktf-cli.ts', ...args], {
      cwd: INFRA,
      env,
      encoding: 'utf8',
    });

  beforeAll(() => {
    symlinkSync(process.execPath, join(bin, 'node'));
    const synth = spawnSync(process.execPath, [TSX, 'src/main.ts'], { cwd: INFRA, env, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
  });

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  });

  it('asks for one stack by name (exit 2)', () => {
    const result = cli('diff');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('name one stack');
    expect(result.stderr).toContain('tickwire-producer-prod');
  });

  it('stops with what to install when terraform is missing (exit 3)', () => {
    const result = cli('deploy', 'tickwire-producer-prod');
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/terraform binary .* is not on PATH/);
  });

  it('prints the plan of a dry run without any tool or credential', () => {
    const result = cli('deploy', '--dry-run');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('cdktf deploy tickwire-producer-prod --skip-synth');
    expect(result.stdout).toContain('cdktf deploy tickwire-consumer-prod --skip-synth');
  });
});
