import { type SequencedInput, SourceSequenceTracker } from './source-sequence-tracker';

const at = (sequence: number, symbol = 'AAPL', session = 's1'): SequencedInput => ({
  symbol,
  source: { session, sequence },
});

describe('SourceSequenceTracker', () => {
  it('a session\'s first record is complete; each later one once its predecessor was added', () => {
    const tracker = new SourceSequenceTracker();
    tracker.added([at(1), at(2)]);
    expect(tracker.isComplete(at(1))).toBe(true);
    expect(tracker.isComplete(at(2))).toBe(true);
    // 3 is not added yet: 4 may not go before it.
    tracker.added([at(4)]);
    expect(tracker.isComplete(at(4))).toBe(false);
    tracker.added([at(3)]);
    expect(tracker.isComplete(at(3))).toBe(true);
    expect(tracker.isComplete(at(4))).toBe(true);
    expect(tracker.pendingTotal).toBe(0);
  });

  it('needs every predecessor since the base, not only sequence - 1 (a gap further back still holds)', () => {
    const tracker = new SourceSequenceTracker();
    tracker.added([at(1), at(3), at(4)]);
    expect(tracker.isComplete(at(4))).toBe(false);
    expect(tracker.pendingTotal).toBe(2);
  });

  it('the first record seen of a session other than 1 is not complete: its predecessor may be unfetched', () => {
    const tracker = new SourceSequenceTracker();
    tracker.added([at(7), at(8)]);
    expect(tracker.isComplete(at(7))).toBe(false);
    expect(tracker.isComplete(at(8))).toBe(false);
  });

  it('a record taken without being complete becomes the base: a lost predecessor costs one wait', () => {
    const tracker = new SourceSequenceTracker();
    tracker.added([at(7), at(8)]);
    tracker.taken(at(7));
    expect(tracker.isComplete(at(8))).toBe(true);
    tracker.added([at(10), at(11)]);
    expect(tracker.isComplete(at(10))).toBe(false);
    tracker.taken(at(10));
    expect(tracker.isComplete(at(11))).toBe(true);
    // A complete record taken changes nothing.
    tracker.taken(at(8));
    expect(tracker.isComplete(at(11))).toBe(true);
    expect(tracker.pendingTotal).toBe(0);
  });

  it('counts per symbol and per session; a new session replaces the symbol\'s old one', () => {
    const tracker = new SourceSequenceTracker();
    tracker.added([at(1, 'AAPL'), at(5, 'MSFT'), at(2, 'AAPL')]);
    expect(tracker.isComplete(at(2, 'AAPL'))).toBe(true);
    expect(tracker.isComplete(at(2, 'MSFT'))).toBe(false);
    expect(tracker.isComplete(at(2, 'AAPL', 's2'))).toBe(false);
    tracker.added([at(1, 'AAPL', 's2'), at(2, 'AAPL', 's2')]);
    expect(tracker.size).toBe(2);
    expect(tracker.isComplete(at(2, 'AAPL', 's2'))).toBe(true);
    // The old session is forgotten (its records wait as without headers, except each session's first).
    expect(tracker.isComplete(at(2, 'AAPL', 's1'))).toBe(false);
    tracker.taken(at(9, 'AAPL', 's1'));
    expect(tracker.isComplete(at(2, 'AAPL', 's2'))).toBe(true);
  });

  it('records without sequence headers are never complete', () => {
    const tracker = new SourceSequenceTracker();
    tracker.added([{ symbol: 'AAPL', source: undefined }, { symbol: undefined, source: { session: 's1', sequence: 2 } }]);
    expect(tracker.isComplete({ symbol: 'AAPL', source: undefined })).toBe(false);
    expect(tracker.isComplete({ symbol: undefined, source: { session: 's1', sequence: 2 } })).toBe(false);
    expect(tracker.size).toBe(0);
  });

  it('clear() forgets what was added (the merge fetches again)', () => {
    const tracker = new SourceSequenceTracker();
    tracker.added([at(1), at(2)]);
    tracker.clear();
    expect(tracker.isComplete(at(3))).toBe(false);
    expect(tracker.isComplete(at(1))).toBe(true);
    expect(tracker.size).toBe(0);
  });
});
