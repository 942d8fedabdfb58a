import { TOPICS } from '@tickwire/contracts';
import { randomBytes } from 'node:crypto';
import type { BenchAdmin, BenchKafka } from '../stages/kafka-backlog';
import { extractId, extractNumber, isSampled } from './subscriber-protocol';

/**
 * Reads `market.enriched.v1` (read_committed, from the end) and remembers the envelope's `ingestTime`
 * of each sampled event id: the gateway's frames carry the id but not the ingest time, so a frame's
 * end-to-end latency is its receive time minus the ingest time found here (same machine, same clock).
 */
export class EnrichedTap {
  private readonly ingestTimes = new Map<string, number>();
  private sampleDivisor = 1;

  private constructor(
    private readonly consumer: ReturnType<BenchKafka['consumer']>,
    private readonly admin: BenchAdmin,
    private readonly groupId: string,
  ) {}

  /**
   * Joins a fresh consumer group at the topic's end and starts recording.
   *
   * @throws Error when the group is not joined within 60 s.
   */
  static async start(kafka: BenchKafka, admin: BenchAdmin): Promise<EnrichedTap> {
    const groupId = `bench-tap-${randomBytes(4).toString('hex')}`;
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 50 });
    const tap = new EnrichedTap(consumer, admin, groupId);
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.enriched], fromBeginning: false });
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the enriched tap did not join its group within 60 s')),
        60_000,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (!message.value) continue;
          const text = message.value.toString('utf8');
          const id = extractId(text);
          if (id === null || !isSampled(id, tap.sampleDivisor)) continue;
          const ingestTime = extractNumber(text, 'ingestTime');
          if (ingestTime !== null) tap.ingestTimes.set(id, ingestTime);
        }
      },
    });
    await joined;
    return tap;
  }

  /** Forgets what was recorded and samples 1/`divisor` of the ids from now on. */
  reset(divisor: number): void {
    this.ingestTimes.clear();
    this.sampleDivisor = divisor;
  }

  /** The ingest time of `id`, epoch ms, if seen. */
  ingestTime(id: string): number | undefined {
    return this.ingestTimes.get(id);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
  }
}
