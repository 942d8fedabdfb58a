import { gunzipSync } from 'node:zlib';
import { TOPICS } from '@tickwire/contracts';
import type { KafkaRecord } from '@tickwire/kafka';
import { type BufferedEntry, buildArchiveObjects, dataLine, errorLine } from './archive-objects';

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2012, 5, 21, 13, 30); // 09:30 New York
const target = { topic: TOPICS.trades, partition: 2, dataPrefix: 'raw', errorPrefix: 'errors' };

const data = (offset: number, time: number, line = `{"o":${offset}}`): BufferedEntry => ({
  kind: 'data',
  offset: BigInt(offset),
  time,
  line,
});
const error = (offset: number, time: number): BufferedEntry => ({
  kind: 'error',
  offset: BigInt(offset),
  time,
  line: `{"e":${offset}}`,
});
const lines = (body: Buffer) => gunzipSync(body).toString('utf8').split('\n');

describe('buildArchiveObjects', () => {
  it('writes one gzip NDJSON object per kind and event-time hour, named by its first offset', () => {
    const objects = buildArchiveObjects(
      [data(100, T0), data(101, T0 + 1), data(102, T0 + HOUR_MS), error(103, T0), data(104, T0 + 2)],
      target,
    );
    expect(
      objects.map((object) => [object.key, object.records, object.firstOffset, object.lastOffset]),
    ).toEqual([
      [
        'raw/market.trades.v1/year=2012/month=06/day=21/hour=13/market.trades.v1+2+00000000000000000100.json.gz',
        3,
        100n,
        104n,
      ],
      [
        'raw/market.trades.v1/year=2012/month=06/day=21/hour=14/market.trades.v1+2+00000000000000000102.json.gz',
        1,
        102n,
        102n,
      ],
      [
        'errors/market.trades.v1/year=2012/month=06/day=21/hour=13/market.trades.v1+2+00000000000000000103.json.gz',
        1,
        103n,
        103n,
      ],
    ]);
    expect(lines(objects[0]!.body)).toEqual(['{"o":100}', '{"o":101}', '{"o":104}', '']);
    expect(lines(objects[2]!.body)).toEqual(['{"e":103}', '']);
  });

  it('is deterministic', () => {
    const entries = [data(5, T0), data(6, T0 + HOUR_MS)];
    expect(buildArchiveObjects(entries, target)).toEqual(buildArchiveObjects(entries, target));
    expect(buildArchiveObjects([], target)).toEqual([]);
  });
});

describe('dataLine', () => {
  it('keeps the record value verbatim', () => {
    const value = '{"schema":"market.trade.v1", "id":"x" }';
    expect(dataLine(Buffer.from(value))).toBe(value);
  });

  it('compacts only a value with line breaks, which would split the NDJSON line', () => {
    expect(dataLine(Buffer.from('{\n  "a": "b c"\r\n}'))).toBe('{"a":"b c"}');
  });
});

describe('errorLine', () => {
  const record = (value: Buffer | null): KafkaRecord => ({
    topic: TOPICS.quotes,
    partition: 1,
    offset: '42',
    key: null,
    value,
    headers: {},
    timestamp: T0,
  });

  it('carries the reason, the coordinates and the raw value', () => {
    expect(
      JSON.parse(errorLine(record(Buffer.from('{"bad":')), 'MalformedJson', 'Unexpected end of JSON input')),
    ).toEqual({
      reason: 'Unexpected end of JSON input',
      errorClass: 'MalformedJson',
      topic: TOPICS.quotes,
      partition: 1,
      offset: '42',
      timestamp: T0,
      rawValue: '{"bad":',
      rawValueEncoding: 'utf8',
    });
  });

  it('keeps bytes that are not UTF-8 as base64, and a tombstone as null', () => {
    expect(JSON.parse(errorLine(record(Buffer.from([0xff, 0xfe])), 'MalformedJson', 'x'))).toMatchObject({
      rawValue: '//4=',
      rawValueEncoding: 'base64',
    });
    expect(JSON.parse(errorLine(record(null), 'EmptyValue', 'x'))).toMatchObject({ rawValue: null });
  });
});
