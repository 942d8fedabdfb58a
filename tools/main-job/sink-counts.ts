import { readTopicsAs } from './topic-reader';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ALL_TOPICS, dlqTopic, LATE_TOPICS, lateTopic, type TopicName } from '@tickwire/contracts';
import {
  ARCHIVE_DATA_PREFIX,
  ARCHIVE_ERROR_PREFIX,
  indexPrefix,
  type SearchStream,
} from '@tickwire/resources';
import { createLocalKafka, createLocalOpenSearch, createLocalS3, type StackConfig } from '@tickwire/testing';
import { gunzipSync } from 'node:zlib';

/** What the sinks hold after a run, counted at the sinks themselves (not from the services' metrics). */
export interface SinkCounts {
  /** Documents per search stream in OpenSearch (`market-<stream>-*`). */
  readonly indexed: Readonly<Record<SearchStream, number>>;
  /** Archive objects and NDJSON records per topic under the data prefix; records under the error prefix. */
  readonly archive: {
    readonly objects: number;
    readonly records: Readonly<Record<string, number>>;
    readonly errorRecords: number;
  };
  /** Records per `.dlq` topic (read_committed: transaction markers are not records). */
  readonly dlq: Readonly<Record<string, number>>;
  /** Records per `.late` topic. */
  readonly late: Readonly<Record<string, number>>;
}

/**
 * Counts what reached OpenSearch, S3 and the dead-letter/late topics, to reconcile with what was
 * ingested. Archive objects are downloaded and their gzip NDJSON lines counted.
 *
 * @throws Error when a server does not answer.
 */
export async function countSinks(config: StackConfig): Promise<SinkCounts> {
  const [indexed, archive, topicCounts] = await Promise.all([
    countIndexed(config),
    countArchive(config),
    countSideTopics(config),
  ]);
  return { indexed, archive, ...topicCounts };
}

async function countIndexed(config: StackConfig): Promise<Record<SearchStream, number>> {
  const client = createLocalOpenSearch(config);
  try {
    const result = {} as Record<SearchStream, number>;
    for (const stream of ['enriched', 'bars-1m', 'alerts'] as const) {
      const index = `${indexPrefix(stream)}*`;
      await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
      const response = await client.count({ index, ignore_unavailable: true, allow_no_indices: true });
      result[stream] = Number(response.body.count);
    }
    return result;
  } finally {
    await client.close();
  }
}

async function countArchive(config: StackConfig): Promise<SinkCounts['archive']> {
  const records: Record<string, number> = {};
  let objects = 0;
  let errorRecords = 0;
  await forEachArchiveObject(config, (key, lines) => {
    if (key.startsWith(`${ARCHIVE_ERROR_PREFIX}/`)) {
      errorRecords += lines.length;
    } else if (key.startsWith(`${ARCHIVE_DATA_PREFIX}/`)) {
      const topic = key.split('/')[1] ?? 'unknown';
      records[topic] = (records[topic] ?? 0) + lines.length;
      objects += 1;
    }
  });
  return { objects, records, errorRecords };
}

/**
 * Downloads every object of the stack's archive bucket (gzip NDJSON) and hands `visit` its key and its
 * non-empty lines, one object at a time.
 *
 * @throws Error when an object has no body; S3 client errors as they come.
 */
export async function forEachArchiveObject(
  config: StackConfig,
  visit: (key: string, lines: readonly string[]) => void,
): Promise<void> {
  const s3 = createLocalS3(config);
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: config.archiveBucket, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        const body = await s3.send(new GetObjectCommand({ Bucket: config.archiveBucket, Key: object.Key }));
        if (!body.Body) throw new Error(`s3://${config.archiveBucket}/${object.Key} has no body`);
        const text = gunzipSync(Buffer.from(await body.Body.transformToByteArray())).toString('utf8');
        visit(
          object.Key,
          text.split('\n').filter((line) => line.length > 0),
        );
      }
      token = page.NextContinuationToken;
    } while (token);
  } finally {
    s3.destroy();
  }
}

async function countSideTopics(config: StackConfig): Promise<Pick<SinkCounts, 'dlq' | 'late'>> {
  const kafka = createLocalKafka('tickwire-main-job-counts', config);
  const admin = kafka.admin();
  await admin.connect();
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
  // Records, not offsets: the enricher writes its dead letters and late records inside its
  // transactions, whose commit markers take offsets too (read_committed skips them).
  const topics = [
    ...ALL_TOPICS.map((topic) => dlqTopic(topic)),
    ...(LATE_TOPICS as readonly TopicName[]).map((topic) => lateTopic(topic)),
  ];
  const read = await readTopicsAs(
    kafka,
    topics.filter((topic) => existing.has(topic)),
    () => 1,
  );
  const count = (topic: string): number => read.get(topic)?.length ?? 0;
  const dlq: Record<string, number> = {};
  for (const topic of ALL_TOPICS) dlq[dlqTopic(topic)] = count(dlqTopic(topic));
  const late: Record<string, number> = {};
  for (const topic of LATE_TOPICS as readonly TopicName[]) late[lateTopic(topic)] = count(lateTopic(topic));
  return { dlq, late };
}
