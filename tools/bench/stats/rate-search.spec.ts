import { nextProbeRate } from './rate-search';

describe('nextProbeRate', () => {
  it('bisects between the highest passing and the lowest failing rate', () => {
    const points = [
      { rate: 1_000, p99: 12 },
      { rate: 10_000, p99: 40 },
      { rate: 50_000, p99: 900 },
    ];
    expect(nextProbeRate(points, 50)).toBe(30_000);
    expect(nextProbeRate([...points, { rate: 30_000, p99: 70 }], 50)).toBe(20_000);
    expect(nextProbeRate([...points, { rate: 30_000, p99: 45 }], 50)).toBe(40_000);
  });

  it('halves the lowest rate when none passes, and treats no delivery as a failure', () => {
    expect(
      nextProbeRate(
        [
          { rate: 1_000, p99: 80 },
          { rate: 10_000, p99: null },
        ],
        50,
      ),
    ).toBe(500);
  });

  it('stops when every rate passed or the bracket is narrow', () => {
    expect(nextProbeRate([{ rate: 50_000, p99: 10 }], 50)).toBeNull();
    expect(
      nextProbeRate(
        [
          { rate: 10_000, p99: 10 },
          { rate: 10_500, p99: 60 },
        ],
        50,
      ),
    ).toBeNull();
    expect(
      nextProbeRate(
        [
          { rate: 20_000, p99: 10 },
          { rate: 21_500, p99: 60 },
        ],
        50,
      ),
    ).toBeNull();
  });
});
