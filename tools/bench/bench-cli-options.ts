/** What `npm run bench` was asked to do. */
export interface BenchCliOptions {
  readonly profile: 'quick' | 'full';
  /** Rounds of the catch-up stages (quick 1, full 3). */
  readonly rounds: number;
  /** Stage groups to run: `catch-up` (ingest, enricher, indexer, archiver), `live` (gateway, end to end). */
  readonly stages: ReadonlySet<'catch-up' | 'live'>;
  /** Write `--cpu-prof` profiles of the services under test to the stack folder. */
  readonly cpuProf: boolean;
  /** Folder of the results (default bench/results). */
  readonly outDir: string;
  /**
   * Only end-to-end steps at these input rates (events/s), at the enricher's default merge wait: no
   * rate search, no merge-wait pairs, no fan-out steps. For investigating one rate; absent = the profile's steps.
   */
  readonly e2eRates?: readonly number[];
  /** Measuring window of each live step, seconds (absent = the profile's: quick 8, full 15). */
  readonly windowSeconds?: number;
  /**
   * Run the services from their TypeScript sources through @swc-node/register (as `npm start` does)
   * instead of their production bundles (default: bundles, built first, as the container images run them).
   */
  readonly fromSource: boolean;
}

export const BENCH_USAGE = `npm run bench [-- --quick] [--rounds N] [--stages catch-up,live] [--cpu-prof] [--out DIR]
  --quick          development profile: 1 round, AAPL only, shorter live steps (~5 min)
  (default)        full profile: 3 rounds of every catch-up stage, all live steps (~20 min)
  --rounds N       catch-up rounds (the reported figure is the median)
  --stages LIST    only these stage groups: catch-up, live
  --cpu-prof       write V8 CPU profiles of the services under test to $TICKWIRE_STACK_DIR/bench-profiles
  --out DIR        folder for <date>.json and <date>.md (default bench/results)
  --e2e-rates LIST only end-to-end steps at these rates (events/s, e.g. 1000,10000): no search, pairs or fan-out
  --window-s N     measuring window of each live step in seconds (quick 8, full 15)
  --from-source    run the services from TypeScript (@swc-node/register, as npm start) instead of their production bundles`;

/**
 * Parses the command line of `npm run bench`.
 *
 * @throws Error naming an unknown flag or a bad value (the caller prints the usage).
 */
export function parseBenchArgs(argv: readonly string[]): BenchCliOptions {
  let profile: 'quick' | 'full' = 'full';
  let rounds: number | undefined;
  let stages = new Set<'catch-up' | 'live'>(['catch-up', 'live']);
  let cpuProf = false;
  let outDir = 'bench/results';
  let e2eRates: number[] | undefined;
  let windowSeconds: number | undefined;
  let fromSource = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      i += 1;
      return next;
    };
    if (arg === '--quick') profile = 'quick';
    else if (arg === '--full') profile = 'full';
    else if (arg === '--cpu-prof') cpuProf = true;
    else if (arg === '--from-source') fromSource = true;
    else if (arg === '--out') outDir = value();
    else if (arg === '--rounds') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 10) throw new Error('--rounds must be an integer 1..10');
      rounds = n;
    } else if (arg === '--stages') {
      const names = value().split(',');
      for (const name of names)
        if (name !== 'catch-up' && name !== 'live')
          throw new Error(`unknown stage group "${name}" (catch-up, live)`);
      stages = new Set(names as ('catch-up' | 'live')[]);
    } else if (arg === '--e2e-rates') {
      e2eRates = value()
        .split(',')
        .map((text) => {
          const rate = Number(text);
          if (!Number.isInteger(rate) || rate < 1 || rate > 100_000)
            throw new Error(`--e2e-rates: "${text}" is not an integer rate 1..100000 (events/s)`);
          return rate;
        });
    } else if (arg === '--window-s') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 600) throw new Error('--window-s must be an integer 1..600');
      windowSeconds = n;
    } else throw new Error(`unknown argument "${arg}"`);
  }
  return {
    profile,
    rounds: rounds ?? (profile === 'quick' ? 1 : 3),
    stages,
    cpuProf,
    outDir,
    fromSource,
    ...(e2eRates ? { e2eRates } : {}),
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
  };
}
