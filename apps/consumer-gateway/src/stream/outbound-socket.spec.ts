import type { WebSocket } from 'ws';
import { OutboundSocket, OutboxPump } from './outbound-socket';

/** The slice of a ws WebSocket that OutboundSocket uses, with a settable bufferedAmount. */
class SocketDouble {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
}

describe('OutboundSocket', () => {
  const limits = { highWaterBytes: 1000, maxQueued: 2, maxConflated: 2, slowClientTimeoutMs: 60_000 };
  let pump: OutboxPump;

  beforeEach(() => {
    pump = new OutboxPump(1);
  });

  afterEach(() => pump.stop());

  function outbound(socket: SocketDouble, onSlow = jest.fn()) {
    return { outbound: new OutboundSocket(socket as unknown as WebSocket, limits, pump, onSlow), onSlow };
  }

  it('sends straight to a socket under the high-water mark', () => {
    const socket = new SocketDouble();
    outbound(socket).outbound.send('trades:AAPL', 'a1');
    expect(socket.sent).toEqual(['a1']);
  });

  it('queues, conflates and then reports a slow client when the socket stays full', () => {
    const socket = new SocketDouble();
    socket.bufferedAmount = 5000;
    const { outbound: out, onSlow } = outbound(socket);
    out.send('trades:AAPL', 'a1');
    out.send('trades:AAPL', 'a2');
    out.send('trades:AAPL', 'a3'); // conflated
    out.send('trades:AMZN', 'z1'); // conflated
    out.send('trades:AAPL', 'a4'); // replaces a3
    expect(socket.sent).toEqual([]);
    expect(out.backlog).toBe(4);
    expect(onSlow).not.toHaveBeenCalled();
    out.send('trades:GOOG', 'g1'); // a third conflated key: overflow
    expect(onSlow).toHaveBeenCalledTimes(1);
    expect(out.backlog).toBe(0);
    out.send('trades:AAPL', 'after');
    expect(socket.sent).toEqual([]);
  });

  it('drains in order once the socket takes data again', async () => {
    const socket = new SocketDouble();
    socket.bufferedAmount = 5000;
    const { outbound: out } = outbound(socket);
    out.send('trades:AAPL', 'a1');
    out.sendControl({ type: 'pong' });
    out.send('trades:AAPL', 'a2'); // conflated
    socket.bufferedAmount = 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.sent).toEqual(['a1', '{"type":"pong"}', 'a2']);
    out.send('trades:AAPL', 'a3');
    expect(socket.sent.at(-1)).toBe('a3');
  });

  it('tells the client how many frames a conflated one replaced, right before it', async () => {
    const socket = new SocketDouble();
    socket.bufferedAmount = 5000;
    const { outbound: out } = outbound(socket);
    for (const text of ['a1', 'a2', 'a3', 'a4', 'a5']) out.send('trades:BF.B', text);
    out.send('quotes:BF.B', 'q1');
    socket.bufferedAmount = 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.sent).toEqual(['a1', 'a2', '{"type":"conflated","channel":"trades","symbol":"BF.B","skipped":2}', 'a5', 'q1']);
  });

  it('reports a client whose outbox does not empty within the timeout', async () => {
    const socket = new SocketDouble();
    socket.bufferedAmount = 5000;
    const onSlow = jest.fn();
    const out = new OutboundSocket(socket as unknown as WebSocket, { ...limits, slowClientTimeoutMs: 10 }, pump, onSlow);
    out.send('trades:AAPL', 'a1');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(onSlow).toHaveBeenCalledTimes(1);
  });
});
