import { catchUpRate } from './catch-up-rate';

describe('catchUpRate', () => {
  it('times from the first progress to the end, excluding the start-up before the first commit', () => {
    const samples = [
      { atMs: 0, committed: 0 },
      { atMs: 5_000, committed: 0 },
      { atMs: 5_250, committed: 1_000 },
      { atMs: 6_250, committed: 11_000 },
      { atMs: 6_500, committed: 12_000 },
    ];
    expect(catchUpRate(samples, 0, 12_000)).toEqual({
      offsetsPerSecond: 11_000 / 1.25,
      windowMs: 1_250,
      offsets: 11_000,
    });
  });

  it('is null when the end is not reached or only one sample shows progress', () => {
    expect(catchUpRate([{ atMs: 0, committed: 10 }], 0, 100)).toBeNull();
    expect(catchUpRate([{ atMs: 0, committed: 100 }], 0, 100)).toBeNull();
  });
});
