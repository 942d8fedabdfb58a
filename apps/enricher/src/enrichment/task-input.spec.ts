import { buildSourceSequenceHeaders, serializeEvent, TOPICS, type TickwireEvent } from '@tickwire/contracts';
import { type KafkaRecord, PartitionGroup, parseBatch } from '@tickwire/kafka';
import { LobsterReplaySource, type MarketEvent } from '@tickwire/market-sources';
import { SourceSequenceTracker } from './source-sequence-tracker';
import { compareTaskInputs, type TaskInput, taskInputsOf } from './task-input';

/**
 * The enricher's merge order on real data: the LOBSTER AAPL day split into its two raw topics and
 * handed to a task's PartitionGroup in fetch-sized batches of uneven, seeded sizes (as a consumer gets
 * them: a batch of trades covers far more time than a batch of quotes) comes out exactly in the
 * replay source's order, with no enforced processing. Without the merge (batches processed as they
 * arrive) the same batches are out of order: the check can fail.
 */
const LIMIT = 40_000;
let events: MarketEvent[];

beforeAll(async () => {
  events = [];
  for await (const record of new LobsterReplaySource({
    symbols: ['AAPL'],
    wallClock: () => 1_795_284_000_000,
  })) {
    if (record.kind === 'event') events.push(record.event);
    if (events.length >= LIMIT) break;
  }
}, 120_000);

/** Mulberry32: a small seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Per event id, its ingest-producer sequence (one symbol, one session: its position in the source). */
let sequenceOf: Map<string, number>;

function recordsOf(topic: string, list: readonly TickwireEvent[], sequenced: boolean): KafkaRecord[] {
  sequenceOf ??= new Map(events.map((event, i) => [event.id, i + 1]));
  return list.map((event, offset) => ({
    topic,
    partition: 0,
    offset: String(offset),
    key: Buffer.from(event.payload.symbol),
    value: Buffer.from(serializeEvent(event)),
    headers: sequenced
      ? buildSourceSequenceHeaders({ session: 'session-1', sequence: sequenceOf.get(event.id) ?? 0 })
      : {},
    timestamp: event.ingestTime,
  }));
}

/** Delivers both topics in alternating batches of 1..maxBatch records; `onBatch` sees each one. */
function deliver(
  seed: number,
  maxBatch: number,
  onBatch: (topic: string, batch: KafkaRecord[], caughtUp: boolean) => void,
  sequenced = false,
): void {
  const next = random(seed);
  const topics = new Map<string, KafkaRecord[]>([
    [
      TOPICS.trades,
      recordsOf(
        TOPICS.trades,
        events.filter((e) => e.schema === 'market.trade.v1'),
        sequenced,
      ),
    ],
    [
      TOPICS.quotes,
      recordsOf(
        TOPICS.quotes,
        events.filter((e) => e.schema === 'market.quote.v1'),
        sequenced,
      ),
    ],
  ]);
  const position = new Map([...topics.keys()].map((topic) => [topic, 0]));
  while ([...topics].some(([topic, records]) => (position.get(topic) ?? 0) < records.length)) {
    for (const [topic, records] of topics) {
      const from = position.get(topic) ?? 0;
      const to = Math.min(records.length, from + 1 + Math.floor(next() * maxBatch));
      if (from >= to) continue;
      position.set(topic, to);
      onBatch(topic, records.slice(from, to), to === records.length);
    }
  }
}

describe('the enricher task merge on the LOBSTER AAPL day', () => {
  it.each([
    [1, 3_500],
    [2, 500],
    [3, 50],
  ])('puts uneven fetches (seed %i, batches up to %i) back in source order', (seed, maxBatch) => {
    const group = new PartitionGroup<TaskInput>([TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily], {
      maxTaskIdleMs: 100,
      compare: compareTaskInputs,
      isUntimed: (input) => input.event === null,
      blocking: [TOPICS.trades, TOPICS.quotes],
    });
    const out: string[] = [];
    /**
     * Records taken while trades or quotes were idle with more of them still to come (at the end of
     * one topic the other's last records go after the idle time: normal).
     */
    let enforced = 0;
    const exhausted = new Set<string>();
    let now = 1_000;
    const take = () => {
      for (let next = group.next(now); next.kind !== 'wait'; next = group.next(now)) {
        if (next.kind === 'check') {
          // The broker has nothing beyond what was delivered (the simulation delivers as it produces).
          for (const input of next.inputs) group.confirm(input, group.nextFetchOf(input) ?? '0', '0', now);
          continue;
        }
        out.push(next.record.value.event?.id ?? 'dead letter');
        if (next.idleInputs.some((input) => !exhausted.has(input))) enforced += 1;
      }
    };
    deliver(seed, maxBatch, (topic, batch, caughtUp) => {
      now += 10; // a fetch every 10 ms
      if (caughtUp) exhausted.add(topic);
      const last = batch[batch.length - 1] as KafkaRecord;
      group.add(
        topic,
        taskInputsOf(parseBatch(batch), new Map()),
        {
          nextOffset: String(Number(last.offset) + 1),
          caughtUp,
        },
        now,
      );
      take();
    });
    // The end of both topics: what waits for a caught-up input goes after the idle time.
    now += 100;
    take();
    expect(out).toHaveLength(events.length);
    expect(out).toEqual(events.map((event) => event.id));
    expect(enforced).toBe(0);
  });

  it.each([
    [1, 3_500],
    [3, 50],
  ])(
    'with sequence headers takes each record as soon as everything before it was fetched, in source order, though each fetch is caught up (seed %i, batches up to %i)',
    (seed, maxBatch) => {
      const sequences = new SourceSequenceTracker();
      const group = new PartitionGroup<TaskInput>([TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily], {
        maxTaskIdleMs: 100,
        compare: compareTaskInputs,
        isUntimed: (input) => input.event === null,
        isComplete: (input) => sequences.isComplete(input),
        blocking: [TOPICS.trades, TOPICS.quotes],
      });
      const out: string[] = [];
      const reasons = new Map<string, number>();
      const fetched = new Set<string>();
      /** How many records lead the source order with all of them fetched: what may go without a wait. */
      let prefix = 0;
      const now = 1_000; // the clock stands still: nothing may need the idle time to pass
      deliver(
        seed,
        maxBatch,
        (topic, batch) => {
          const last = batch[batch.length - 1] as KafkaRecord;
          const inputs = taskInputsOf(parseBatch(batch), new Map());
          sequences.added(inputs.map((input) => input.value));
          for (const { value } of inputs) fetched.add(value.event?.id ?? '');
          while (prefix < events.length && fetched.has((events[prefix] as MarketEvent).id)) prefix += 1;
          // A live tail: every fetch reaches the partition's end.
          group.add(topic, inputs, { nextOffset: String(Number(last.offset) + 1), caughtUp: true }, now);
          for (let next = group.next(now); ; next = group.next(now)) {
            if (next.kind === 'check') throw new Error('no end-offset check expected');
            if (next.kind === 'wait') break;
            sequences.taken(next.record.value);
            reasons.set(next.reason, (reasons.get(next.reason) ?? 0) + 1);
            out.push(next.record.value.event?.id ?? 'dead letter');
          }
          // Without isComplete the last of them would wait ENRICHER_MAX_TASK_IDLE_MS whenever the
          // other input is empty.
          expect(out).toHaveLength(prefix);
        },
        true,
      );
      expect(out).toEqual(events.map((event) => event.id));
      expect([...reasons.keys()].sort()).toEqual(['complete', 'ready']);
      expect(reasons.get('complete')).toBeGreaterThan(0);
    },
  );

  it('the same batches processed as they arrive are out of event-time order (what the merge fixes)', () => {
    const out: MarketEvent[] = [];
    deliver(1, 3_500, (_topic, batch) => {
      for (const { event } of parseBatch(batch).parsed) out.push(event as MarketEvent);
    });
    // As issue 12 counted them: events with an earlier eventTime than an event before them.
    let latest = Number.NEGATIVE_INFINITY;
    let behind = 0;
    for (const event of out) {
      if (event.eventTime < latest) behind += 1;
      latest = Math.max(latest, event.eventTime);
    }
    expect(behind).toBeGreaterThan(1_000);
  });
});
