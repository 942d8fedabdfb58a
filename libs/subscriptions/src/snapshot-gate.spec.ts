import { SnapshotGate } from './snapshot-gate';

describe('SnapshotGate', () => {
  it('delivers deltas of symbols without a snapshot in progress', () => {
    expect(new SnapshotGate<string>().offer('AAPL', 1, 'd')).toBe('deliver');
  });

  it('buffers while loading, then releases only deltas newer than the snapshot, in order', () => {
    const gate = new SnapshotGate<string>();
    gate.begin('AAPL');
    expect(gate.offer('AAPL', 100, 'old')).toBe('buffered');
    expect(gate.offer('AAPL', 200, 'same-ms')).toBe('buffered');
    expect(gate.offer('AAPL', 201, 'new1')).toBe('buffered');
    expect(gate.offer('AAPL', 300, 'new2')).toBe('buffered');
    expect(gate.offer('AMZN', 50, 'other')).toBe('deliver');
    expect(gate.complete('AAPL', 200)).toEqual(['new1', 'new2']);
    expect(gate.isLoading('AAPL')).toBe(false);
    // A lagging partition cannot deliver an event the snapshot already covers.
    expect(gate.offer('AAPL', 150, 'late')).toBe('drop');
    expect(gate.offer('AAPL', 301, 'live')).toBe('deliver');
  });

  it('releases everything when the symbol has no state yet, and forgets on unsubscribe', () => {
    const gate = new SnapshotGate<string>(2);
    gate.begin('NEW');
    gate.offer('NEW', 1, 'a');
    gate.offer('NEW', 2, 'b');
    gate.offer('NEW', 3, 'c'); // beyond the bound: the oldest goes
    expect(gate.complete('NEW', null)).toEqual(['b', 'c']);
    gate.begin('X');
    gate.complete('X', 500);
    gate.forget('X');
    expect(gate.offer('X', 10, 'again')).toBe('deliver');
  });
});
