import { loadServiceConfig } from '@tickwire/service-kit';
import type { SourceRecord } from '@tickwire/market-sources';
import { INGEST_PRODUCER } from '../service-definition';
import { createMarketSource } from './market-source-factory';

const configOf = (env: NodeJS.ProcessEnv) => loadServiceConfig(INGEST_PRODUCER.name, INGEST_PRODUCER.envSchema, env);

async function take(records: AsyncIterable<SourceRecord>, count: number): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of records) {
    out.push(record);
    if (out.length >= count) break;
  }
  return out;
}

describe('createMarketSource', () => {
  it('replays LOBSTER, then the daily bars, for REPLAY_DATASET=all', async () => {
    // AMZN trades only: 11,419 records (data/market/README.md), then the daily file begins.
    const { source, description } = createMarketSource(configOf({ REPLAY_DATASET: 'all', REPLAY_SPEED: 'max', REPLAY_SYMBOLS: 'AMZN', REPLAY_QUOTES: 'none' }));
    expect(description).toEqual({ source: 'replay', dataset: 'all', speed: 'max', finite: true });
    const records = await take(source, 11_419 + 3);
    const sources = records.map((record) => (record.kind === 'event' ? `${record.event.source} ${record.event.payload.symbol}` : 'rejected'));
    expect(new Set(sources.slice(0, 11_419))).toEqual(new Set(['lobster AMZN']));
    expect(sources.slice(11_419)).toEqual(['alphavantage-daily A', 'alphavantage-daily AAL', 'alphavantage-daily AAP']);
  });

  it('stops a replay at REPLAY_LIMIT', async () => {
    const { source } = createMarketSource(configOf({ REPLAY_DATASET: 'daily', REPLAY_SPEED: 'max', REPLAY_LIMIT: '5' }));
    expect(await take(source, 100)).toHaveLength(5);
  });

  it('paces a replay by REPLAY_SPEED and says so', () => {
    const { source, description } = createMarketSource(configOf({ REPLAY_SPEED: 'x10' }));
    expect(description.speed).toBe('x10');
    expect(source.name).toContain('@x10');
  });

  it('generates a finite synthetic stream when SYNTHETIC_LIMIT is set', async () => {
    const { source, description } = createMarketSource(
      configOf({ SOURCE: 'synthetic', SYNTHETIC_LIMIT: '50', SYNTHETIC_SYMBOLS: 'AAA,BBB', REPLAY_SPEED: 'max' }),
    );
    expect(description).toEqual({ source: 'synthetic', dataset: null, speed: 'max', finite: true });
    const records = await take(source, 1000);
    expect(records).toHaveLength(50);
    expect(new Set(records.map((record) => (record.kind === 'event' ? record.event.payload.symbol : '')))).toEqual(new Set(['AAA', 'BBB']));
    expect(createMarketSource(configOf({ SOURCE: 'synthetic' })).description.finite).toBe(false);
  });

  it('describes the live Alpaca source without dataset or speed, and opens nothing before iteration', async () => {
    const { source, description } = createMarketSource(configOf({ SOURCE: 'alpaca', ALPACA_KEY: 'k', ALPACA_SECRET: 's', ALPACA_URL: 'ws://127.0.0.1:9/v2/test' }));
    expect(description).toEqual({ source: 'alpaca', dataset: null, speed: null, finite: false });
    expect(source.name).toBe('alpaca');
    await source.close();
  });
});
