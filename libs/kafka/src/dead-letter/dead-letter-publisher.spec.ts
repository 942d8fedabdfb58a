import { DLQ_HEADERS, parseDlqHeaders, parseEvent, TOPICS, TRADE_V1_FIXTURES } from '@tickwire/contracts';
import type { KafkaRecord, OutgoingRecord } from '../kafka-record';
import type { KafkaMetricsSink } from '../kafka-metrics-sink';
import { DeadLetterPublisher, deadLetterTopicOf, describeError } from './dead-letter-publisher';

const FAILED_AT = 1_763_750_000_123;

function record(value: Buffer | null): KafkaRecord {
  return {
    topic: TOPICS.trades,
    partition: 2,
    offset: '17',
    key: Buffer.from('AAPL'),
    value,
    headers: { traceparent: Buffer.from('00-abc-def-01'), 'x-binary': Buffer.from([0xff, 0x00, 0xfe]) },
    timestamp: 1_763_749_999_000,
  };
}

class RecordingSink {
  sent: OutgoingRecord[][] = [];
  failWith: Error | null = null;
  async sendBatch(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push([...records]);
  }
}

class RecordingMetrics implements KafkaMetricsSink {
  deadLettered: [string, string][] = [];
  consumed = 0;
  recordsConsumed(_topic: string, count: number): void {
    this.consumed += count;
  }
  handlerDuration(): void {
    return undefined;
  }
  consumerLag(): void {
    return undefined;
  }
  recordDeadLettered(topic: string, reason: string): void {
    this.deadLettered.push([topic, reason]);
  }
}

describe('describeError', () => {
  it('keeps a contract error class', () => {
    let contractError: unknown;
    try {
      parseEvent(TOPICS.trades, Buffer.from('{not json'));
    } catch (error) {
      contractError = error;
    }
    expect(describeError(contractError)).toMatchObject({ errorClass: 'MalformedJson' });
  });

  it('maps other errors to ProcessingFailed, naming the JavaScript class', () => {
    expect(describeError(new TypeError('x is undefined'))).toEqual({
      errorClass: 'ProcessingFailed',
      message: 'TypeError: x is undefined',
    });
    expect(describeError('boom')).toEqual({ errorClass: 'ProcessingFailed', message: 'NonError: boom' });
    expect(describeError({ status: 'error', message: 'Internal' })).toEqual({
      errorClass: 'ProcessingFailed',
      message: 'NonError: Internal',
    });
  });

  it('ignores an errorClass outside the contracts vocabulary', () => {
    const error = Object.assign(new Error('nope'), { errorClass: 'Whatever' });
    expect(describeError(error).errorClass).toBe('ProcessingFailed');
  });
});

describe('DeadLetterPublisher', () => {
  it('sends the original key, value and headers verbatim to <topic>.dlq with the contract headers', async () => {
    const sink = new RecordingSink();
    const metrics = new RecordingMetrics();
    const publisher = new DeadLetterPublisher(sink, 'enricher', metrics, 'enricher-group', () => FAILED_AT);
    const value = Buffer.from([0x7b, 0x22, 0xc3, 0x28]); // invalid UTF-8 must survive byte for byte
    await publisher.publish([{ record: record(value), error: new RangeError('price out of range') }]);

    expect(sink.sent).toHaveLength(1);
    const [dead] = sink.sent[0]!;
    expect(dead!.topic).toBe('market.trades.v1.dlq');
    expect(dead!.key).toEqual(Buffer.from('AAPL'));
    expect(Buffer.compare(dead!.value as Buffer, value)).toBe(0);
    expect(dead!.headers!['traceparent']).toEqual(Buffer.from('00-abc-def-01'));
    expect(dead!.headers!['x-binary']).toEqual(Buffer.from([0xff, 0x00, 0xfe]));
    const parsed = parseDlqHeaders(dead!.headers!);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({
      [DLQ_HEADERS.originalTopic]: 'market.trades.v1',
      [DLQ_HEADERS.originalPartition]: '2',
      [DLQ_HEADERS.originalOffset]: '17',
      [DLQ_HEADERS.originalTimestamp]: '1763749999000',
      [DLQ_HEADERS.errorClass]: 'ProcessingFailed',
      [DLQ_HEADERS.errorMessage]: 'RangeError: price out of range',
      [DLQ_HEADERS.service]: 'enricher',
      [DLQ_HEADERS.consumerGroup]: 'enricher-group',
      [DLQ_HEADERS.failedAt]: String(FAILED_AT),
    });
    expect(metrics.deadLettered).toEqual([['market.trades.v1', 'ProcessingFailed']]);
  });

  it('dead-letters a tombstone with a contract error class', async () => {
    const sink = new RecordingSink();
    const publisher = new DeadLetterPublisher(sink, 'enricher', undefined, undefined, () => FAILED_AT);
    let error: unknown;
    try {
      parseEvent(TOPICS.trades, null);
    } catch (caught) {
      error = caught;
    }
    const dead = publisher.build(record(null), error);
    expect(dead.value).toBeNull();
    expect(dead.headers![DLQ_HEADERS.errorClass]).toBe('EmptyValue');
  });

  it('counts nothing when the DLQ write fails, and rethrows', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('broker down');
    const metrics = new RecordingMetrics();
    const publisher = new DeadLetterPublisher(sink, 'enricher', metrics);
    const value = Buffer.from(JSON.stringify(TRADE_V1_FIXTURES[0]!.event));
    await expect(publisher.publish([{ record: record(value), error: new Error('x') }])).rejects.toThrow(
      'broker down',
    );
    expect(metrics.deadLettered).toEqual([]);
  });

  it('names the DLQ topic of non-catalog topics the same way', () => {
    expect(deadLetterTopicOf('market.quotes.v1')).toBe('market.quotes.v1.dlq');
    expect(deadLetterTopicOf('tickwire.test.abc')).toBe('tickwire.test.abc.dlq');
  });
});
