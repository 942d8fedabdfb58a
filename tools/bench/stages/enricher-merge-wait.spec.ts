import { defaultMergeWaitMs, mergeWaitLabel } from './enricher-merge-wait';

describe('defaultMergeWaitMs', () => {
  // 100 ms is also what the README's bench section and enricher-env.ts say: change them together.
  it("reads the enricher's default ENRICHER_MAX_TASK_IDLE_MS from its env schema", () => {
    expect(defaultMergeWaitMs()).toBe(100);
  });
});

describe('mergeWaitLabel', () => {
  it('names the wait in ms, and 0 without a unit', () => {
    expect(mergeWaitLabel(100)).toBe('merge wait 100 ms');
    expect(mergeWaitLabel(1_500)).toBe('merge wait 1,500 ms');
    expect(mergeWaitLabel(0)).toBe('merge wait 0');
  });
});
