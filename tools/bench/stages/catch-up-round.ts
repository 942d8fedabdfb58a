import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { TOPICS } from '@tickwire/contracts';
import { createLocalKafka, createLocalOpenSearch, createLocalS3 } from '@tickwire/testing';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { ENRICHED_OUTPUT_TOPICS, type IngestStatus } from '../../main-job/pipeline-run';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { resetPipeline } from '../../main-job/pipeline-reset';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import {
  getJson,
  stopService,
  type RunningService,
  type ServiceName,
} from '../../main-job/service-processes';
import { catchUpRate, type CommitSample } from '../stats/catch-up-rate';
import { consumerPerfTest, producerPerfTest } from '../system/kafka-perf-tools';
import { peakRssMiB } from '../system/process-memory';
import { cpuProfileEnv, startTrackedService, type BenchContext } from './bench-context';
import { drainTopics, topicEnds, watchCatchUp, type BenchAdmin } from './kafka-backlog';
import { runRawPassthrough } from './raw-passthrough';

/** The raw topics a LOBSTER replay fills (trades and quotes; no daily bars). */
export const LOBSTER_TOPICS: readonly string[] = [TOPICS.trades, TOPICS.quotes];
const PASSTHROUGH_TOPIC = 'bench.passthrough.v1';
const PERF_TOPIC = 'bench.producer-perf.v1';
const RAW_PUT_BUCKET = 'bench-raw-puts';
/** Documents per `_bulk` request of the raw baseline: the indexer's default BULK_MAX_DOCS. */
const RAW_BULK_DOCS = 1_000;

/** A service's figure in one round. */
export interface ServiceFigure {
  /** events/s, docs/s or MB/s; null when the stage failed. */
  readonly rate: number | null;
  readonly peakRssMiB: number | null;
}

/** Every catch-up figure of one round (rates per second). */
export interface CatchUpRoundFigures {
  readonly records: number;
  readonly meanRecordBytes: number;
  readonly ingest: ServiceFigure;
  readonly producerPerf: number | null;
  readonly passthroughEos: number | null;
  readonly passthroughAlo: number | null;
  readonly consumerPerf: number | null;
  readonly enricher: ServiceFigure;
  readonly indexer: ServiceFigure;
  readonly indexedDocs: number;
  readonly rawBulk: number | null;
  /** The indexer again with KAFKA_PARTITIONS_CONCURRENCY=3 (same documents, emptied indices). */
  readonly indexerConcurrent: ServiceFigure;
  readonly archiver: ServiceFigure;
  readonly rawPut: number | null;
  readonly archiveObjects: number;
  readonly archiveCompressedMiB: number;
  readonly errors: readonly string[];
}

/** Options of {@link runCatchUpRound}. */
export interface CatchUpRoundOptions {
  /** LOBSTER symbols to replay (default all three: 283,581 trades and quotes). */
  readonly symbols?: readonly string[];
  /** Extra environment per service (e.g. a switch measured before/after). */
  readonly serviceEnv?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
}

/**
 * One round of the catch-up stages on a freshly reset pipeline, each service alone on the machine and
 * followed at once by its raw baseline on the same data:
 * 1. ingest-producer replays the LOBSTER day at full speed -> kafka-producer-perf-test with as many
 *    records of the same mean size (acks=all, idempotent);
 * 2. raw kafkajs passthrough of those raw topics, exactly-once then at-least-once ->
 *    kafka-consumer-perf-test on the quotes topic;
 * 3. the enricher (exactly-once) catches up on the raw topics;
 * 4. the opensearch-indexer catches up on the enricher's output -> raw `_bulk` of the same documents
 *    (after one unmeasured warm-up `_bulk` pass, so the OpenSearch JVM is warm for both)
 *    -> the indexer again with KAFKA_PARTITIONS_CONCURRENCY=3;
 * 5. the firehose-archiver catches up on the raw topics -> raw PutObject of the objects it wrote.
 * Services are timed by their committed offsets (see watchCatchUp), from first commit to the end.
 */
export async function runCatchUpRound(
  context: BenchContext,
  options: CatchUpRoundOptions = {},
): Promise<CatchUpRoundFigures> {
  const { stack, log } = context;
  const errors: string[] = [];
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (error) {
      const message = `${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      log(`  FAILED ${message}`);
      errors.push(message);
      return null;
    }
  };

  log('  reset: topics, indices, archive, symbol-state');
  await resetPipeline(stack.config, () => undefined);
  const kafka = createLocalKafka('tickwire-bench', stack.config);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await recreateTopics(admin, [PASSTHROUGH_TOPIC, PERF_TOPIC], stack.config.topicPartitions);

    // 1. ingest-producer
    const ingestEnv: Record<string, string> = {
      SOURCE: 'replay',
      REPLAY_DATASET: 'lobster',
      REPLAY_SPEED: 'max',
      LOG_LEVEL: 'warn',
    };
    if (options.symbols) ingestEnv['REPLAY_SYMBOLS'] = options.symbols.join(',');
    const ingest = await withService(
      context,
      'ingest-producer',
      { ...ingestEnv, ...options.serviceEnv?.['ingest-producer'] },
      async (service) => {
        const samples: CommitSample[] = [];
        const deadline = Date.now() + 600_000;
        for (;;) {
          const status = await getJson<IngestStatus>(service, '/v1/ingest/status');
          const published = Object.values(status.published).reduce((a, b) => a + b, 0);
          samples.push({ atMs: Date.now(), committed: published });
          if (status.state === 'completed')
            return { rate: catchUpRate(samples, 0, published)?.offsetsPerSecond ?? null, status };
          if (status.state === 'failed' || Date.now() > deadline)
            throw new Error(`replay ${status.state}: ${status.error ?? 'timeout'}`);
          await sleep(200);
        }
      },
    );
    const ends = await topicEnds(admin, LOBSTER_TOPICS);
    const records = ends.offsets;
    log(
      `  ingest-producer: ${fmt(ingest.value?.rate)} events/s (${records} records), peak RSS ${fmt(ingest.peakRssMiB)} MiB`,
    );

    // 2. raw passthrough (also measures the bytes) and Kafka's perf tools
    const bytes = await attempt('record sizes', async () =>
      (await drainTopics(kafka, admin, LOBSTER_TOPICS, { transactional: false })).reduce(
        (sum, r) => sum + r.value.length,
        0,
      ),
    );
    const meanRecordBytes = bytes ? Math.round(bytes / records) : 0;
    const producerPerf = await attempt(
      'kafka-producer-perf-test',
      async () =>
        (
          await producerPerfTest(context.kafkaToolsDir, {
            brokers: context.brokers,
            topic: PERF_TOPIC,
            records,
            recordSize: meanRecordBytes || 300,
          })
        ).recordsPerSecond,
    );
    log(`  kafka-producer-perf-test: ${fmt(producerPerf)} records/s of ${meanRecordBytes} B`);
    const passthrough = {
      inputTopics: LOBSTER_TOPICS,
      ends,
      outputTopic: PASSTHROUGH_TOPIC,
      partitionsConcurrency: 1,
      timeoutMs: 300_000,
    };
    const passthroughEos = await attempt(
      'raw passthrough eos',
      async () => (await runRawPassthrough(kafka, admin, { ...passthrough, mode: 'eos' })).offsetsPerSecond,
    );
    const passthroughAlo = await attempt(
      'raw passthrough alo',
      async () => (await runRawPassthrough(kafka, admin, { ...passthrough, mode: 'alo' })).offsetsPerSecond,
    );
    log(
      `  raw kafkajs passthrough: ${fmt(passthroughEos)} events/s exactly-once, ${fmt(passthroughAlo)} at-least-once`,
    );
    const quotes = (await topicEnds(admin, [TOPICS.quotes])).offsets;
    const consumerPerf = await attempt(
      'kafka-consumer-perf-test',
      async () =>
        (
          await consumerPerfTest(context.kafkaToolsDir, {
            brokers: context.brokers,
            topic: TOPICS.quotes,
            records: quotes,
            group: `bench-consumer-perf-${randomBytes(4).toString('hex')}`,
          })
        ).fetchRecordsPerSecond,
    );
    log(`  kafka-consumer-perf-test: ${fmt(consumerPerf)} records/s`);

    // 3. enricher
    const enricher = await withService(
      context,
      'enricher',
      { LOG_LEVEL: 'warn', ...options.serviceEnv?.enricher },
      async (service) =>
        (
          await watchCatchUp(admin, {
            groupId: 'enricher',
            topics: LOBSTER_TOPICS,
            ends,
            tolerance: 0,
            timeoutMs: 600_000,
            check: () => assertAlive(service),
          })
        ).offsetsPerSecond,
    );
    log(
      `  enricher (exactly-once): ${fmt(enricher.value)} events/s, peak RSS ${fmt(enricher.peakRssMiB)} MiB`,
    );

    // 4. opensearch-indexer (+ raw bulk)
    // The enricher's last bars close BAR_IDLE_FLUSH_MS after its input went idle: wait for its output to settle.
    await waitForQuietTopics(admin, ENRICHED_OUTPUT_TOPICS, 6_000);
    const enrichedEnds = await topicEnds(admin, ENRICHED_OUTPUT_TOPICS);
    const openSearch = createLocalOpenSearch(stack.config);
    // Warm-up, not measured: one raw `_bulk` pass of the same documents first, so that neither side of
    // the pair pays for a cold OpenSearch JVM (on a just-started stack round 1's indexer ran at about
    // half the ratio of rounds 2 and 3, as it was measured before its baseline).
    const drained = await attempt('raw bulk (drain)', () =>
      drainTopics(kafka, admin, ENRICHED_OUTPUT_TOPICS, { transactional: true }),
    );
    const bulkRecords = (drained ?? []).map((r) => ({ topic: r.topic, value: r.value }));
    if (drained) await attempt('raw bulk (warm-up)', () => rawBulkIndex(openSearch, bulkRecords));
    let indexedDocs = 0;
    const indexer = await withService(
      context,
      'opensearch-indexer',
      { LOG_LEVEL: 'warn', ...options.serviceEnv?.['opensearch-indexer'] },
      async (service) => {
        const rate = await watchCatchUp(admin, {
          groupId: 'opensearch-indexer',
          topics: ENRICHED_OUTPUT_TOPICS,
          ends: enrichedEnds,
          tolerance: 1,
          timeoutMs: 600_000,
          check: () => assertAlive(service),
        });
        await openSearch.indices.refresh({ index: 'market-*' });
        indexedDocs = Number((await openSearch.count({ index: 'market-*' })).body.count);
        // Offsets include one commit marker per enricher transaction: scale offsets to documents.
        return rate.offsetsPerSecond * (indexedDocs / enrichedEnds.offsets);
      },
    );
    log(
      `  opensearch-indexer: ${fmt(indexer.value)} docs/s (${indexedDocs} docs), peak RSS ${fmt(indexer.peakRssMiB)} MiB`,
    );
    const rawBulk = drained ? await attempt('raw bulk', () => rawBulkIndex(openSearch, bulkRecords)) : null;
    log(`  raw OpenSearch _bulk: ${fmt(rawBulk)} docs/s`);
    // The same catch-up with three partitions handled at once (KAFKA_PARTITIONS_CONCURRENCY, default 1),
    // into emptied indices under a new group: the indexer mostly waits for OpenSearch (CPU profile).
    await openSearch.indices.delete({ index: 'market-*', ignore_unavailable: true, allow_no_indices: true });
    const variantGroup = `bench-indexer-concurrency-3-${randomBytes(4).toString('hex')}`;
    const indexerConcurrent = await withService(
      context,
      'opensearch-indexer',
      { LOG_LEVEL: 'warn', KAFKA_CONSUMER_GROUP: variantGroup, KAFKA_PARTITIONS_CONCURRENCY: '3' },
      async (service) => {
        const rate = await watchCatchUp(admin, {
          groupId: variantGroup,
          topics: ENRICHED_OUTPUT_TOPICS,
          ends: enrichedEnds,
          tolerance: 1,
          timeoutMs: 600_000,
          check: () => assertAlive(service),
        });
        return rate.offsetsPerSecond * (indexedDocs / enrichedEnds.offsets);
      },
    );
    await admin.deleteGroups([variantGroup]).catch(() => undefined);
    log(`  opensearch-indexer, KAFKA_PARTITIONS_CONCURRENCY=3: ${fmt(indexerConcurrent.value)} docs/s`);
    await openSearch.close();

    // 5. firehose-archiver (+ raw PutObject)
    const archiver = await withService(
      context,
      'firehose-archiver',
      { LOG_LEVEL: 'warn', BUFFER_INTERVAL_SECONDS: '1', ...options.serviceEnv?.['firehose-archiver'] },
      async (service) => {
        const rate = await watchCatchUp(admin, {
          groupId: 'firehose-archiver',
          topics: LOBSTER_TOPICS,
          ends,
          tolerance: 0,
          timeoutMs: 600_000,
          check: () => assertAlive(service),
        });
        return bytes ? (rate.offsetsPerSecond * (bytes / records)) / 1_048_576 : null;
      },
    );
    log(
      `  firehose-archiver: ${fmt(archiver.value)} MB/s of records, peak RSS ${fmt(archiver.peakRssMiB)} MiB`,
    );
    const put = await attempt('raw PutObject', () => rawPutObjects(context, bytes ?? 0));
    log(`  raw S3 PutObject: ${fmt(put?.rate)} MB/s of records (${put?.objects ?? 0} objects)`);

    return {
      records,
      meanRecordBytes,
      ingest: { rate: ingest.value?.rate ?? null, peakRssMiB: ingest.peakRssMiB },
      producerPerf,
      passthroughEos,
      passthroughAlo,
      consumerPerf,
      enricher: { rate: enricher.value, peakRssMiB: enricher.peakRssMiB },
      indexer: { rate: indexer.value, peakRssMiB: indexer.peakRssMiB },
      indexedDocs,
      rawBulk,
      indexerConcurrent: { rate: indexerConcurrent.value, peakRssMiB: indexerConcurrent.peakRssMiB },
      archiver: { rate: archiver.value, peakRssMiB: archiver.peakRssMiB },
      rawPut: put?.rate ?? null,
      archiveObjects: put?.objects ?? 0,
      archiveCompressedMiB: put?.compressedMiB ?? 0,
      errors: [
        ...errors,
        ...[ingest, enricher, indexer, indexerConcurrent, archiver].flatMap((s) =>
          s.error ? [s.error] : [],
        ),
      ],
    };
  } finally {
    await admin.disconnect();
  }

  function fmt(value: number | null | undefined): string {
    return value === null || value === undefined
      ? '–'
      : value >= 100
        ? Math.round(value).toLocaleString('en-US')
        : value.toFixed(1);
  }
}

/** A service run for one stage: its result, its peak RSS read just before the stop, or the error. */
interface ServiceRun<T> {
  readonly value: T | null;
  readonly peakRssMiB: number | null;
  readonly error?: string;
}

/**
 * Starts `name` (as tools/main-job does), runs `measure`, reads the service's peak RSS and stops it.
 * A failure is returned (with the log's path), not thrown, so one stage cannot end the run.
 */
export async function withService<T>(
  context: BenchContext,
  name: ServiceName,
  env: Readonly<Record<string, string>>,
  measure: (service: RunningService) => Promise<T>,
): Promise<ServiceRun<T>> {
  let service: RunningService | undefined;
  try {
    service = await startTrackedService(name, {
      env: { ...context.stack.env, ...cpuProfileEnv(context.cpuProfileDir, name), ...env },
      logDir: context.logDir,
    });
    const value = await measure(service);
    return { value, peakRssMiB: peakRssMiB(service.child.pid) };
  } catch (error) {
    const message = `${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}${service ? ` (log ${service.logFile})` : ''}`;
    context.log(`  FAILED ${message}`);
    return { value: null, peakRssMiB: service ? peakRssMiB(service.child.pid) : null, error: message };
  } finally {
    if (service) await stopService(service);
  }
}

/** @throws Error when the service process has exited. */
export function assertAlive(service: RunningService): void {
  if (service.child.exitCode !== null || service.child.signalCode !== null) {
    throw new Error(
      `${service.name} exited (${service.child.exitCode ?? service.child.signalCode}); see ${service.logFile}`,
    );
  }
}

async function recreateTopics(
  admin: BenchAdmin,
  topics: readonly string[],
  partitions: number,
): Promise<void> {
  const existing = (await admin.listTopics()).filter((t) => topics.includes(t));
  if (existing.length) await admin.deleteTopics({ topics: existing, timeout: 30_000 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await admin.createTopics({
        topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
        waitForLeaders: true,
      });
      return;
    } catch (error) {
      // A just-deleted topic is briefly still being removed by the controller.
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** Waits until the end offsets of `topics` have not moved for `quietMs`. */
async function waitForQuietTopics(
  admin: BenchAdmin,
  topics: readonly string[],
  quietMs: number,
): Promise<void> {
  let last = -1;
  let since = Date.now();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { offsets } = await topicEnds(admin, topics);
    if (offsets !== last) {
      last = offsets;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await sleep(500);
  }
}

type OpenSearch = ReturnType<typeof createLocalOpenSearch>;

/**
 * The raw OpenSearch baseline: the same events as the indexer's documents (payload flattened next
 * to the envelope, as opensearch-indexer's search-document.ts does) with the same `_id`, `index`
 * actions, 1,000 documents per `_bulk`, one request at a time, into `market-<stream>-bench-raw`
 * (same index templates). Documents are serialised before the clock starts.
 *
 * @returns documents per second.
 * @throws Error when a bulk request reports item errors.
 */
async function rawBulkIndex(
  openSearch: OpenSearch,
  records: readonly { topic: string; value: Buffer }[],
): Promise<number> {
  const streamOf: Record<string, string> = {
    [TOPICS.enriched]: 'enriched',
    [TOPICS.bars1m]: 'bars-1m',
    [TOPICS.alerts]: 'alerts',
  };
  const lines = records.map(({ topic, value }) => {
    const { payload, ...envelope } = JSON.parse(value.toString('utf8')) as {
      id: string;
      schema: string;
      payload: Record<string, unknown>;
    } & Record<string, unknown>;
    const id =
      envelope.schema === 'market.bar.1m.v1'
        ? `${String(payload['symbol'])}:${String(payload['startTime'])}`
        : envelope.id;
    const document = {
      ...payload,
      id: envelope.id,
      schema: envelope.schema,
      eventTime: envelope['eventTime'],
      ingestTime: envelope['ingestTime'],
      source: envelope['source'],
    };
    return `${JSON.stringify({ index: { _index: `market-${streamOf[topic] ?? 'unknown'}-bench-raw`, _id: id } })}\n${JSON.stringify(document)}\n`;
  });
  const bodies: string[] = [];
  for (let i = 0; i < lines.length; i += RAW_BULK_DOCS)
    bodies.push(lines.slice(i, i + RAW_BULK_DOCS).join(''));
  const started = performance.now();
  for (const body of bodies) {
    // Pre-serialised NDJSON, sent as is (the client's typings list only the array form it would serialise).
    const response = await openSearch.bulk({
      body: body as unknown as Parameters<OpenSearch['bulk']>[0]['body'],
    });
    if (response.body.errors) throw new Error('raw bulk: item errors');
  }
  const seconds = (performance.now() - started) / 1_000;
  await openSearch.indices.delete({
    index: 'market-*-bench-raw',
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  return lines.length / seconds;
}

/**
 * The raw S3 baseline: GETs every object the archiver wrote (before the clock), then PUTs the same
 * bodies under the same keys into another bucket, one at a time like the archiver's flushes.
 *
 * @returns MB/s of uncompressed records (the archiver's unit: `recordBytes` over the PUT time), the
 *   object count and their compressed size.
 */
async function rawPutObjects(
  context: BenchContext,
  recordBytes: number,
): Promise<{ rate: number; objects: number; compressedMiB: number }> {
  const s3 = createLocalS3(context.stack.config);
  try {
    const bucket = context.stack.config.archiveBucket;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      token = page.NextContinuationToken;
    } while (token);
    const objects: { key: string; body: Uint8Array }[] = [];
    for (const key of keys) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      objects.push({
        key,
        body: await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      });
    }
    await s3.send(new CreateBucketCommand({ Bucket: RAW_PUT_BUCKET })).catch(() => undefined);
    const started = performance.now();
    for (const { key, body } of objects) {
      await s3.send(
        new PutObjectCommand({
          Bucket: RAW_PUT_BUCKET,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
        }),
      );
    }
    const seconds = (performance.now() - started) / 1_000;
    const compressed = objects.reduce((sum, o) => sum + o.body.length, 0);
    return {
      rate: recordBytes / 1_048_576 / seconds,
      objects: objects.length,
      compressedMiB: compressed / 1_048_576,
    };
  } finally {
    s3.destroy();
  }
}
