import { CloseCode } from 'graphql-ws';
import { closeCodeOf, errorFrame, PROTOCOL_ERRORS, type ProtocolErrorName } from './protocol-errors';

describe('protocol errors', () => {
  it('have distinct codes in Alpaca\'s 400-411 range plus 412-413, and distinct messages', () => {
    const codes = Object.values(PROTOCOL_ERRORS).map((error) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Math.min(...codes)).toBe(400);
    expect(Math.max(...codes)).toBe(413);
    const messages = Object.values(PROTOCOL_ERRORS).map((error) => error.msg);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('builds frames with a bounded detail and application close codes', () => {
    expect(errorFrame('notEntitled', 'quotes:AAPL')).toEqual({ type: 'error', code: 409, msg: 'not entitled', detail: 'quotes:AAPL' });
    expect(errorFrame('authTimeout')).toEqual({ type: 'error', code: 404, msg: 'auth timeout' });
    expect(errorFrame('invalidSyntax', 'x'.repeat(1000)).detail).toHaveLength(300);
    expect(closeCodeOf('slowClient')).toBe(4407);
  });

  it("that close use codes with one meaning on /v1/stream and GraphQL: none of graphql-ws's other CloseCodes", () => {
    // graphql-ws CloseCode: BadRequest 4400, Unauthorized 4401, Forbidden 4403, SubprotocolNotAcceptable 4406,
    // ConnectionInitialisationTimeout 4408, SubscriberAlreadyExists 4409, TooManyInitialisationRequests 4429,
    // BadResponse 4499, InternalServerError 4500, ConnectionAcknowledgementTimeout 4504.
    const graphQlWs = Object.values(CloseCode).filter((code): code is number => typeof code === 'number');
    expect(graphQlWs).toEqual(expect.arrayContaining([4406, 4408]));
    // rateLimited closes when the connection's budget of refused frames is spent; frameTooLarge closes with ws's 1009.
    const closing = (Object.keys(PROTOCOL_ERRORS) as ProtocolErrorName[]).filter((name) => (PROTOCOL_ERRORS[name].closes || name === 'rateLimited') && name !== 'frameTooLarge');
    const codes = closing.map(closeCodeOf);
    expect(new Set(codes).size).toBe(codes.length);
    expect([closeCodeOf('connectionLimitExceeded'), closeCodeOf('rateLimited'), closeCodeOf('authTimeout')]).toEqual([4006, 4008, CloseCode.ConnectionInitialisationTimeout]);
    expect(closing.filter((name) => name !== 'authTimeout' && graphQlWs.includes(closeCodeOf(name)))).toEqual([]);
  });
});
