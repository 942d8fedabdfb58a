import { channelSymbolsOf, parseClientMessage } from './client-messages';

describe('parseClientMessage', () => {
  it('parses auth, subscribe with lists and the wildcard, unsubscribe and ping', () => {
    expect(parseClientMessage('{"action":"auth","key":"tw_abc"}')).toEqual({ ok: true, message: { action: 'auth', key: 'tw_abc' } });
    const subscribe = parseClientMessage('{"action":"subscribe","trades":["AAPL","BRK.B"],"bars":["*"]}');
    expect(subscribe).toEqual({ ok: true, message: { action: 'subscribe', trades: ['AAPL', 'BRK.B'], bars: ['*'] } });
    expect(subscribe.ok && channelSymbolsOf(subscribe.message)).toEqual({ trades: ['AAPL', 'BRK.B'], bars: ['*'] });
    expect(parseClientMessage('{"action":"unsubscribe","alerts":["AAPL"]}').ok).toBe(true);
    expect(parseClientMessage('{"action":"ping"}').ok).toBe(true);
  });

  it('refuses non-JSON, unknown actions, unknown channels and bad symbols with a reason', () => {
    expect(parseClientMessage('hello')).toEqual({ ok: false, reason: 'frame is not JSON' });
    expect(parseClientMessage('{"action":"dance"}')).toMatchObject({ ok: false, reason: expect.stringContaining('action must be auth') });
    expect(parseClientMessage('{"action":"subscribe","news":["AAPL"]}')).toMatchObject({ ok: false, reason: expect.stringContaining('news') });
    expect(parseClientMessage('{"action":"subscribe","trades":["aapl"]}')).toMatchObject({ ok: false, reason: expect.stringMatching(/^trades\.\[0\]: symbols are/) });
    expect(parseClientMessage('{"action":"subscribe","trades":"AAPL"}').ok).toBe(false);
    expect(parseClientMessage('{"action":"auth"}').ok).toBe(false);
    expect(parseClientMessage('[1,2]').ok).toBe(false);
    expect(parseClientMessage('null').ok).toBe(false);
  });
});
