import { topSelfTime, type CpuProfile } from './cpu-profile-summary';

describe('topSelfTime', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      {
        id: 2,
        callFrame: {
          functionName: 'write',
          url: 'file:///work/main/apps/enricher/src/enrichment/symbol-state-writer.ts',
          lineNumber: 41,
        },
      },
      {
        id: 3,
        callFrame: {
          functionName: 'encode',
          url: 'file:///work/main/node_modules/kafkajs/src/protocol/encoder.js',
          lineNumber: 9,
        },
      },
      { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      {
        id: 5,
        callFrame: {
          functionName: 'encode',
          url: 'file:///work/main/node_modules/kafkajs/src/protocol/encoder.js',
          lineNumber: 9,
        },
      },
    ],
    samples: [2, 3, 2, 4, 5, 2],
    timeDeltas: [1_000, 1_000, 1_000, 4_000, 1_000, 2_000],
  };

  it('charges each sample to the frame on top and sums per function and line', () => {
    const hotspots = topSelfTime(profile, 3);
    expect(hotspots.map((h) => h.frame)).toEqual([
      'write (apps/enricher/src/enrichment/symbol-state-writer.ts:42)',
      '(idle)',
      'encode (kafkajs/src/protocol/encoder.js:10)',
    ]);
    expect(hotspots[0]?.selfMs).toBe(4);
    expect(hotspots[0]?.share).toBeCloseTo(0.4);
    expect(hotspots[2]?.selfMs).toBe(2);
  });
});
