import { parseFeedSequence } from '@tickwire/contracts';
import { FeedDeduplicator } from './feed-deduplicator';

const seq = (epoch: string, sequence: number) => ({ epoch, sequence });

describe('FeedDeduplicator', () => {
  it('forwards growing numbers and drops a replay of an aborted transaction (same numbers again)', () => {
    const dedupe = new FeedDeduplicator();
    // n = 1..3 committed, 4..5 in a transaction that aborts, then 4..5 re-emitted, then 6.
    const decisions = [1, 2, 3, 4, 5, 4, 5, 6].map((n) => dedupe.admit('market.enriched.v1', 'AAPL', seq('e1', n)));
    expect(decisions).toEqual([true, true, true, true, true, false, false, true]);
  });

  it('accepts gaps: numbers are shared by all topics of a symbol, so one topic sees a subsequence', () => {
    const dedupe = new FeedDeduplicator();
    expect([2, 5, 9].map((n) => dedupe.admit('market.bars.1m.v1', 'AAPL', seq('e1', n)))).toEqual([true, true, true]);
    expect(dedupe.admit('market.bars.1m.v1', 'AAPL', seq('e1', 7))).toBe(false);
  });

  it('keeps (topic, symbol) apart', () => {
    const dedupe = new FeedDeduplicator();
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e1', 10))).toBe(true);
    expect(dedupe.admit('market.bars.1m.v1', 'AAPL', seq('e1', 3))).toBe(true);
    expect(dedupe.admit('market.enriched.v1', 'AMZN', seq('e1', 3))).toBe(true);
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e1', 10))).toBe(false);
    expect(dedupe.size).toBe(3);
  });

  it('starts over in a new epoch, lower numbers included, and then drops replays of the new epoch', () => {
    const dedupe = new FeedDeduplicator();
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e1', 40))).toBe(true);
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e2', 1))).toBe(true);
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e2', 1))).toBe(false);
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e2', 2))).toBe(true);
    // Going back to the old epoch is a change of epoch too: forwarded, start over.
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e1', 41))).toBe(true);
  });

  it('forwards records without a feed sequence (old producers) and they do not touch the state', () => {
    const dedupe = new FeedDeduplicator();
    expect(dedupe.admit('market.enriched.v1', 'AAPL', undefined)).toBe(true);
    expect(dedupe.admit('market.enriched.v1', 'AAPL', undefined)).toBe(true);
    expect(dedupe.size).toBe(0);
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e1', 2))).toBe(true);
    expect(dedupe.admit('market.enriched.v1', 'AAPL', undefined)).toBe(true);
    expect(dedupe.admit('market.enriched.v1', 'AAPL', seq('e1', 2))).toBe(false);
  });

  it('takes what parseFeedSequence reads from the headers (malformed: as if absent)', () => {
    const dedupe = new FeedDeduplicator();
    const admit = (header: string | Buffer) => dedupe.admit('t', 'S', parseFeedSequence({ 'tickwire-feed-seq': header }));
    expect(admit(Buffer.from('e:1:7'))).toBe(true);
    expect(admit('e:1:7')).toBe(false);
    expect(admit('e:1:x')).toBe(true);
    expect(admit('e:1:8')).toBe(true);
  });
});
