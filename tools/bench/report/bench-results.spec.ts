import { pairedRatio, roundFigures } from './bench-results';

describe('roundFigures', () => {
  it('reports the median of the rounds that produced a figure', () => {
    expect(roundFigures([10, null, 30, 20, Number.NaN])).toEqual({ median: 20, rounds: [10, 30, 20] });
  });

  it('has a null median when every round failed', () => {
    expect(roundFigures([null, undefined])).toEqual({ median: null, rounds: [] });
  });
});

describe('pairedRatio', () => {
  it('is the median of the per-round ratios, not the ratio of the medians', () => {
    // ratios 0.5, 0.9, 0.6 -> 0.6; the ratio of medians would be 50/80 = 0.625
    expect(pairedRatio([50, 90, 30], [100, 100, 50])).toBeCloseTo(0.6);
  });

  it('skips rounds missing a side or with a zero baseline', () => {
    expect(pairedRatio([50, null, 10], [100, 100, 0])).toBeCloseTo(0.5);
    expect(pairedRatio([null], [100])).toBeNull();
  });
});
