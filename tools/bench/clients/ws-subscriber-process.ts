/**
 * A process of WebSocket subscribers of the consumer gateway, driven over IPC by the bench
 * (see subscriber-protocol.ts): opens the sockets (bounded concurrency), authenticates, subscribes each
 * to its symbols on the `enriched` channel, then counts data frames and records the receive time of
 * the sampled ones inside measurement windows. Several such processes spread 10,000 sockets over cores.
 */
import WebSocket from 'ws';
import {
  extractNumber,
  extractString,
  isSampled,
  type SubscriberCommand,
  type SubscriberReport,
} from './subscriber-protocol';

/** Sockets opening at once: keeps the gateway's accept queue and DynamoDB snapshot reads from bursting. */
const CONNECT_CONCURRENCY = 50;
const DATA_FRAME_PREFIX = '{"type":"enriched"';

let sockets: WebSocket[] = [];
let sampleDivisor = 1;
let latencyFromEventTime = false;
let eventTimeLatenciesMs: number[] = [];
let measuring = false;
let frames = 0;
let windowStartedAt = 0;
let sampledIds: string[] = [];
let sampledAtMs: number[] = [];
let closedByServer = 0;
let closing = false;

function send(report: SubscriberReport): void {
  process.send?.(report);
}

function onFrame(data: WebSocket.RawData): void {
  if (!measuring) return;
  const text = data.toString();
  if (!text.startsWith(DATA_FRAME_PREFIX)) return;
  frames += 1;
  // Keyed by the raw event's id, which the Kafka taps see on the raw and the enriched topics alike.
  const id = extractString(text, 'sourceEventId');
  if (id !== null && isSampled(id, sampleDivisor)) {
    const at = performance.timeOrigin + performance.now();
    sampledIds.push(id);
    sampledAtMs.push(at);
    if (latencyFromEventTime) {
      const eventTime = extractNumber(text, 'eventTime');
      if (eventTime !== null) eventTimeLatenciesMs.push(at - eventTime);
    }
  }
}

/** Opens one socket and completes auth and subscription; resolves with the socket. */
function openSocket(url: string, apiKey: string, symbols: readonly string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('connect/auth/subscribe timed out after 60 s'));
    }, 60_000);
    let stage: 'connect' | 'auth' | 'subscribe' | 'open' = 'connect';
    socket.on('message', (data) => {
      if (stage === 'open') return onFrame(data);
      const message = JSON.parse(data.toString()) as { type: string; msg?: string; code?: number };
      if (message.type === 'error') {
        clearTimeout(timer);
        socket.terminate();
        reject(new Error(`gateway error ${message.code}: ${message.msg}`));
      } else if (stage === 'connect' && message.msg === 'connected') {
        stage = 'auth';
        socket.send(JSON.stringify({ action: 'auth', key: apiKey }));
      } else if (stage === 'auth' && message.msg === 'authenticated') {
        stage = 'subscribe';
        socket.send(JSON.stringify({ action: 'subscribe', enriched: symbols }));
      } else if (stage === 'subscribe' && message.type === 'subscription') {
        stage = 'open';
        clearTimeout(timer);
        resolve(socket);
      }
    });
    socket.on('close', () => {
      if (stage === 'open' && !closing) closedByServer += 1;
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (stage !== 'open') reject(error);
    });
  });
}

async function connectAll(command: Extract<SubscriberCommand, { type: 'connect' }>): Promise<void> {
  sampleDivisor = command.sampleDivisor;
  latencyFromEventTime = command.latencyFromEventTime;
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const opened: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: Math.min(CONNECT_CONCURRENCY, command.sockets.length) }, async () => {
      for (let index = next++; index < command.sockets.length; index = next++) {
        try {
          opened.push(await openSocket(command.url, command.apiKey, command.sockets[index] ?? []));
        } catch (error) {
          failed += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  sockets = opened;
  send({ type: 'connected', sockets: opened.length, failed, ...(firstError ? { firstError } : {}) });
}

process.on('message', (command: SubscriberCommand) => {
  switch (command.type) {
    case 'connect':
      void connectAll(command).catch((error: unknown) => send({ type: 'error', message: String(error) }));
      break;
    case 'start-window':
      frames = 0;
      sampledIds = [];
      sampledAtMs = [];
      eventTimeLatenciesMs = [];
      windowStartedAt = performance.now();
      measuring = true;
      break;
    case 'end-window':
      measuring = false;
      send({
        type: 'window',
        frames,
        windowMs: performance.now() - windowStartedAt,
        sampledIds,
        sampledAtMs,
        eventTimeLatenciesMs,
        closed: closedByServer,
      });
      break;
    case 'close':
      closing = true;
      for (const socket of sockets) socket.terminate();
      process.exit(0);
  }
});
