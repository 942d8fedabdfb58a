import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CUSTOMER_TOPICS, parseFeedSequence, TOPICS } from '@tickwire/contracts';
import { ConsumerLagMonitor, DeadLetterPublisher, type KafkaClient, parseRecord, RecordProducer, toKafkaRecord } from '@tickwire/kafka';
import { InjectServiceConfig, KAFKA_CLIENT, KAFKA_PRODUCER, MetricsService, READINESS_CHECKS, type ReadinessCheck, ROOT_LOGGER } from '@tickwire/service-kit';
import type { CustomerEvent } from '@tickwire/subscriptions';
import type { Logger } from 'pino';
import { type GatewayConfig, gatewayConsumerGroup } from '../config/gateway-config';
import { GatewayMetrics } from '../fan-out/gateway-metrics';
import { SubscriberHub } from '../fan-out/subscriber-hub';
import { SymbolSnapshots } from '../snapshots/symbol-snapshots';
import { FeedDeduplicator } from './feed-deduplicator';
import { FeedPositions } from './feed-positions';

type Consumer = ReturnType<KafkaClient['consumer']>;
type EachBatch = NonNullable<NonNullable<Parameters<Consumer['run']>[0]>['eachBatch']>;

/**
 * The topics the gateway fans out: enriched events (also the trades/quotes channels), 1-minute bars
 * (restatements included), alerts, corrections and cancels, trading statuses.
 */
export const GATEWAY_TOPICS = [TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts, TOPICS.corrections, TOPICS.halts] as const;

/**
 * Consumes the customer topics and publishes every valid event to the {@link SubscriberHub}, each
 * enriched event to the last-value cache ({@link SymbolSnapshots}) first, on the same turn of the
 * event loop: snapshots and deltas share one position (see the app README, "Snapshot, then deltas").
 *
 * Group per instance, `consumer-gateway-<GATEWAY_INSTANCE_ID>`: the gateway fans out, so every
 * instance must see every partition (one shared group would split the partitions between instances
 * and each customer would see a fraction of the symbols). It never commits offsets: a started
 * instance begins at the end of the log (`fromBeginning: false` applies to groups without offsets)
 * after warming its cache from DynamoDB `symbol-state`; clients get the current state from the
 * snapshot on subscribe, so replaying what an instance missed while down would only send stale
 * deltas. Within one run it keeps its own positions ({@link FeedPositions}): a rejoin of the group
 * continues from them, and a batch handed over again is not fanned out twice. Records that break
 * their contract go to `<topic>.dlq` (each instance sees them, so each writes one; the headers name the
 * consumer group).
 *
 * Isolation (GATEWAY_READ_UNCOMMITTED, issue 14):
 * - true (default): `read_uncommitted`, so a record is fanned out as soon as the enricher wrote it,
 *   without waiting for its transaction to commit. Every parsed record passes a
 *   {@link FeedDeduplicator}: per (topic, symbol) only a `tickwire-feed-seq` above the last forwarded
 *   one of its epoch (or of a new epoch, or none at all) is cached and fanned out, so the enricher's
 *   re-emission of an aborted transaction's outputs (restored from its changelog, same numbers) is
 *   dropped (`tickwire_gateway_feed_replays_dropped_total`). The records of the aborted transaction
 *   itself were forwarded: a customer sees each output once provided the enricher re-emits them
 *   identically; when it does not, a customer keeps what the aborted transaction held (when that
 *   happens: the app README, "The uncommitted live path" under "Snapshot, then deltas"). Each partition starts at its last stable
 *   offset, as a read_committed consumer would, not at the high watermark: the records of a
 *   transaction open at start-up are in neither the warmed snapshot (symbol-state is written after the
 *   commit) nor would they be in the deltas.
 * - false: `read_committed`, no deduplication: nothing of an aborted transaction reaches customers and
 *   every record waits for its commit (the behaviour before issue 14).
 */
@Injectable()
export class MarketFeedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: Consumer | null = null;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly groupId: string;
  private joined = false;
  private live = false;
  private liveWaiters: (() => void)[] = [];
  private readonly positions = new FeedPositions();
  /** Present when reading uncommitted: drops replays by feed sequence. */
  private readonly deduplicator: FeedDeduplicator | null;
  /** tickwire_consumer_group_lag_records from the broker's end offsets and {@link positions}, every 15 s. */
  private lagMonitor: ConsumerLagMonitor | null = null;
  private readonly log: Logger;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: KafkaClient,
    @Inject(KAFKA_PRODUCER) producer: RecordProducer,
    @InjectServiceConfig() private readonly config: GatewayConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(READINESS_CHECKS) checks: ReadinessCheck[],
    private readonly hub: SubscriberHub,
    private readonly snapshots: SymbolSnapshots,
    private readonly metrics: MetricsService,
    private readonly gatewayMetrics: GatewayMetrics,
  ) {
    this.groupId = gatewayConsumerGroup(config);
    this.deduplicator = config.GATEWAY_READ_UNCOMMITTED ? new FeedDeduplicator() : null;
    this.log = logger.child({ component: 'market-feed' });
    this.deadLetters = new DeadLetterPublisher(producer, config.SERVICE_NAME, metrics, this.groupId);
    checks.push({
      name: 'market-feed',
      probe: async () => {
        if (!this.live) throw new Error('market feed consumer has not joined its group and fetched yet');
        return { groupId: this.groupId, topics: [...GATEWAY_TOPICS] };
      },
    });
  }

  /** True once the consumer joined its group and completed a fetch: events produced from now on are delivered. */
  get isLive(): boolean {
    return this.live;
  }

  /** Resolves when {@link isLive} becomes true. */
  whenLive(): Promise<void> {
    return this.live ? Promise.resolve() : new Promise((resolve) => this.liveWaiters.push(resolve));
  }

  /**
   * Warms the snapshot cache from DynamoDB, then starts consuming at the end of the log.
   * @throws the DynamoDB error when symbol-state cannot be read (after the SDK's retries): start-up fails.
   */
  async onApplicationBootstrap(): Promise<void> {
    // Before the consumer exists, so before its start offsets are resolved (see SymbolSnapshots.warm).
    const warmed = await this.snapshots.warm();
    this.log.info({ symbols: warmed }, 'Snapshot cache warmed from symbol-state');
    const readUncommitted = this.config.GATEWAY_READ_UNCOMMITTED;
    // After the warm-up, like the start offsets a read_committed consumer resolves itself.
    if (readUncommitted) await this.startAtLastStableOffsets();
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      readUncommitted,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      // A fan-out consumer has no work to share: a short session lets a replaced instance's group settle fast.
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      // Without committed offsets a rejoin would restart each partition at the log end: continue
      // where this instance left off instead (on the first join: nothing read yet, so the last stable
      // offsets when reading uncommitted, else nothing and kafkajs starts at the log end).
      for (const position of this.positions.positionsOf(payload.memberAssignment)) consumer.seek(position);
    });
    consumer.on(consumer.events.FETCH, () => {
      // The first fetch after the join resolved the start offsets: from here on nothing is missed.
      if (this.joined && !this.live) {
        this.live = true;
        this.log.info({ groupId: this.groupId }, 'Market feed is live');
        for (const resolve of this.liveWaiters.splice(0)) resolve();
      }
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.live = false;
      this.log.error({ err: event.payload.error, restart: event.payload.restart }, 'Market feed consumer crashed');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...GATEWAY_TOPICS], fromBeginning: false });
    const eachBatch: EachBatch = async ({ batch }) => {
      const failures: Parameters<DeadLetterPublisher['publish']>[0][number][] = [];
      for (const message of batch.messages) {
        const fresh = this.positions.advance(batch.topic, batch.partition, message.offset);
        const record = toKafkaRecord(batch.topic, batch.partition, message);
        let event: CustomerEvent;
        try {
          event = parseRecord(batch.topic as (typeof CUSTOMER_TOPICS)[number], record) as CustomerEvent;
        } catch (error) {
          // Dead-lettered again when the batch comes again (the DLQ write may be what failed).
          failures.push({ record, error });
          continue;
        }
        if (!fresh) continue;
        if (this.deduplicator && !this.deduplicator.admit(batch.topic, event.payload.symbol, parseFeedSequence(record.headers))) {
          this.gatewayMetrics.feedReplaysDropped.inc({ topic: batch.topic });
          continue;
        }
        // Cache and fan-out on one turn, nothing awaited between them: see SymbolSnapshots.
        if (event.schema === 'market.enriched.v1') this.snapshots.apply(event);
        else if (event.schema === 'market.halt.v1') this.snapshots.applyHalt(event);
        this.hub.publish(event, (error) => this.log.error({ err: error }, 'A subscriber failed to take a message'));
        this.gatewayMetrics.eventsFannedOut.inc({ topic: batch.topic });
      }
      this.metrics.recordsConsumedTotal.inc({ topic: batch.topic }, batch.messages.length);
      if (failures.length > 0) {
        this.log.warn({ topic: batch.topic, count: failures.length }, 'Invalid records; dead-lettering');
        await this.deadLetters.publish(failures);
      }
    };
    await consumer.run({ autoCommit: false, eachBatch });
    // The gateway commits nothing: its lag is measured from its own positions (what subscribers got).
    this.lagMonitor = new ConsumerLagMonitor(this.kafka, {
      groupId: this.groupId,
      topics: GATEWAY_TOPICS,
      metrics: this.metrics,
      logger: this.log,
      positions: () => this.positions.all(),
    });
    this.lagMonitor.start();
    this.log.info({ groupId: this.groupId, topics: GATEWAY_TOPICS, readUncommitted }, 'Market feed consumer started');
  }

  /**
   * Sets the start of every partition of {@link GATEWAY_TOPICS} to its last stable offset (kafkajs'
   * admin lists offsets read_committed): a read_uncommitted consumer would start at the high
   * watermark and skip the records of the transactions open now, which are not in the warmed
   * snapshot either. @throws the admin client's error (start-up fails).
   */
  private async startAtLastStableOffsets(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of GATEWAY_TOPICS) {
        for (const { partition, offset } of await admin.fetchTopicOffsets(topic)) this.positions.startAt(topic, partition, offset);
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** Before the clients close (service-kit closes the DLQ producer on application shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.live = false;
    // The lag sampler stops beside the consumer: a sample in flight must not delay leaving the group.
    const monitorStopped = this.lagMonitor?.stop();
    this.lagMonitor = null;
    await consumer?.disconnect();
    await monitorStopped;
  }
}
