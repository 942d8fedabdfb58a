import { parseBenchArgs } from './bench-cli-options';

describe('parseBenchArgs', () => {
  it('defaults to the full profile: 3 rounds, every stage group', () => {
    expect(parseBenchArgs([])).toEqual({
      profile: 'full',
      rounds: 3,
      stages: new Set(['catch-up', 'live']),
      cpuProf: false,
      outDir: 'bench/results',
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

  it('rejects unknown flags, stage groups and bad round counts', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument/);
    expect(() => parseBenchArgs(['--stages', 'gateway'])).toThrow(/unknown stage group/);
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(/1..10/);
    expect(() => parseBenchArgs(['--out'])).toThrow(/needs a value/);
  });
});
