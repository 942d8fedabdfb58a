/**
 * Throughput of the market-data sources with `max` pacing, on the real data in data/market/:
 *
 *   npx nx run market-sources:bench        (node -r @swc-node/register, as the apps run)
 *
 * Prints records/s of wall time and per CPU-second (the second is steadier on a shared machine), and
 * the peak RSS and V8 heap (sampled every 20 ms), for: the full LOBSTER day (3 symbols merged), the S&P 500 daily file, the synthetic
 * generator, and Alpaca trades+quotes of the LOBSTER day through the local protocol server (loopback WS).
 */
import { cpus, loadavg } from 'node:os';
import { buildEvent } from '@tickwire/contracts';
import {
  AlpacaProtocolServer,
  AlpacaSource,
  DailyBarsReplaySource,
  LobsterReplaySource,
  SyntheticSource,
  type MarketDataSource,
  type SourceRecord,
} from '../src';

let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const { rss, heapUsed } = process.memoryUsage();
  peakRss = Math.max(peakRss, rss);
  peakHeap = Math.max(peakHeap, heapUsed);
}, 20);

async function measure(name: string, make: () => MarketDataSource | Promise<MarketDataSource>, limit = Number.POSITIVE_INFINITY): Promise<void> {
  const source = await make();
  peakRss = process.memoryUsage().rss;
  peakHeap = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let events = 0;
  let rejected = 0;
  for await (const record of source) {
    if (record.kind === 'event') events++;
    else rejected++;
    if (events + rejected >= limit) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const n = events + rejected;
  console.log(
    `${name.padEnd(34)} ${String(n).padStart(8)} records (${rejected} rejected) in ${seconds.toFixed(2)} s: ` +
      `${Math.round(n / seconds).toLocaleString('en-US')} rec/s wall, ${Math.round(n / cpuSeconds).toLocaleString('en-US')} rec/CPU-s, peak RSS ${Math.round(peakRss / 2 ** 20)} MiB, peak heap ${Math.round(peakHeap / 2 ** 20)} MiB`,
  );
}

/**
 * The floor under the LOBSTER replay: `buildEvent` (zod parse + SHA-256 id) alone, re-building the AAPL
 * day's events from already-built inputs held in memory (no gunzip, no CSV, no merge).
 */
async function measureContractOnly(): Promise<void> {
  const inputs: SourceRecord[] = [];
  for await (const record of new LobsterReplaySource({ symbols: ['AAPL'] })) inputs.push(record);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const record of inputs) {
    if (record.kind !== 'event') continue;
    const { schema, id: _id, ...input } = record.event;
    void _id;
    buildEvent(schema, input as never);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const n = inputs.length;
  console.log(
    `${'buildEvent only, AAPL day'.padEnd(34)} ${String(n).padStart(8)} records in ${seconds.toFixed(2)} s: ` +
      `${Math.round(n / seconds).toLocaleString('en-US')} rec/s wall, ${Math.round(n / ((cpu.user + cpu.system) / 1e6)).toLocaleString('en-US')} rec/CPU-s`,
  );
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await measure('LOBSTER day, trades + all quotes', () => new LobsterReplaySource());
  await measure('LOBSTER day, quotes: changes', () => new LobsterReplaySource({ quotes: 'changes' }));
  await measureContractOnly();
  await measure('daily bars, S&P 500 file', () => new DailyBarsReplaySource());
  await measure('synthetic, 100 symbols', () => new SyntheticSource({ seed: 1, symbols: 100 }), 300_000);
  const server = new AlpacaProtocolServer({ credentials: { keyId: 'bench', secretKey: 'bench' } });
  await server.start();
  await measure('Alpaca loopback, LOBSTER t + q', () => new AlpacaSource({ url: server.url, credentials: { keyId: 'bench', secretKey: 'bench' }, subscription: { trades: ['*'], quotes: ['*'] } }), 100_000);
  await server.close();
  clearInterval(sampler);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
