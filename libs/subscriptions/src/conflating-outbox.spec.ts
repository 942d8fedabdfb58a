import { ConflatingOutbox } from './conflating-outbox';

function drain<T>(outbox: ConflatingOutbox<T>): T[] {
  const out: T[] = [];
  for (let next = outbox.shift(); next !== undefined; next = outbox.shift()) out.push(next.message);
  return out;
}

describe('ConflatingOutbox', () => {
  it('queues in order up to maxQueued, then keeps the latest per key', () => {
    const outbox = new ConflatingOutbox<string>({ maxQueued: 2, maxConflated: 10 });
    expect(outbox.push('trades:AAPL', 'a1')).toBe('queued');
    expect(outbox.push('trades:AAPL', 'a2')).toBe('queued');
    expect(outbox.push('trades:AAPL', 'a3')).toBe('conflated');
    expect(outbox.push('trades:AMZN', 'z1')).toBe('conflated');
    expect(outbox.push('trades:AAPL', 'a4')).toBe('conflated');
    expect(outbox.isConflating).toBe(true);
    expect(outbox.size).toBe(4);
    expect(drain(outbox)).toEqual(['a1', 'a2', 'z1', 'a4']);
    expect(outbox.conflatedCount).toBe(3);
  });

  it('says how many messages a conflated one replaced', () => {
    const outbox = new ConflatingOutbox<string>({ maxQueued: 1, maxConflated: 10 });
    outbox.push('trades:AAPL', 'a1');
    outbox.push('trades:AAPL', 'a2');
    outbox.push('trades:AAPL', 'a3');
    outbox.push('trades:AAPL', 'a4');
    outbox.push('quotes:AAPL', 'q1');
    expect([outbox.shift(), outbox.shift(), outbox.shift(), outbox.shift()]).toEqual([
      { key: 'trades:AAPL', message: 'a1', skipped: 0 },
      { key: 'trades:AAPL', message: 'a4', skipped: 2 },
      { key: 'quotes:AAPL', message: 'q1', skipped: 0 },
      undefined,
    ]);
  });

  it('never delivers a replacing message ahead of one pushed after the message it replaced', () => {
    // A slow client unsubscribes AAPL and subscribes again: the new snapshot must come before the new deltas.
    const outbox = new ConflatingOutbox<string>({ maxQueued: 0, maxConflated: 10 });
    outbox.push('enriched:AAPL', 'old delta');
    outbox.push('control:1', 'unsubscribe ack');
    outbox.push('control:2', 'snapshot');
    outbox.push('enriched:AAPL', 'new delta');
    expect(drain(outbox)).toEqual(['unsubscribe ack', 'snapshot', 'new delta']);
  });

  it('keeps conflating until the conflated messages are sent, so a key never overtakes itself', () => {
    const outbox = new ConflatingOutbox<string>({ maxQueued: 1, maxConflated: 10 });
    outbox.push('k', 'q1');
    outbox.push('k', 'c1');
    expect(outbox.shift()?.message).toBe('q1'); // the queue has room again ...
    expect(outbox.push('k', 'c2')).toBe('conflated'); // ... but c2 must not jump ahead of c1's slot
    expect(drain(outbox)).toEqual(['c2']);
    expect(outbox.push('k', 'q2')).toBe('queued');
  });

  it('overflows when more keys are pending than maxConflated', () => {
    const outbox = new ConflatingOutbox<number>({ maxQueued: 0, maxConflated: 2 });
    expect(outbox.push('a', 1)).toBe('conflated');
    expect(outbox.push('b', 2)).toBe('conflated');
    expect(outbox.push('a', 3)).toBe('conflated');
    expect(outbox.push('c', 4)).toBe('overflow');
    outbox.clear();
    expect(outbox.size).toBe(0);
  });

  it('refuses nonsense limits', () => {
    expect(() => new ConflatingOutbox({ maxQueued: -1, maxConflated: 1 })).toThrow(RangeError);
    expect(() => new ConflatingOutbox({ maxQueued: 1, maxConflated: 0 })).toThrow(RangeError);
  });
});
