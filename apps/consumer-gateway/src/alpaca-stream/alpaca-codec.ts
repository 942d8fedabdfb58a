import {
  decode as decodeMsgpack,
  encode as encodeMsgpack,
  encodeTimeSpecToTimestamp,
  encodeTimestampExtension,
  EXT_TIMESTAMP,
  ExtensionCodec,
} from '@msgpack/msgpack';
import { rfc3339ToEpochNs } from '@tickwire/market-sources';

/** The wire format of one `/v2/tickwire` connection. */
export type AlpacaCodec = 'msgpack' | 'json';

/** The media type a client names in the upgrade's Content-Type header to get msgpack (alpaca-py, @alpacahq/alpaca-trade-api do). */
export const MSGPACK_MEDIA_TYPE = 'application/msgpack';

/**
 * The codec Alpaca negotiates: msgpack when the WebSocket upgrade request has `Content-Type:
 * application/msgpack`, JSON otherwise: the official SDKs ask for msgpack with that header (alpaca-py
 * `DataStream._connect`, @alpacahq/alpaca-trade-api `defaultWebSocketFactory`) and Alpaca's documented
 * examples without it get JSON text.
 */
export function negotiateAlpacaCodec(contentType: string | undefined): AlpacaCodec {
  return contentType?.split(';')[0]?.trim().toLowerCase() === MSGPACK_MEDIA_TYPE ? 'msgpack' : 'json';
}

/** Exact epoch time of a `t` field for msgpack's timestamp extension: whole seconds and nanoseconds. */
class TimeSpec {
  constructor(
    readonly sec: number,
    readonly nsec: number,
  ) {}
}

/**
 * msgpack codec whose timestamp extension (type -1) writes a {@link TimeSpec} to the nanosecond (the
 * 96-bit form when needed), as Alpaca's server does: alpaca-py calls `.to_datetime()` on `t`, and
 * @alpacahq/alpaca-trade-api decodes it with `decodeTimestampToTimeSpec`. A `Date` still encodes as usual.
 */
const timestampCodec = new ExtensionCodec();
timestampCodec.register({
  type: EXT_TIMESTAMP,
  encode: (input: unknown) => (input instanceof TimeSpec ? encodeTimeSpecToTimestamp(input) : encodeTimestampExtension(input)),
  decode: () => {
    throw new RangeError('timestamps are not expected from clients');
  },
});

function timeSpecOf(rfc3339: string): TimeSpec {
  const epochNs = rfc3339ToEpochNs(rfc3339).padStart(10, '0');
  return new TimeSpec(Number(epochNs.slice(0, -9)), Number(epochNs.slice(-9)));
}

/**
 * One frame of `/v2/tickwire`: the messages as an array (Alpaca sends arrays of `T`-typed messages).
 * JSON: text with `t` as RFC 3339 with nanoseconds. msgpack: binary, `t` as the msgpack timestamp
 * extension to the nanosecond (every other field as in JSON).
 * @param messages objects whose optional `t` is an RFC 3339 string (the JSON form).
 * @throws RangeError when a `t` is not RFC 3339 (a bug: the mapping writes them).
 */
export function encodeAlpacaFrame(codec: AlpacaCodec, messages: readonly object[]): string | Uint8Array {
  if (codec === 'json') return JSON.stringify(messages);
  const withTimestamps = messages.map((message) => {
    const t = (message as { t?: unknown }).t;
    return typeof t === 'string' ? { ...message, t: timeSpecOf(t) } : message;
  });
  return encodeMsgpack(withTimestamps, { extensionCodec: timestampCodec });
}

/**
 * Decodes a client frame: a binary frame as msgpack (the SDKs send msgpack), a text frame as JSON,
 * whatever was negotiated for the server's frames.
 * @throws Error when the frame is not valid msgpack / JSON.
 */
export function decodeAlpacaClientFrame(data: Buffer, isBinary: boolean): unknown {
  return isBinary ? decodeMsgpack(data, { extensionCodec: timestampCodec }) : JSON.parse(data.toString('utf8'));
}
