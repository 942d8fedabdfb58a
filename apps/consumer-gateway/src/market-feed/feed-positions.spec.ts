import { FeedPositions } from './feed-positions';

describe('FeedPositions', () => {
  it('hands out each record once, also when a batch comes again, and skips past gaps', () => {
    const positions = new FeedPositions();
    expect(['10', '11', '12'].map((offset) => positions.advance('t', 0, offset))).toEqual([true, true, true]);
    // The same batch again (eachBatch threw), then records after it.
    expect(['10', '11', '12', '13'].map((offset) => positions.advance('t', 0, offset))).toEqual([false, false, false, true]);
    // Offsets of transaction markers and aborted records are never handed out: a gap is fine.
    expect(positions.advance('t', 0, '20')).toBe(true);
    expect(positions.advance('t', 0, '19')).toBe(false);
    expect(positions.advance('t', 1, '5')).toBe(true);
    expect(positions.advance('other', 0, '0')).toBe(true);
  });

  it('gives the positions of an assignment to seek to after a rejoin, beyond 2^53', () => {
    const positions = new FeedPositions();
    positions.advance('t', 0, '41');
    positions.advance('t', 2, '9007199254740993');
    positions.advance('u', 0, '7');
    expect(positions.positionsOf({ t: [0, 1, 2], v: [0] })).toEqual([
      { topic: 't', partition: 0, offset: '42' },
      { topic: 't', partition: 2, offset: '9007199254740994' },
    ]);
  });

  it('starts a partition at a given offset unless it has a position already', () => {
    const positions = new FeedPositions();
    positions.advance('t', 0, '41');
    positions.startAt('t', 0, '7');
    positions.startAt('t', 1, '7');
    expect(positions.positionsOf({ t: [0, 1] })).toEqual([
      { topic: 't', partition: 0, offset: '42' },
      { topic: 't', partition: 1, offset: '7' },
    ]);
    expect(positions.advance('t', 1, '6')).toBe(false);
    expect(positions.advance('t', 1, '7')).toBe(true);
  });
});
