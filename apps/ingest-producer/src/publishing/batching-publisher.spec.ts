import type { OutgoingRecord } from '@tickwire/kafka';
import { BatchingPublisher, isPermanentSendError, type PublishItem } from './batching-publisher';
import type { RecordSink } from './market-event-publisher';

/** A sink whose sends stay pending until the test acknowledges or fails them, in any order. */
class ControlledSink implements RecordSink {
  readonly sent: { values: string[]; acknowledge: () => void; fail: (error: Error) => void }[] = [];

  sendBatch(records: readonly OutgoingRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.sent.push({ values: records.map((record) => String(record.value)), acknowledge: resolve, fail: reject });
    });
  }
}

const item = (n: number): PublishItem => ({ record: { topic: 't', key: 'AAPL', value: String(n) } });
/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchingPublisher', () => {
  afterEach(() => jest.useRealTimers());

  it('sends full batches at once, in order, and a partial one on flush', async () => {
    const sink = new ControlledSink();
    const acknowledged: number[] = [];
    const publisher = new BatchingPublisher<PublishItem>({
      sink,
      batchSize: 2,
      lingerMs: 60_000,
      maxInFlight: 5,
      onAcknowledged: (items) => acknowledged.push(items.length),
    });
    for (let n = 1; n <= 5; n++) await publisher.add(item(n));
    expect(sink.sent.map((send) => send.values)).toEqual([['1', '2'], ['3', '4']]);
    const flushed = publisher.flush();
    await settle();
    expect(sink.sent.map((send) => send.values)).toEqual([['1', '2'], ['3', '4'], ['5']]);
    let done = false;
    void flushed.then(() => (done = true));
    sink.sent[0]!.acknowledge();
    sink.sent[2]!.acknowledge();
    await settle();
    expect(done).toBe(false); // batch 2 is still unacknowledged
    sink.sent[1]!.acknowledge();
    await flushed;
    expect(acknowledged).toEqual([2, 1, 2]);
  });

  it('sends a partial batch after the linger time, and not before', async () => {
    jest.useFakeTimers();
    const sink = new ControlledSink();
    const publisher = new BatchingPublisher<PublishItem>({ sink, batchSize: 100, lingerMs: 20, maxInFlight: 1 });
    await publisher.add(item(1));
    await publisher.add(item(2));
    jest.advanceTimersByTime(19);
    expect(sink.sent).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(sink.sent.map((send) => send.values)).toEqual([['1', '2']]);
  });

  it('keeps at most maxInFlight batches unacknowledged and blocks add once a batch is buffered (backpressure)', async () => {
    const sink = new ControlledSink();
    const publisher = new BatchingPublisher<PublishItem>({ sink, batchSize: 2, lingerMs: 0, maxInFlight: 2 });
    // lingerMs 0: each record leaves at once while a slot is free.
    await publisher.add(item(1));
    await publisher.add(item(2));
    expect(sink.sent).toHaveLength(2);
    await publisher.add(item(3));
    let fourthAdded = false;
    const adding = publisher.add(item(4)).then(() => (fourthAdded = true));
    await settle();
    expect(fourthAdded).toBe(true); // 3 and 4 fill the buffer; both slots are busy
    let fifthAdded = false;
    const fifth = publisher.add(item(5)).then(() => (fifthAdded = true));
    await settle();
    expect(fifthAdded).toBe(false);
    expect(publisher.bufferedRecords).toBe(2);
    expect(sink.sent).toHaveLength(2);
    sink.sent[0]!.acknowledge();
    await settle();
    // The freed slot took the buffered batch [3, 4]: room again, the blocked add went through.
    expect(sink.sent.map((send) => send.values)).toEqual([['1'], ['2'], ['3', '4']]);
    await Promise.all([adding, fifth]);
    expect(fifthAdded).toBe(true);
    expect(publisher.inFlightBatches).toBe(2);
  });

  it('grows the batch while every slot is busy instead of cutting small batches', async () => {
    jest.useFakeTimers();
    const sink = new ControlledSink();
    const publisher = new BatchingPublisher<PublishItem>({ sink, batchSize: 10, lingerMs: 5, maxInFlight: 1 });
    await publisher.add(item(1));
    jest.advanceTimersByTime(5);
    expect(sink.sent).toHaveLength(1);
    for (let n = 2; n <= 4; n++) await publisher.add(item(n));
    jest.advanceTimersByTime(50); // linger expired, but the slot is busy
    await publisher.add(item(5));
    expect(sink.sent).toHaveLength(1);
    sink.sent[0]!.acknowledge();
    await jest.runAllTimersAsync();
    expect(sink.sent.map((send) => send.values)).toEqual([['1'], ['2', '3', '4', '5']]);
  });

  it('also cuts batches by bytes, so one partition\'s share never exceeds the broker limit', async () => {
    const sink = new ControlledSink();
    const publisher = new BatchingPublisher<PublishItem>({ sink, batchSize: 100, maxBatchBytes: 10, lingerMs: 60_000, maxInFlight: 5 });
    // key 'AAPL' (4 bytes) + value: 4 + 1 = 5 bytes for one digit, 6 for two.
    for (const n of [1, 2, 3, 10, 11]) await publisher.add(item(n));
    expect(sink.sent.map((send) => send.values)).toEqual([['1', '2'], ['3'], ['10']]);
    await publisher.add({ record: { topic: 't', key: 'AAPL', value: 'x'.repeat(50) } });
    const flushed = publisher.flush();
    await settle();
    // An oversized record still leaves, alone.
    expect(sink.sent.map((send) => send.values.map((value) => value.length))).toEqual([[1, 1], [1], [2], [2], [50]]);
    for (const send of sink.sent) send.acknowledge();
    await flushed;
  });

  it('stops at the first failed batch: nothing more is sent, add and flush throw it', async () => {
    const sink = new ControlledSink();
    const publisher = new BatchingPublisher<PublishItem>({ sink, batchSize: 1, lingerMs: 0, maxInFlight: 1 });
    await publisher.add(item(1));
    await publisher.add(item(2)); // buffered behind the in-flight batch
    const blocked = publisher.add(item(3));
    sink.sent[0]!.fail(new Error('broker down'));
    await expect(blocked).rejects.toThrow('broker down');
    await expect(publisher.add(item(4))).rejects.toThrow('broker down');
    await expect(publisher.flush()).rejects.toThrow('broker down');
    expect(sink.sent).toHaveLength(1);
    expect(publisher.error).toEqual(new Error('broker down'));
  });

  it('rejects settings outside the supported range', () => {
    const sink = new ControlledSink();
    expect(() => new BatchingPublisher({ sink, batchSize: 0, lingerMs: 0, maxInFlight: 1 })).toThrow(RangeError);
    expect(() => new BatchingPublisher({ sink, batchSize: 1, lingerMs: -1, maxInFlight: 1 })).toThrow(RangeError);
    expect(() => new BatchingPublisher({ sink, batchSize: 1, lingerMs: 0, maxInFlight: 6 })).toThrow(/1\.\.5/);
  });

  describe('retry of a failed batch (a broker restart)', () => {
    /** kafkajs' error once its own retries ran out on a connection error. */
    const connectionLost = () => Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSNonRetriableError', retriable: false });

    it('sends the same batch again until it is acknowledged, keeping its slot so nothing overtakes it', async () => {
      const sink = new ControlledSink();
      const retries: number[] = [];
      const acknowledged: string[][] = [];
      const publisher = new BatchingPublisher<PublishItem>({
        sink,
        batchSize: 1,
        lingerMs: 0,
        maxInFlight: 1,
        retryTimeoutMs: 10_000,
        retryDelayMs: 1,
        onRetry: (_error, attempt) => retries.push(attempt),
        onAcknowledged: (items) => acknowledged.push(items.map((i) => String(i.record.value))),
      });
      await publisher.add(item(1));
      const second = publisher.add(item(2));
      sink.sent[0]!.fail(connectionLost());
      await new Promise((resolve) => setTimeout(resolve, 20));
      sink.sent[1]!.fail(connectionLost());
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sink.sent.map((send) => send.values)).toEqual([['1'], ['1'], ['1']]);
      sink.sent[2]!.acknowledge();
      await second;
      await settle();
      expect(sink.sent.map((send) => send.values)).toEqual([['1'], ['1'], ['1'], ['2']]);
      sink.sent[3]!.acknowledge();
      await publisher.flush();
      expect(retries).toEqual([1, 2]);
      expect(acknowledged).toEqual([['1'], ['2']]);
      expect(publisher.error).toBeUndefined();
    });

    it('gives up when the retry time has passed, and at once on a permanent error', async () => {
      const failing = (error: () => Error): RecordSink => ({ sendBatch: () => Promise.reject(error()) });
      const timedOut = new BatchingPublisher<PublishItem>({ sink: failing(connectionLost), batchSize: 1, lingerMs: 0, maxInFlight: 1, retryTimeoutMs: 30, retryDelayMs: 10 });
      await timedOut.add(item(1));
      await expect(timedOut.flush()).rejects.toThrow('ECONNREFUSED');

      const tooLarge = () => Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { name: 'KafkaJSProtocolError', retriable: false });
      let attempts = 0;
      const permanent = new BatchingPublisher<PublishItem>({
        sink: { sendBatch: () => (attempts++, Promise.reject(tooLarge())) },
        batchSize: 1,
        lingerMs: 0,
        maxInFlight: 1,
        retryTimeoutMs: 60_000,
      });
      await permanent.add(item(1));
      await expect(permanent.flush()).rejects.toThrow('larger than the max message size');
      expect(attempts).toBe(1);
    });

    it('tells permanent errors from transient ones, also when wrapped', () => {
      const protocol = (retriable: boolean) => Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', retriable });
      expect(isPermanentSendError(protocol(false))).toBe(true);
      expect(isPermanentSendError(Object.assign(new Error('wrapped'), { cause: protocol(false) }))).toBe(true);
      expect(isPermanentSendError(protocol(true))).toBe(false);
      expect(isPermanentSendError(connectionLost())).toBe(false);
      expect(isPermanentSendError(undefined)).toBe(false);
    });
  });
});
