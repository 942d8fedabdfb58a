import { parseBenchArgs } from './bench-cli-options';

describe('parseBenchArgs', () => {
  it('defaults to the full profile: 3 rounds, every stage group', () => {
    expect(parseBenchArgs([])).toEqual({
      profile: 'full',
      rounds: 3,
      stages: new Set(['catch-up', 'live']),
      cpuProf: false,
      outDir: 'bench/results',
      fromSource: false,
    });
  });

  it('--quick is one round unless --rounds says otherwise', () => {
    expect(parseBenchArgs(['--quick']).rounds).toBe(1);
    expect(parseBenchArgs(['--quick', '--rounds', '2']).rounds).toBe(2);
  });

  it('reads stages, --cpu-prof and --out', () => {
    const options = parseBenchArgs(['--stages', 'live', '--cpu-prof', '--out', '/tmp/x']);
    expect([...options.stages]).toEqual(['live']);
    expect(options.cpuProf).toBe(true);
    expect(options.outDir).toBe('/tmp/x');
  });

  it('reads --e2e-rates and --window-s, absent by default', () => {
    const options = parseBenchArgs(['--e2e-rates', '1000,10000', '--window-s', '30']);
    expect(options.e2eRates).toEqual([1000, 10000]);
    expect(options.windowSeconds).toBe(30);
    expect(options.fromSource).toBe(false);
    expect(parseBenchArgs(['--from-source']).fromSource).toBe(true);
    expect(parseBenchArgs([]).e2eRates).toBeUndefined();
    expect(() => parseBenchArgs(['--e2e-rates', '1000,fast'])).toThrow(/"fast" is not an integer rate/);
    expect(() => parseBenchArgs(['--window-s', '0'])).toThrow(/1..600/);
  });

  it('rejects unknown flags, stage groups and bad round counts', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument/);
    expect(() => parseBenchArgs(['--stages', 'gateway'])).toThrow(/unknown stage group/);
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(/1..10/);
    expect(() => parseBenchArgs(['--out'])).toThrow(/needs a value/);
  });
});
