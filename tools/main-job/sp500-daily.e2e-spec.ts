import { TOPICS } from '@tickwire/contracts';
import { createLocalOpenSearch } from '@tickwire/testing';
import { PipelineRun, type PipelineTotals } from './pipeline-run';
import { reconciles, summaryRows } from './pipeline-summary';
import { readSp500Daily, type RawDailyRow } from './testing/raw-market-data';

/** Threshold of the enricher's default price-change alert, percent (ALERT_CHANGE_THRESHOLD_PERCENT). */
const THRESHOLD = 5;
/** Moves this close to the threshold are left out of the comparison (float noise, dividend treatment). */
const BORDER = 0.05;

interface ThresholdAlert {
  readonly id: string;
  readonly symbol: string;
  readonly direction: 'up' | 'down';
  readonly changePercent: number;
  readonly eventTime: number;
  readonly ingestTime: number;
}

const newYorkDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * A split coefficient that is a plain ratio p/q (q <= 20), as opposed to the data's spin-offs encoded as
 * fractional "splits" (RTX 1.589, ...) whose true value the data does not carry (data README, quirks).
 */
function isPlainSplit(coefficient: number): boolean {
  for (let q = 1; q <= 20; q++) if (Math.abs(coefficient * q - Math.round(coefficient * q)) < 1e-4 * q) return true;
  return false;
}

/**
 * The S&P 500 daily bars 2020-01-02..2021-04-21 through the pipeline: the enricher compares each
 * close with the previous close (split-adjusted on ex-dates) and alerts on moves of 5 % or more. The
 * test computes the moves itself from the raw file and compares.
 */
describe('npm start -- --once on the S&P 500 daily bars', () => {
  let run: PipelineRun;
  let totals: PipelineTotals;
  let alerts: ThresholdAlert[];
  let rows: RawDailyRow[];

  beforeAll(async () => {
    rows = await readSp500Daily();
    run = await PipelineRun.start({
      dataset: 'daily',
      speed: 'max',
      reset: true,
      serviceEnv: { 'firehose-archiver': { BUFFER_INTERVAL_SECONDS: '5' } },
    });
    await run.waitForIngest();
    await run.waitForSinks();
    totals = await run.totals();
    await run.stop();
    alerts = await readThresholdAlerts();
  });

  afterAll(async () => {
    await run?.stop();
  });

  it('ingests every well-formed row and dead-letters the 328 malformed ones, with counts that reconcile', () => {
    expect(rows).toHaveLength(164_982 - 328);
    expect(totals.ingest.published[TOPICS.barsDaily]).toBe(rows.length);
    expect(totals.sinks.dlq[`${TOPICS.barsDaily}.dlq`]).toBe(328);
    expect(reconciles(summaryRows(totals))).toBe(true);
  });

  it('alerts exactly on the moves of 5 % or more computed from the raw closes', () => {
    const bySymbol = new Map<string, RawDailyRow[]>();
    for (const row of rows) bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), row]);
    const expected = new Set<string>();
    const borderline = new Set<string>();
    for (const [symbol, series] of bySymbol) {
      series.sort((a, b) => a.date.localeCompare(b.date));
      for (let i = 1; i < series.length; i++) {
        const { date, close, split, dividend } = series[i]!;
        const key = `${symbol} ${date}`;
        if (!isPlainSplit(split)) {
          borderline.add(key); // spin-off coded as a split: no reliable previous close
          continue;
        }
        const previous = series[i - 1]!.close / split;
        const change = ((close - previous) / previous) * 100;
        const changeExDividend = ((close - (series[i - 1]!.close - dividend) / split) / ((series[i - 1]!.close - dividend) / split)) * 100;
        const near = (c: number) => Math.abs(Math.abs(c) - THRESHOLD) < BORDER;
        if (near(change) || near(changeExDividend) || Math.abs(change) >= THRESHOLD !== Math.abs(changeExDividend) >= THRESHOLD) {
          borderline.add(key);
        } else if (Math.abs(change) >= THRESHOLD) {
          expected.add(`${key} ${change > 0 ? 'up' : 'down'}`);
        }
      }
    }
    const actual = new Set(
      alerts
        .map((a) => `${a.symbol} ${newYorkDate.format(a.eventTime)} ${a.direction}`)
        .filter((key) => !borderline.has(key.split(' ').slice(0, 2).join(' '))),
    );
    // The first session of each symbol has no previous close in this file (for the symbols whose longer
    // history is loaded as reference data, the pipeline may alert on it): compare from the second on.
    const firstDates = new Set([...bySymbol].map(([symbol, series]) => `${symbol} ${series[0]!.date}`));
    const comparable = new Set([...actual].filter((key) => !firstDates.has(key.split(' ').slice(0, 2).join(' '))));
    expect(expected.size).toBeGreaterThan(1_000); // the Covid crash: many real moves
    expect([...expected].filter((k) => !comparable.has(k))).toEqual([]);
    expect([...comparable].filter((k) => !expected.has(k))).toEqual([]);
  });

  it('raises no false alert on split days (AAPL 4:1 and TSLA 5:1 on 2020-08-31)', () => {
    const on = (symbol: string, date: string) => alerts.filter((a) => a.symbol === symbol && newYorkDate.format(a.eventTime) === date);
    expect(on('AAPL', '2020-08-31')).toEqual([]); // +3.39 % after the 4:1 split, not -74 %
    expect(on('TSLA', '2020-08-31').map((a) => a.direction)).toEqual(['up']); // a real +12.57 % after the 5:1 split
    const splitDays = new Set(rows.filter((r) => r.split !== 1).map((r) => `${r.symbol} ${r.date}`));
    const onSplitDays = alerts.filter((a) => splitDays.has(`${a.symbol} ${newYorkDate.format(a.eventTime)}`));
    expect(onSplitDays.filter((a) => Math.abs(a.changePercent) > 40)).toEqual([]);
  });
});

/**
 * The same replay with no previous-close reference at all (`npm start -- --once --dataset daily
 * --reference-closes none`, i.e. the enricher's `REFERENCE_CLOSES=none`): every previous close comes from the
 * prior daily bar in the feed, corporate actions still from their reference (issue 13, item 5). Its
 * +/-5 % alerts must be those of the run above, document for document (only `ingestTime`, the replay's wall
 * clock, differs between runs). Runs after the block above: it resets the same topics and indices.
 */
describe('npm start -- --once --dataset daily --reference-closes none', () => {
  let withReference: ThresholdAlert[];
  let feedOnly: ThresholdAlert[];
  let feedOnlyTotals: PipelineTotals;
  let run: PipelineRun | undefined;

  beforeAll(async () => {
    withReference = await readThresholdAlerts();
    run = await PipelineRun.start({
      dataset: 'daily',
      speed: 'max',
      reset: true,
      serviceEnv: { enricher: { REFERENCE_CLOSES: 'none' }, 'firehose-archiver': { BUFFER_INTERVAL_SECONDS: '5' } },
    });
    await run.waitForIngest();
    await run.waitForSinks();
    feedOnlyTotals = await run.totals();
    await run.stop();
    feedOnly = await readThresholdAlerts();
  });

  afterAll(async () => {
    await run?.stop();
  });

  it('raises the same +/-5 % alerts as the run with the reference closes, payloads included', () => {
    expect(reconciles(summaryRows(feedOnlyTotals))).toBe(true);
    const comparable = (alerts: ThresholdAlert[]) =>
      alerts.map((alert) => ({ ...alert, ingestTime: 0 })).sort((a, b) => a.id.localeCompare(b.id));
    expect(withReference.length).toBeGreaterThan(13_000);
    expect(feedOnly.length).toBe(withReference.length);
    expect(comparable(feedOnly)).toEqual(comparable(withReference));
  });
});

/** Every price-change-threshold alert in OpenSearch, paged with search_after. */
async function readThresholdAlerts(): Promise<ThresholdAlert[]> {
  const client = createLocalOpenSearch();
  const result: ThresholdAlert[] = [];
  try {
    let after: unknown[] | undefined;
    for (;;) {
      const response = await client.search({
        index: 'market-alerts-*',
        body: {
          size: 5_000,
          query: { term: { alertType: 'price-change-threshold' } },
          sort: [{ id: 'asc' }],
          ...(after ? { search_after: after } : {}),
        },
      } as never);
      const hits = (response.body as { hits: { hits: { _source: ThresholdAlert; sort: unknown[] }[] } }).hits.hits;
      if (!hits.length) break;
      result.push(...hits.map((h) => h._source));
      after = hits[hits.length - 1]!.sort;
    }
  } finally {
    await client.close();
  }
  return result;
}
