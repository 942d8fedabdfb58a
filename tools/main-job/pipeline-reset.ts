import { BatchWriteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ENRICHER_STATE_CHANGELOG_TOPIC, indexPrefix, kafkaTopicSpecs, SEARCH_STREAMS, SYMBOL_STATE_TABLE } from '@tickwire/resources';
import { createLocalDynamoDb, createLocalKafka, createLocalOpenSearch, createLocalS3, type StackConfig } from '@tickwire/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { runRepoTool } from './service-processes';

/**
 * Returns the pipeline to a clean slate so a replay's numbers reconcile: deletes every Tickwire topic
 * (streams, `.dlq`, `.late`, internal) with the consumer groups' offsets on them, the `market-*`
 * OpenSearch indices, every object in the archive bucket and every `symbol-state` item, then
 * provisions again. Reference data (`reference-daily-bars`) is kept: it is input, not output.
 *
 * Only for the local stack: it deletes data.
 *
 * @throws Error when a server refuses a deletion or topics cannot be recreated within 60 s.
 */
export async function resetPipeline(config: StackConfig, log: (line: string) => void = () => undefined): Promise<void> {
  const kafka = createLocalKafka('tickwire-main-job-reset', config);
  const admin = kafka.admin();
  await admin.connect();
  try {
    // The enricher's state changelog too: its state must start empty with the topics it was built from.
    const ours = new Set([...kafkaTopicSpecs({ partitions: config.topicPartitions }).map((t) => t.name), ENRICHER_STATE_CHANGELOG_TOPIC]);
    const existing = (await admin.listTopics()).filter((t) => ours.has(t));
    if (existing.length) await admin.deleteTopics({ topics: existing, timeout: 30_000 });
    // Deletion is asynchronous in the controller: wait until the names are gone before recreating.
    const deadline = Date.now() + 60_000;
    while ((await admin.listTopics()).some((t) => ours.has(t))) {
      if (Date.now() > deadline) throw new Error('Kafka topics were not deleted within 60 s');
      await sleep(250);
    }
    log(`kafka: deleted ${existing.length} topics`);
  } finally {
    await admin.disconnect();
  }

  const openSearch = createLocalOpenSearch(config);
  for (const stream of SEARCH_STREAMS) {
    await openSearch.indices.delete({ index: `${indexPrefix(stream)}*`, ignore_unavailable: true, allow_no_indices: true });
  }
  await openSearch.close();
  log('opensearch: deleted market-* indices');

  const s3 = createLocalS3(config);
  let deletedObjects = 0;
  try {
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: config.archiveBucket, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (!keys.length) break;
      await s3.send(new DeleteObjectsCommand({ Bucket: config.archiveBucket, Delete: { Objects: keys, Quiet: true } }));
      deletedObjects += keys.length;
    }
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchBucket') throw error;
  } finally {
    s3.destroy();
  }
  log(`s3: deleted ${deletedObjects} archive objects`);

  const dynamo = createLocalDynamoDb(config);
  let deletedItems = 0;
  try {
    let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await dynamo.send(
        new ScanCommand({ TableName: SYMBOL_STATE_TABLE.tableName, ProjectionExpression: '#s', ExpressionAttributeNames: { '#s': 'symbol' }, ExclusiveStartKey: startKey }),
      );
      const items = page.Items ?? [];
      for (let i = 0; i < items.length; i += 25) {
        const requests = items.slice(i, i + 25).map((key) => ({ DeleteRequest: { Key: key } }));
        await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [SYMBOL_STATE_TABLE.tableName]: requests } }));
      }
      deletedItems += items.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  } finally {
    dynamo.destroy();
  }
  log(`dynamodb: deleted ${deletedItems} symbol-state items`);

  await provisionTopicsWithRetry(log);
}

/** Recreating a just-deleted topic can briefly fail while the controller finishes; retry for 60 s. */
async function provisionTopicsWithRetry(log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await runRepoTool(['tools/stack/cli.ts', 'provision'], {}, log);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(1_000);
    }
  }
}
