import { TOPICS } from '@tickwire/contracts';
import { randomBytes } from 'node:crypto';
import type { BenchAdmin, BenchKafka } from '../stages/kafka-backlog';
import { extractNumber, extractString, isSampled } from './subscriber-protocol';

/** What the tap knows of one raw event (all epoch ms, one machine clock). */
export interface TappedEvent {
  /** Envelope `ingestTime`: when the source handed the event to Tickwire. */
  ingestTime?: number;
  /** Kafka CreateTime of the raw record: when ingest-producer sent it. */
  publishedAt?: number;
  /** Kafka CreateTime of the enriched record: when the enricher sent it (inside its transaction). */
  enrichedAt?: number;
}

/**
 * Reads the raw topics (trades, quotes) and `market.enriched.v1` (read_committed, from the end) and
 * remembers, per sampled raw event id, its ingest time and the times each hop sent it: the gateway's
 * frames carry neither, so a frame's latency is its receive time minus these (same machine, same
 * clock), split into hops: ingest -> publish -> enriched -> delivered.
 */
export class PipelineTap {
  private readonly events = new Map<string, TappedEvent>();
  private sampleDivisor = 1;

  private constructor(
    private readonly consumer: ReturnType<BenchKafka['consumer']>,
    private readonly admin: BenchAdmin,
    private readonly groupId: string,
  ) {}

  /**
   * Joins a fresh consumer group at the topics' end and starts recording.
   *
   * @throws Error when the group is not joined within 60 s.
   */
  static async start(kafka: BenchKafka, admin: BenchAdmin): Promise<PipelineTap> {
    const groupId = `bench-tap-${randomBytes(4).toString('hex')}`;
    // The tap only needs each id's timestamps before the step's join (it waits up to 10 s): fetches of
    // up to 1 MiB or 500 ms keep the measuring instrument's CPU and the broker's fetch load low on a
    // machine the pipeline shares with it.
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      minBytes: 1_048_576,
      maxWaitTimeInMs: 500,
    });
    const tap = new PipelineTap(consumer, admin, groupId);
    await consumer.connect();
    await consumer.subscribe({
      topics: [TOPICS.trades, TOPICS.quotes, TOPICS.enriched],
      fromBeginning: false,
    });
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the pipeline tap did not join its group within 60 s')),
        60_000,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        const enriched = batch.topic === TOPICS.enriched;
        for (const message of batch.messages) {
          if (!message.value) continue;
          const text = message.value.toString('utf8');
          const id = enriched ? extractString(text, 'sourceEventId') : extractString(text, 'id');
          if (id === null || !isSampled(id, tap.sampleDivisor)) continue;
          const event = tap.events.get(id) ?? {};
          if (enriched) {
            event.enrichedAt = Number(message.timestamp);
            event.ingestTime = extractNumber(text, 'ingestTime') ?? undefined;
          } else {
            event.publishedAt = Number(message.timestamp);
            event.ingestTime ??= extractNumber(text, 'ingestTime') ?? undefined;
          }
          tap.events.set(id, event);
        }
      },
    });
    await joined;
    return tap;
  }

  /** Forgets what was recorded and samples 1/`divisor` of the ids from now on. */
  reset(divisor: number): void {
    this.events.clear();
    this.sampleDivisor = divisor;
  }

  /** What was seen of raw event `id`, if sampled. */
  event(id: string): Readonly<TappedEvent> | undefined {
    return this.events.get(id);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
  }
}
