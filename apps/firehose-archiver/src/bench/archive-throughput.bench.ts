/**
 * Measures the archiving path (contract parse -> buffer -> gzip NDJSON objects -> PutObject with
 * retries) against the local S3Mock, on the real LOBSTER AAPL day (trades + quote changes), without
 * Kafka (which the bench must not pollute): records are fed like kafkajs batches of ~1 MiB, the
 * commit is a no-op. Uses its own bucket, deleted at the end.
 *
 *   SWC_NODE_PROJECT=apps/firehose-archiver/tsconfig.app.json \
 *     node -r @swc-node/register apps/firehose-archiver/src/bench/archive-throughput.bench.ts [bufferMiB...]
 */
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { createS3Client } from '@tickwire/aws';
import type { KafkaRecord } from '@tickwire/kafka';
import { LobsterReplaySource } from '@tickwire/market-sources';
import { ArchiveService } from '../archive/archive.service';
import { S3ArchiveStore } from '../archive/s3-archive-store';

const s3 = createS3Client({
  region: 'us-east-1',
  endpoint: process.env['S3_ENDPOINT'] ?? 'http://127.0.0.1:9090',
  credentials: { accessKeyId: 'tickwirelocal', secretAccessKey: 'tickwirelocal' },
});

async function records(): Promise<KafkaRecord[]> {
  const result: KafkaRecord[] = [];
  const offsets = new Map<string, number>();
  for await (const record of new LobsterReplaySource({ symbols: ['AAPL'], quotes: 'changes' })) {
    if (record.kind !== 'event') continue;
    const offset = offsets.get(record.topic) ?? 0;
    offsets.set(record.topic, offset + 1);
    result.push({
      topic: record.topic,
      partition: 0,
      offset: String(offset),
      key: null,
      value: Buffer.from(JSON.stringify(record.event)),
      headers: {},
      timestamp: Date.now(),
    });
  }
  return result;
}

async function run(input: KafkaRecord[], bufferMiB: number): Promise<void> {
  const bucket = `bench-archive-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  let objects = 0;
  let compressed = 0;
  const service = new ArchiveService(
    { sizeBytes: bufferMiB * 1_048_576, intervalMs: 300_000 },
    { dataPrefix: 'raw', errorPrefix: 'errors' },
    new S3ArchiveStore(s3, bucket),
    { commit: async () => undefined },
    {
      recordsArchived: () => undefined,
      errorRecordsArchived: () => undefined,
      objectUploaded: (_topic, _kind, bytes) => {
        objects += 1;
        compressed += bytes;
      },
      objectExisted: () => undefined,
      flushFailed: () => undefined,
    },
  );
  const byTopic = new Map<string, KafkaRecord[]>();
  for (const record of input) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
  const started = process.hrtime.bigint();
  await Promise.all(
    [...byTopic.entries()].map(async ([topic, list]) => {
      for (let start = 0; start < list.length;) {
        // ~1 MiB fetches, as kafkajs' maxBytesPerPartition.
        let end = start;
        for (let bytes = 0; end < list.length && bytes < 1_048_576; end += 1)
          bytes += list[end]?.value?.length ?? 0;
        const batch = list.slice(start, end);
        for (let next = 0; next < batch.length;) {
          next += await service.append(topic, 0, batch.slice(next));
          await service.flushIfDue(topic, 0);
        }
        start = end;
      }
    }),
  );
  await service.flushAll();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const megabytes = input.reduce((sum, record) => sum + (record.value?.length ?? 0), 0) / 1_048_576;
  console.log(
    `BUFFER_SIZE_MIB=${bufferMiB}: ${input.length} records (${megabytes.toFixed(1)} MB NDJSON) in ${seconds.toFixed(1)} s = ` +
      `${Math.round(input.length / seconds)} records/s, ${(megabytes / seconds).toFixed(1)} MB/s in, ${objects} objects, ${(compressed / 1_048_576).toFixed(1)} MB gzip`,
  );
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const keys = (listed.Contents ?? []).map(({ Key }) => ({ Key }));
  if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

async function main(): Promise<void> {
  const input = await records();
  const sizes = process.argv.slice(2).map(Number);
  for (const size of sizes.length > 0 ? sizes : [1, 5, 16]) await run(input, size);
  s3.destroy();
}

void main();
