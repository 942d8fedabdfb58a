import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { mavenFetch } from '../../stack/maven-fetch';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { STACK_VERSIONS } from '../../stack/stack-config';

/**
 * Kafka's own performance tools (what `kafka-producer-perf-test.sh` and `kafka-consumer-perf-test.sh`
 * run), fetched once from Maven Central into `<cacheDir>/kafka-tools-<version>/lib` at the broker's
 * version, and run with the `java` on the PATH.
 */

/** Result line of ProducerPerformance. Rates per second; latencies ms (send to acknowledgement). */
export interface ProducerPerfResult {
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  readonly avgLatencyMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

/**
 * Parses ProducerPerformance's final line, e.g. `100000 records sent, 34542.3 records/sec (9.88 MB/sec),
 * 709.59 ms avg latency, 950.00 ms max latency, 785 ms 50th, 910 ms 95th, 942 ms 99th, 949 ms 99.9th.`
 *
 * @throws Error when `output` holds no such line.
 */
export function parseProducerPerfOutput(output: string): ProducerPerfResult {
  const match =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/.exec(
      output,
    );
  if (!match) throw new Error(`no ProducerPerformance summary in:\n${output.slice(-2_000)}`);
  const [, records, rate, mb, avg, p50, p99, p999] = match.map(Number) as number[];
  return {
    records: records as number,
    recordsPerSecond: rate as number,
    mbPerSecond: mb as number,
    avgLatencyMs: avg as number,
    p50Ms: p50 as number,
    p99Ms: p99 as number,
    p999Ms: p999 as number,
  };
}

/** Figures of ConsumerPerformance. `fetch*` exclude the group join (rebalance) time. */
export interface ConsumerPerfResult {
  readonly records: number;
  readonly megabytes: number;
  readonly recordsPerSecond: number;
  readonly fetchRecordsPerSecond: number;
  readonly fetchMbPerSecond: number;
  readonly rebalanceMs: number;
}

/**
 * Parses ConsumerPerformance's CSV header and values line (`start.time, end.time, data.consumed.in.MB,
 * MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec`).
 *
 * @throws Error when the header or its values line is missing.
 */
export function parseConsumerPerfOutput(output: string): ConsumerPerfResult {
  const lines = output.split('\n').map((l) => l.trim());
  const headerIndex = lines.findIndex((l) => l.startsWith('start.time'));
  const header = lines[headerIndex]?.split(',').map((h) => h.trim());
  const values = lines[headerIndex + 1]?.split(',').map((v) => v.trim());
  if (headerIndex < 0 || !header || !values || values.length !== header.length) {
    throw new Error(`no ConsumerPerformance summary in:\n${output.slice(-2_000)}`);
  }
  const field = (name: string): number => {
    const value = Number(values[header.indexOf(name)]);
    if (!Number.isFinite(value))
      throw new Error(`ConsumerPerformance: no numeric ${name} in "${values.join(', ')}"`);
    return value;
  };
  return {
    records: field('data.consumed.in.nMsg'),
    megabytes: field('data.consumed.in.MB'),
    recordsPerSecond: field('nMsg.sec'),
    fetchRecordsPerSecond: field('fetch.nMsg.sec'),
    fetchMbPerSecond: field('fetch.MB.sec'),
    rebalanceMs: field('rebalance.time.ms'),
  };
}

/** Folder of the tools' classpath. */
export function kafkaToolsDir(cacheDir: string): string {
  return join(cacheDir, `kafka-tools-${STACK_VERSIONS.kafka}`, 'lib');
}

/**
 * Fetches the tools' classpath (Maven, first time only).
 *
 * @returns the classpath folder.
 * @throws StackError when Maven fails.
 */
export function ensureKafkaTools(cacheDir: string): Promise<string> {
  return mavenFetch({
    pom: resolve(__dirname, '..', 'poms', 'kafka-tools.pom.xml'),
    properties: { 'kafka.version': STACK_VERSIONS.kafka, 'slf4j.version': STACK_VERSIONS.slf4j },
    outputDir: kafkaToolsDir(cacheDir),
  });
}

/**
 * Runs `java -cp <lib>/* <mainClass> <args>` and resolves with its output.
 *
 * @throws Error with the output's tail when it exits non-zero.
 */
export function runKafkaTool(libDir: string, mainClass: string, args: readonly string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('java', ['-Xmx512m', '-cp', join(libDir, '*'), mainClass, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const append = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-32_000);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolveRun(output)
        : reject(new Error(`${mainClass} exited ${code}:\n${output.slice(-2_000)}`)),
    );
  });
}

/** Options of {@link producerPerfTest}: the same shape of load as the stage it is the baseline of. */
export interface ProducerPerfOptions {
  readonly brokers: string;
  readonly topic: string;
  readonly records: number;
  /** Bytes per record (the stage's mean record size). */
  readonly recordSize: number;
}

/** kafka-producer-perf-test at full speed with `acks=all` and idempotence, like Tickwire's producers. */
export async function producerPerfTest(
  libDir: string,
  options: ProducerPerfOptions,
): Promise<ProducerPerfResult> {
  const output = await runKafkaTool(libDir, 'org.apache.kafka.tools.ProducerPerformance', [
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--record-size',
    String(options.recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${options.brokers}`,
    'acks=all',
    'enable.idempotence=true',
  ]);
  return parseProducerPerfOutput(output);
}

/** kafka-consumer-perf-test reading `records` records of `topic` from the beginning (a fresh group). */
export async function consumerPerfTest(
  libDir: string,
  options: { brokers: string; topic: string; records: number; group: string },
): Promise<ConsumerPerfResult> {
  const output = await runKafkaTool(libDir, 'org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server',
    options.brokers,
    '--topic',
    options.topic,
    '--messages',
    String(options.records),
    '--group',
    options.group,
    '--timeout',
    '60000',
  ]);
  return parseConsumerPerfOutput(output);
}

/** Figures of Kafka's EndToEndLatency tool: one record at a time, produce -> consume, ms. */
export interface EndToEndLatencyResult {
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

/**
 * Parses EndToEndLatency's summary lines, e.g. `Avg latency: 6.4707 ms` and
 * `Percentiles: 50th = 3, 99th = 37, 99.9th = 97` (kafka-tools 4.1.2,
 * `org.apache.kafka.tools.EndToEndLatency`: milliseconds, whole numbers for the percentiles).
 *
 * @throws Error when `output` holds no such lines.
 */
export function parseEndToEndLatencyOutput(output: string): EndToEndLatencyResult {
  const avg = /Avg latency: ([\d.]+) ms/.exec(output);
  const percentiles = /Percentiles: 50th = ([\d.]+), 99th = ([\d.]+), 99\.9th = ([\d.]+)/.exec(output);
  if (!avg || !percentiles) throw new Error(`no EndToEndLatency summary in:\n${output.slice(-2_000)}`);
  return {
    avgMs: Number(avg[1]),
    p50Ms: Number(percentiles[1]),
    p99Ms: Number(percentiles[2]),
    p999Ms: Number(percentiles[3]),
  };
}

/** Options of {@link kafkaEndToEndLatency}. */
export interface EndToEndLatencyOptions {
  readonly brokers: string;
  /** A topic of its own (the tool creates it, one partition, and reads it from its end). */
  readonly topic: string;
  readonly records: number;
  readonly recordSize: number;
}

/**
 * Kafka's own end-to-end latency on this broker, the floor of one hop of the pipeline: the tool sends
 * one record with acks=all, waits until its consumer has it, and repeats (`kafka-e2e-latency.sh`,
 * `org.apache.kafka.tools.EndToEndLatency <brokers> <topic> <records> all <size>`).
 *
 * @throws Error when the tool fails or prints no summary.
 */
export async function kafkaEndToEndLatency(
  libDir: string,
  options: EndToEndLatencyOptions,
): Promise<EndToEndLatencyResult> {
  const output = await runKafkaTool(libDir, 'org.apache.kafka.tools.EndToEndLatency', [
    options.brokers,
    options.topic,
    String(options.records),
    'all',
    String(options.recordSize),
  ]);
  return parseEndToEndLatencyOutput(output);
}
