import {
  buildFeedSequenceHeaders,
  buildSourceSequenceHeaders,
  parseFeedSequence,
  parseSourceSequence,
  SEQUENCE_HEADERS,
} from './sequence-headers';

describe('sequence headers', () => {
  it('round-trips a source sequence, from strings or Buffers', () => {
    const headers = buildSourceSequenceHeaders({ session: 'c0ffee', sequence: 42 });
    expect(headers).toEqual({ 'tickwire-source-session': 'c0ffee', 'tickwire-symbol-seq': '42' });
    expect(parseSourceSequence(headers)).toEqual({ session: 'c0ffee', sequence: 42 });
    expect(
      parseSourceSequence({
        [SEQUENCE_HEADERS.sourceSession]: Buffer.from('c0ffee'),
        [SEQUENCE_HEADERS.symbolSequence]: [Buffer.from('7')],
      }),
    ).toEqual({ session: 'c0ffee', sequence: 7 });
  });

  it('reads no source sequence from absent or malformed headers', () => {
    expect(parseSourceSequence(undefined)).toBeUndefined();
    expect(parseSourceSequence({ 'tickwire-symbol-seq': '1' })).toBeUndefined();
    for (const bad of ['0', '-1', '1.5', 'x', '', '01', '99999999999999999'])
      expect(parseSourceSequence({ 'tickwire-source-session': 's', 'tickwire-symbol-seq': bad })).toBeUndefined();
  });

  it('round-trips a feed sequence whose epoch may hold colons', () => {
    expect(buildFeedSequenceHeaders({ epoch: 'a:b', sequence: 3 })).toEqual({ 'tickwire-feed-seq': 'a:b:3' });
    expect(parseFeedSequence({ 'tickwire-feed-seq': 'a:b:3' })).toEqual({ epoch: 'a:b', sequence: 3 });
    for (const bad of ['3', ':3', 'e:', 'e:0', 'e:x'])
      expect(parseFeedSequence({ 'tickwire-feed-seq': bad })).toBeUndefined();
    expect(parseFeedSequence({})).toBeUndefined();
  });
});
