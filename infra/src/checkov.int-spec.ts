/**
 * Checkov passes on both synthesized stacks (issue 16, item 4): the pinned checkov from PyPI, in a
 * virtual environment this spec makes (see testing/checkov.ts), run with infra/.checkov.yaml on the
 * Terraform JSON that `npx nx run infra:synth` writes. A finding not skipped there fails the spec,
 * listed by check and resource.
 */
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isScalar, isSeq, parseDocument } from 'yaml';
import { PRODUCTION_CONSUMER, PRODUCTION_PRODUCER } from './config/environments';
import { ConsumerAccountStack } from './stacks/consumer-account-stack';
import { ProducerAccountStack } from './stacks/producer-account-stack';
import { CHECKOV_VERSION, type CheckovFinding, installCheckov, runCheckov } from './testing/checkov';

const CONFIG = join(__dirname, '..', '.checkov.yaml');
const STACKS = ['tickwire-producer-prod', 'tickwire-consumer-prod'] as const;

const listed = (findings: readonly CheckovFinding[]): string[] =>
  findings.map((f) => `${f.checkId} ${f.resource}: ${f.checkName}`).sort();

describe(`checkov ${CHECKOV_VERSION} on the synthesized stacks`, () => {
  let checkov: string;
  let out: string;

  beforeAll(async () => {
    // The first run downloads checkov and its dependencies from PyPI (~1-3 min); later runs reuse them.
    checkov = await installCheckov();
    out = mkdtempSync(join(tmpdir(), 'tickwire-checkov-'));
    // As src/main.ts synthesizes them for `npx nx run infra:synth`.
    const app = new App({ outdir: out });
    new ProducerAccountStack(app, STACKS[0], PRODUCTION_PRODUCER);
    new ConsumerAccountStack(app, STACKS[1], PRODUCTION_CONSUMER);
    app.synth();
  }, 600_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it.each(STACKS)('%s has no finding that .checkov.yaml does not skip', (stack) => {
    const report = runCheckov(checkov, join(out, 'stacks', stack), CONFIG);
    expect(listed(report.failed)).toEqual([]);
    // Guards against a run that checked nothing (a wrong path or framework also reports no failure).
    expect(report.passed).toBeGreaterThan(50);
  }, 300_000);

  it('reports a finding when there is one (an unencrypted SSM parameter)', () => {
    const dir = join(out, 'known-bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cdk.tf.json'),
      JSON.stringify({ resource: { aws_ssm_parameter: { plain: { name: '/t/p', type: 'String', value: 'x' } } } }),
    );
    expect(listed(runCheckov(checkov, dir, CONFIG).failed)).toEqual([
      'CKV2_AWS_34 aws_ssm_parameter.plain: AWS SSM Parameter should be Encrypted',
    ]);
  }, 300_000);
});

describe('.checkov.yaml', () => {
  it('gives every skipped check its reason, on its line', () => {
    const document = parseDocument(readFileSync(CONFIG, 'utf8'));
    const skips = document.get('skip-check');
    expect(isSeq(skips)).toBe(true);
    if (!isSeq(skips)) return;
    expect(skips.items.length).toBeGreaterThan(0);
    for (const item of skips.items) {
      expect(isScalar(item) ? { check: item.value, reason: item.comment?.trim() ?? '' } : item).toEqual({
        check: expect.stringMatching(/^CKV2?_[A-Z0-9]+_\d+$/),
        reason: expect.stringMatching(/\S.{19,}/),
      });
    }
  });
});
