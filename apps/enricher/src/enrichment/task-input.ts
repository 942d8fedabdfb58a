import { parseSourceSequence, type SourceSequence, TOPICS, type TickwireEvent } from '@tickwire/contracts';
import type { PreviousCloseReference } from '@tickwire/indicators';
import type { BufferedRecord, KafkaRecord, ParsedBatch } from '@tickwire/kafka';

/**
 * One input record of an enricher task, as it waits in the task's PartitionGroup: the raw record,
 * its validated event (null when it failed its contract: then `error` says why, and it is
 * dead-lettered as soon as it reaches the head of its queue) and the previous-close reference of its
 * symbol, loaded when the batch arrived (the merge itself never waits on DynamoDB), and its position in
 * its publishing session (the raw record's sequence headers), which lets the merge take it without
 * waiting for quiet inputs (see SourceSequenceTracker).
 */
export interface TaskInput {
  readonly record: KafkaRecord;
  readonly event: TickwireEvent | null;
  readonly error?: unknown;
  readonly reference?: PreviousCloseReference;
  /** Event time in epoch ns (`eventTimeNs`, else `eventTime` x 10^6): the merge's first key. */
  readonly timeNs: bigint;
  /** The source's sequence number (LOBSTER: message-file row), or -1: ties of equal times. */
  readonly sequence: number;
  /**
   * Trades 0, quotes 1, daily bars 2, corrections 3, cancels 4, trading statuses 5: the last tie-break
   * (a LOBSTER row's trade precedes its quote; an amendment stamped with its trade's time follows it).
   */
  readonly rank: number;
  /** The event's symbol (a dead letter's: its record key): whose sequence `source` counts. */
  readonly symbol?: string;
  /** `tickwire-source-session` / `tickwire-symbol-seq` of the record, when it carries them. */
  readonly source?: SourceSequence;
}

const RANKS: Readonly<Record<string, number>> = {
  [TOPICS.trades]: 0,
  [TOPICS.quotes]: 1,
  [TOPICS.barsDaily]: 2,
  [TOPICS.tradeCorrections]: 3,
  [TOPICS.tradeCancels]: 4,
  [TOPICS.tradingStatus]: 5,
};

/**
 * The order of an enricher task's merge: event time (ns when the source gives it), then the source
 * sequence, then trade before quote before daily bar; the input order of the LOBSTER replay source
 * (`compareLobsterRecords` in @tickwire/market-sources), so a replay comes out as the files have it.
 * Negative when `a` goes first.
 */
export function compareTaskInputs(a: TaskInput, b: TaskInput): number {
  if (a.timeNs !== b.timeNs) return a.timeNs < b.timeNs ? -1 : 1;
  if (a.sequence !== b.sequence && a.sequence >= 0 && b.sequence >= 0) return a.sequence - b.sequence;
  return a.rank - b.rank;
}

/**
 * One parsed batch as merge entries in offset order: valid events with their symbol's reference,
 * and the records that failed their contract (untimed, `event: null`).
 *
 * @param references previous-close reference per symbol (absent: none loaded)
 */
export function taskInputsOf(
  { parsed, deadLetters }: ParsedBatch,
  references: ReadonlyMap<string, PreviousCloseReference>,
): BufferedRecord<TaskInput>[] {
  const entries: BufferedRecord<TaskInput>[] = [];
  for (const { record, event } of parsed) {
    const payload = event.payload as { symbol: string; sequence?: number };
    entries.push({
      offset: record.offset,
      value: {
        record,
        event,
        reference: references.get(payload.symbol),
        timeNs:
          event.eventTimeNs !== undefined ? BigInt(event.eventTimeNs) : BigInt(event.eventTime) * 1_000_000n,
        sequence: payload.sequence ?? -1,
        rank: RANKS[record.topic] ?? 6,
        symbol: payload.symbol,
        source: parseSourceSequence(record.headers),
      },
    });
  }
  for (const { record, error } of deadLetters)
    entries.push({
      offset: record.offset,
      value: {
        record,
        event: null,
        error,
        timeNs: 0n,
        sequence: -1,
        rank: RANKS[record.topic] ?? 6,
        symbol: record.key?.toString('utf8'),
        source: parseSourceSequence(record.headers),
      },
    });
  // Both lists are in offset order; a queue must be too.
  return deadLetters.length === 0 ? entries : entries.sort((a, b) => compareOffsets(a.offset, b.offset));
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
