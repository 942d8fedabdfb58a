import { decode, decodeTimestampToTimeSpec, EXT_TIMESTAMP, ExtensionCodec, encode } from '@msgpack/msgpack';
import { decodeAlpacaClientFrame, encodeAlpacaFrame, negotiateAlpacaCodec } from './alpaca-codec';

describe('negotiateAlpacaCodec', () => {
  it('gives msgpack for Content-Type application/msgpack (what the SDKs send), JSON otherwise', () => {
    expect(negotiateAlpacaCodec('application/msgpack')).toBe('msgpack');
    expect(negotiateAlpacaCodec('Application/MsgPack; charset=binary')).toBe('msgpack');
    expect(negotiateAlpacaCodec(undefined)).toBe('json');
    expect(negotiateAlpacaCodec('application/json')).toBe('json');
  });
});

describe('encodeAlpacaFrame', () => {
  const message = { T: 't', S: 'AAPL', p: 585.39, s: 100, t: '2012-06-21T13:30:00.275016159Z' };

  it('writes JSON text arrays with t as RFC 3339 nanoseconds', () => {
    expect(encodeAlpacaFrame('json', [message])).toBe(JSON.stringify([message]));
  });

  it('writes msgpack arrays with t as the timestamp extension to the nanosecond', () => {
    const timeSpecs = new ExtensionCodec();
    timeSpecs.register({ type: EXT_TIMESTAMP, encode: () => null, decode: (data) => decodeTimestampToTimeSpec(data) });
    const decoded = decode(encodeAlpacaFrame('msgpack', [message]) as Uint8Array, { extensionCodec: timeSpecs });
    expect(decoded).toEqual([{ ...message, t: { sec: 1_340_285_400, nsec: 275_016_159 } }]);
  });
});

describe('decodeAlpacaClientFrame', () => {
  it('reads binary frames as msgpack and text frames as JSON', () => {
    const auth = { action: 'auth', key: 'TW0', secret: 's' };
    expect(decodeAlpacaClientFrame(Buffer.from(encode(auth)), true)).toEqual(auth);
    expect(decodeAlpacaClientFrame(Buffer.from(JSON.stringify(auth)), false)).toEqual(auth);
    expect(() => decodeAlpacaClientFrame(Buffer.from('{"action":'), false)).toThrow();
    expect(() => decodeAlpacaClientFrame(Buffer.from([0xc1]), true)).toThrow();
  });
});
