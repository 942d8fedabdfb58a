import { closeCodeOf, errorFrame, PROTOCOL_ERRORS } from './protocol-errors';

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
});
