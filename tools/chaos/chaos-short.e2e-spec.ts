import { resolveStackConfig } from '@tickwire/testing';
import { stackStatus } from '../stack/stack-runner';
import { SHORT_PROFILE } from './chaos-profile';
import { formatChaosMarkdown } from './chaos-report';
import { restoreStack, runChaos, type ChaosResult } from './chaos-run';

/**
 * The short fault-injection profile on the test run's stack (it resets the pipeline, kills the
 * enricher and the Kafka broker and stops S3Mock): every fault recovers, every invariant of issues 6
 * and 12 holds, and the stack is left with every server running and healthy.
 */
describe('chaos: short profile (GOOG day, enricher + broker SIGKILL, S3Mock stop, poison)', () => {
  let result: ChaosResult;

  beforeAll(async () => {
    const verbose = process.env['TICKWIRE_E2E_VERBOSE'];
    result = await runChaos(SHORT_PROFILE, { log: (line) => verbose && console.log(line) });
    console.log(formatChaosMarkdown(result));
  });

  // The run restores the stack itself; this covers a run cut short by the test timeout.
  afterAll(() => restoreStack(resolveStackConfig(), () => undefined));

  it('injects each fault of the profile and brings every component back', () => {
    const planned = result.faults.filter((f) => f.kind !== 'service-exit');
    expect(planned.map((f) => f.kind)).toEqual(SHORT_PROFILE.faults.map(({ fault }) => fault.kind));
    expect(result.faults.filter((f) => !f.recovered)).toEqual([]);
    expect(result.poisonRecords).toBeGreaterThan(0);
  });

  it('holds every invariant (issue 6, and issue 12: event-time order, no look-ahead)', () => {
    expect(result.invariants.length).toBeGreaterThanOrEqual(14);
    expect(result.invariants.filter((i) => !i.held)).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('leaves every stack server running and healthy', async () => {
    const rows = await stackStatus(resolveStackConfig());
    expect(rows.map((r) => ({ server: r.server, healthy: r.healthy }))).toEqual(rows.map((r) => ({ server: r.server, healthy: true })));
  });
});
