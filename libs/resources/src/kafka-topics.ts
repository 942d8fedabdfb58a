import { ALL_TOPICS, dlqTopic, LATE_TOPICS, lateTopic } from '@tickwire/contracts';

/**
 * A Kafka topic as Tickwire provisions it, independent of any client library, so the local stack
 * (kafkajs admin) and infra/ (MSK, Terraform) create the same thing.
 */
export interface KafkaTopicSpec {
  /** Topic name, e.g. `market.trades.v1` or `market.trades.v1.dlq`. */
  readonly name: string;
  /** Partition count. Partition key is the symbol, so one symbol's events stay ordered. */
  readonly partitions: number;
  /** Replication factor: 1 on the single-broker local stack, 3 on MSK. */
  readonly replicationFactor: number;
  /** Topic-level configs (Kafka names, string values). */
  readonly configs: Readonly<Record<string, string>>;
  /** What the topic carries, for docs and the AsyncAPI document. */
  readonly role: 'stream' | 'dlq' | 'late';
}

/** Options for {@link kafkaTopicSpecs}. */
export interface KafkaTopicOptions {
  /** Partitions of the main streams (default 3). DLQ and late topics get 1: they are low volume. */
  readonly partitions?: number;
  /** Replication factor (default 1, the local single-node broker; MSK uses 3). */
  readonly replicationFactor?: number;
  /** `min.insync.replicas` (default 1 locally; 2 on MSK with RF 3 so `acks=all` survives one broker loss). */
  readonly minInsyncReplicas?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Retention of the raw and enriched streams: 7 days, Kafka's default, enough for any replay. */
const STREAM_RETENTION_MS = 7 * DAY_MS;
/** Dead letters are kept longer (30 days): someone has to look at them and replay them. */
const DLQ_RETENTION_MS = 30 * DAY_MS;
/**
 * Largest record accepted: 1 MiB (Kafka's default `max.message.bytes` is ~1 MiB). Market events are
 * a few hundred bytes; anything near this is malformed and goes to the DLQ.
 */
export const MAX_MESSAGE_BYTES = 1_048_576;

/**
 * Every topic Tickwire needs: each main stream, its `.dlq`, and `.late` for the windowed inputs.
 *
 * @returns specs in a stable order (stream, then its DLQ, then its late topic).
 * @throws RangeError when partitions, replication factor or min ISR are not positive integers, or
 *   min ISR exceeds the replication factor.
 */
export function kafkaTopicSpecs(options: KafkaTopicOptions = {}): KafkaTopicSpec[] {
  const partitions = options.partitions ?? 3;
  const replicationFactor = options.replicationFactor ?? 1;
  const minInsyncReplicas = options.minInsyncReplicas ?? 1;
  for (const [name, value] of Object.entries({ partitions, replicationFactor, minInsyncReplicas })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  if (minInsyncReplicas > replicationFactor) {
    throw new RangeError(`minInsyncReplicas (${minInsyncReplicas}) exceeds replicationFactor (${replicationFactor})`);
  }
  const base = {
    'min.insync.replicas': String(minInsyncReplicas),
    'max.message.bytes': String(MAX_MESSAGE_BYTES),
    'message.timestamp.type': 'CreateTime',
  };
  const specs: KafkaTopicSpec[] = [];
  for (const topic of ALL_TOPICS) {
    specs.push({
      name: topic,
      partitions,
      replicationFactor,
      role: 'stream',
      configs: { ...base, 'cleanup.policy': 'delete', 'retention.ms': String(STREAM_RETENTION_MS) },
    });
    specs.push({
      name: dlqTopic(topic),
      partitions: 1,
      replicationFactor,
      role: 'dlq',
      configs: { ...base, 'cleanup.policy': 'delete', 'retention.ms': String(DLQ_RETENTION_MS) },
    });
    if (LATE_TOPICS.includes(topic)) {
      specs.push({
        name: lateTopic(topic),
        partitions: 1,
        replicationFactor,
        role: 'late',
        configs: { ...base, 'cleanup.policy': 'delete', 'retention.ms': String(DLQ_RETENTION_MS) },
      });
    }
  }
  return specs;
}

/**
 * The enricher's internal state changelog (Kafka Streams' changelog pattern): one record per symbol,
 * key = symbol, value = the symbol's JSON state snapshot, written in the same transaction as the
 * enricher's outputs and input offsets; log-compacted, so it holds the latest state of every symbol
 * and the enricher rebuilds its state from it after a restart or a rebalance. Not for customers.
 */
export const ENRICHER_STATE_CHANGELOG_TOPIC = 'tickwire.enricher.symbol-state.changelog';

/**
 * Spec of {@link ENRICHER_STATE_CHANGELOG_TOPIC}: compacted (never deleted by time), partitions as the
 * main streams. The enricher creates it at start-up when missing (like Kafka Streams' internal topics),
 * so it is not part of {@link kafkaTopicSpecs}.
 */
export function enricherChangelogTopicSpec(options: KafkaTopicOptions = {}): KafkaTopicSpec {
  const replicationFactor = options.replicationFactor ?? 1;
  return {
    name: ENRICHER_STATE_CHANGELOG_TOPIC,
    partitions: options.partitions ?? 3,
    replicationFactor,
    role: 'stream',
    configs: {
      'cleanup.policy': 'compact',
      'min.insync.replicas': String(options.minInsyncReplicas ?? 1),
      'max.message.bytes': String(MAX_MESSAGE_BYTES),
      // Compact soon after a segment rolls: restores read little more than one record per symbol.
      'segment.ms': String(60 * 60 * 1000),
      'min.cleanable.dirty.ratio': '0.1',
    },
  };
}

/**
 * The ingest-producer's daily bars held back until their session closes (Alpaca `d`, see DailyBarHold in
 * libs/market-sources): key = `<symbol>|<tradingDate>`, value = JSON HeldDailyBar, a tombstone once the bar
 * is published. Log-compacted, so a restarted producer reads back what it held and a restart across a close
 * still publishes the session's official close. Internal, not for customers.
 */
export const DAILY_BAR_HOLD_TOPIC = 'tickwire.ingest-producer.daily-bar-hold';

/**
 * Spec of {@link DAILY_BAR_HOLD_TOPIC}: compacted, one partition (a few records per symbol and day). The
 * ingest-producer creates it at start-up when missing, like the enricher's changelog, so it is not part of
 * {@link kafkaTopicSpecs}. Replication factor -1 and no `min.insync.replicas`: the broker's defaults
 * (`default.replication.factor`, 3 on the MSK cluster; 1 locally), unless given.
 */
export function dailyBarHoldTopicSpec(options: KafkaTopicOptions = {}): KafkaTopicSpec {
  return {
    name: DAILY_BAR_HOLD_TOPIC,
    partitions: 1,
    replicationFactor: options.replicationFactor ?? -1,
    role: 'stream',
    configs: {
      'cleanup.policy': 'compact',
      ...(options.minInsyncReplicas === undefined ? {} : { 'min.insync.replicas': String(options.minInsyncReplicas) }),
      'max.message.bytes': String(MAX_MESSAGE_BYTES),
      'segment.ms': String(60 * 60 * 1000),
      'min.cleanable.dirty.ratio': '0.1',
    },
  };
}
