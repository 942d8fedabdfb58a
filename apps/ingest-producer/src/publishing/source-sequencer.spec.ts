import { parseSourceSequence, SEQUENCE_HEADERS } from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';
import { SourceSequencer } from './source-sequencer';

const record = (topic: string, symbol: string): OutgoingRecord => ({
  topic,
  key: symbol,
  value: '{}',
  headers: { schema: 'x' },
});

describe('SourceSequencer', () => {
  it('counts per symbol from 1 over every topic, in call order, keeping existing headers', () => {
    const sequencer = new SourceSequencer('s-1');
    const stamped = [
      sequencer.stamp(record('market.trades.v1', 'AAPL'), 'AAPL'),
      sequencer.stamp(record('market.quotes.v1', 'AAPL'), 'AAPL'),
      sequencer.stamp(record('market.quotes.v1', 'MSFT'), 'MSFT'),
      sequencer.stamp(record('market.trading-status.v1', 'AAPL'), 'AAPL'),
    ];
    expect(stamped.map((r) => parseSourceSequence(r.headers))).toEqual([
      { session: 's-1', sequence: 1 },
      { session: 's-1', sequence: 2 },
      { session: 's-1', sequence: 1 },
      { session: 's-1', sequence: 3 },
    ]);
    expect(stamped[0]!.headers).toEqual({
      schema: 'x',
      [SEQUENCE_HEADERS.sourceSession]: 's-1',
      [SEQUENCE_HEADERS.symbolSequence]: '1',
    });
  });

  it('draws a new random session per instance (process start)', () => {
    const a = new SourceSequencer();
    const b = new SourceSequencer();
    expect(a.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.session).not.toBe(b.session);
  });
});
