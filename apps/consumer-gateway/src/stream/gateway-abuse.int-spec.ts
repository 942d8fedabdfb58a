import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { EnrichedV1Event } from '@tickwire/contracts';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { enrichedTrade, uniqueSymbol } from '../testing/market-event-builders';
import { StreamTestClient } from '../testing/stream-test-client';

/**
 * Gateway abuse on the real local stack (one gateway, real Kafka and DynamoDB): malformed and
 * oversized frames, subscription floods, connection floods of one key and of one address, and
 * authentication brute force, on `/v1/stream`, `/v1/graphql` and REST. Each abuser gets a clear error
 * (error frame + close code, GraphQL error result or close code, HTTP 429 with Retry-After); the heap
 * after the floods stays within a bound; and two well-behaved clients (stream and GraphQL) subscribed
 * before the abuse receive every event produced during it, in order, without a disconnect.
 *
 * All clients come from 127.0.0.1, so the per-address limits are shared: the well-behaved clients
 * authenticate first and the brute-force case runs last.
 */
const GRAPHQL_PROTOCOL = 'graphql-transport-ws';
const EVENTS = 150;
/** Generous (2.8 MiB measured): the malformed-frame flood alone sends 32 MiB, the other floods add more. */
const HEAP_GROWTH_BOUND_BYTES = 24 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A raw WebSocket (no protocol client), resolving once open; `closed` resolves with code and reason. */
async function rawSocket(url: string, protocol?: string) {
  const socket = new WebSocket(url, protocol);
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(data.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, closed };
}

/** The HTTP answer to an upgrade the gateway refuses (status and Retry-After). */
function refusedUpgrade(url: string): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_request, response) => {
      resolve({
        status: response.statusCode ?? 0,
        retryAfter: response.headers['retry-after'] as string | undefined,
      });
      socket.terminate();
    });
    socket.on('open', () => reject(new Error('upgrade accepted')));
    socket.on('error', () => undefined);
  });
}

function heapUsedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('gateway abuse on the local stack', () => {
  let gateway: GatewayTestHarness;
  const symbol = uniqueSymbol();
  const produced: EnrichedV1Event[] = [];
  const streamClients: StreamTestClient[] = [];
  const graphQlClients: Client[] = [];
  let good: StreamTestClient;
  const goodGraphQl: { ids: string[]; errors: unknown[]; closedWith: number | null } = {
    ids: [],
    errors: [],
    closedWith: null,
  };
  let producing: Promise<void>;
  let heapBefore: number;
  /** Events the well-behaved clients had received before the abuse began (the liveness probes). */
  let probesSeen = { stream: 0, graphQl: 0 };

  const connectStream = async (): Promise<StreamTestClient> => {
    const client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    streamClients.push(client);
    return client;
  };
  const graphQl = (apiKey: string, onClosed?: (code: number) => void): Client => {
    const client = createClient({
      url: gateway.wsUrl('/v1/graphql'),
      webSocketImpl: WebSocket,
      connectionParams: { apiKey },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: { closed: (event) => onClosed?.((event as { code: number }).code) },
    });
    graphQlClients.push(client);
    return client;
  };

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start({
      STREAM_AUTH_BURST: '12',
      STREAM_AUTH_PER_SECOND: '0.05',
      STREAM_SUBSCRIBE_BURST: '10',
      STREAM_SUBSCRIBE_PER_SECOND: '1',
      STREAM_ERROR_BURST: '20',
      STREAM_ERRORS_PER_SECOND: '1',
      WS_MAX_PENDING_PER_ADDRESS: '8',
      GRAPHQL_MAX_SUBSCRIPTIONS: '5',
    });
    const goodKey = await gateway.createKey({ symbols: [symbol], maxConnections: 2 });
    good = await connectStream();
    expect(await good.auth(goodKey)).toMatchObject({ msg: 'authenticated' });
    expect(await good.subscribe({ enriched: [symbol] })).toMatchObject({
      type: 'subscription',
      enriched: [symbol],
    });
    const client = graphQl(goodKey, (code) => (goodGraphQl.closedWith = code));
    client.subscribe<{ enriched: { id: string } }>(
      { query: `subscription { enriched(filter: { symbol: { eq: "${symbol}" } }) { id } }` },
      {
        next: (result) => {
          if (result.errors) goodGraphQl.errors.push(...result.errors);
          else if (result.data) goodGraphQl.ids.push(result.data.enriched.id);
        },
        error: (error) => goodGraphQl.errors.push(error),
        complete: () => undefined,
      },
    );
    // The subscriptions are live once an event produced now reaches both (GraphQL subscribes after its ack).
    for (let probe = 1; good.dataFrames('enriched').length === 0 || goodGraphQl.ids.length === 0; probe++) {
      if (probe > 60) {
        throw new Error(
          `subscriptions not live: stream ${good.dataFrames('enriched').length}, GraphQL ${goodGraphQl.ids.length} ${JSON.stringify(goodGraphQl.errors)}`,
        );
      }
      await gateway.produce([enrichedTrade(symbol, 100, Date.UTC(2012, 5, 21, 13, 29) + probe, probe)]);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    probesSeen = { stream: good.dataFrames('enriched').length, graphQl: goodGraphQl.ids.length };
    heapBefore = heapUsedAfterGc();
    // Events flow during all the abuse below: 10 every 100 ms.
    producing = (async () => {
      for (let i = 0; i < EVENTS; i += 10) {
        const batch = Array.from({ length: 10 }, (_, j) =>
          enrichedTrade(
            symbol,
            100 + (i + j) / 100,
            Date.UTC(2012, 5, 21, 13, 30) + (i + j) * 10,
            1_000 + i + j,
          ),
        );
        await gateway.produce(batch);
        produced.push(...batch);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  }, 60_000);

  afterAll(async () => {
    for (const client of streamClients) client.close();
    for (const client of graphQlClients) await client.dispose();
    await gateway?.stop();
  });

  it('stream: malformed frames get 400 each, a flood of them closes with 4008; an oversized frame closes with 1009', async () => {
    const flooder = await connectStream();
    // 2,000 frames of 16 KiB (32 MiB in all, each below STREAM_MAX_PAYLOAD_BYTES): more than the heap bound,
    // had the gateway kept them.
    const junk = `not json ${'x'.repeat(16 * 1024)}`;
    for (let i = 0; i < 2_000; i++)
      flooder.send(i % 2 === 0 ? junk : { action: 'subscribe', trades: ['lower-case'], pad: junk });
    expect(await flooder.whenClosed()).toBe(4008);
    const errors = flooder.frames.filter((f) => f.type === 'error');
    expect(errors[0]).toMatchObject({ code: 400, msg: 'invalid syntax' });
    expect(errors.at(-1)).toMatchObject({
      code: 408,
      msg: 'rate limit exceeded',
      detail: expect.stringContaining('refused frames'),
    });
    expect(errors.length).toBeLessThanOrEqual(25);

    const big = await connectStream();
    big.send({ action: 'auth', key: 'x'.repeat(128 * 1024) });
    expect(await big.whenClosed()).toBe(1009);
  });

  it('graphql: a malformed message closes with 4400, an oversized one with 1009', async () => {
    const malformed = await rawSocket(gateway.wsUrl('/v1/graphql'), GRAPHQL_PROTOCOL);
    malformed.socket.send('{"type":"connection_init","payload":');
    expect(await malformed.closed).toMatchObject({ code: 4400 });
    const oversized = await rawSocket(gateway.wsUrl('/v1/graphql'), GRAPHQL_PROTOCOL);
    oversized.socket.send(
      JSON.stringify({ type: 'connection_init', payload: { apiKey: 'x'.repeat(128 * 1024) } }),
    );
    expect(await oversized.closed).toMatchObject({ code: 1009 });
  });

  it('stream: a subscription flood is rate limited (408), capped at the key maxSymbols (405), and closed once it keeps on (4008)', async () => {
    const key = await gateway.createKey({ maxSymbols: 3 });
    const client = await connectStream();
    expect(await client.auth(key)).toMatchObject({ msg: 'authenticated' });
    expect(await client.subscribe({ trades: ['AAA', 'BBB', 'CCC', 'DDD'] })).toMatchObject({
      code: 405,
      msg: 'symbol limit exceeded',
    });
    for (let i = 0; i < 2_000; i++) client.send({ action: 'subscribe', trades: [`S${i % 3}`] });
    expect(await client.whenClosed()).toBe(4008);
    const codes = new Set(client.frames.filter((f) => f.type === 'error').map((f) => f['code']));
    expect([...codes].sort()).toEqual([405, 408]);
  });

  it('graphql: subscribe operations beyond the rate (408), the per-connection cap (405) and maxSymbols (405) get error results; the connection stays', async () => {
    const key = await gateway.createKey({ maxSymbols: 4 });
    let closedWith: number | null = null;
    const client = graphQl(key, (code) => (closedWith = code));
    const outcomes: string[] = [];
    const subscribe = (s: string) =>
      new Promise<void>((resolve) => {
        let settled = false;
        const done = (outcome: string) => {
          if (settled) return;
          settled = true;
          outcomes.push(outcome);
          resolve();
        };
        client.subscribe(
          { query: `subscription { bars(filter: { symbol: { eq: "${s}" } }) { id } }` },
          {
            next: (result) =>
              done(result.errors ? `error ${String(result.errors[0]?.extensions?.['code'])}` : 'data'),
            error: (error) =>
              done(`error ${String((error as { extensions?: { code?: number } }[])[0]?.extensions?.code)}`),
            complete: () => done('complete'),
          },
        );
        // An accepted subscription sends nothing until data arrives: count it as accepted after a moment.
        setTimeout(() => done('active'), 1_000);
      });
    await Promise.all(Array.from({ length: 30 }, (_, i) => subscribe(`GQ${i}`)));
    const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
    // 4 distinct symbols fit (maxSymbols 4 < 5 subscriptions cap); the rest are refused with a code.
    expect([count('active'), count('error 405') + count('error 408'), outcomes.length]).toEqual([4, 26, 30]);
    expect(count('error 408')).toBeGreaterThanOrEqual(20);
    expect(closedWith).toBeNull();
  });

  it('connection floods: one key beyond maxConnections gets 406 (close 4006 on stream and GraphQL); one address beyond the pending cap gets HTTP 429 with Retry-After', async () => {
    const key = await gateway.createKey({ maxConnections: 2 });
    const answers: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const client = await connectStream();
      answers.push((await client.auth(key))['msg']);
    }
    expect(answers).toEqual([
      'authenticated',
      'authenticated',
      'connection limit exceeded',
      'connection limit exceeded',
    ]);
    expect(streamClients.at(-1)?.closeCode ?? (await streamClients.at(-1)?.whenClosed())).toBe(4006);
    const closes: number[] = [];
    graphQl(key, (code) => closes.push(code));
    await until(() => closes.length === 1, 'the GraphQL connection beyond the key limit to close');
    expect(closes).toEqual([4006]);

    // Unauthenticated sockets: 8 are held (until the auth timeout), the 9th upgrade is refused.
    const pending = await Promise.all(
      Array.from({ length: 8 }, () => rawSocket(gateway.wsUrl('/v1/stream'))),
    );
    expect(await refusedUpgrade(gateway.wsUrl('/v1/graphql'))).toEqual({ status: 429, retryAfter: '10' });
    for (const { socket } of pending) socket.terminate();
    await Promise.all(pending.map(({ closed }) => closed));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the server sees the closes
    const afterwards = await connectStream();
    expect(afterwards.closeCode).toBeNull();
  });

  it('keeps the heap bounded through the floods', () => {
    // Clients closed above hold nothing in the gateway any more.
    const growth = heapUsedAfterGc() - heapBefore;
    console.info(
      `gateway abuse: heap growth after the floods ${(growth / 1024 / 1024).toFixed(1)} MiB (bound ${HEAP_GROWTH_BOUND_BYTES / 1024 / 1024} MiB)`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
  });

  it('authentication brute force: stream closes with 412 (4412), GraphQL with 4412, REST answers 429 with Retry-After', async () => {
    // Wrong keys on one connection: 402 twice, then 412 and close (per-connection limit).
    const one = await connectStream();
    expect(await one.auth('tw_guess-1')).toMatchObject({ code: 402, msg: 'auth failed' });
    expect(await one.auth('tw_guess-2')).toMatchObject({ code: 402 });
    expect(await one.auth('tw_guess-3')).toMatchObject({ code: 412, msg: 'too many auth attempts' });
    expect(await one.whenClosed()).toBe(4412);
    // New connections from the same address until its auth budget is spent.
    let code: number | null = null;
    for (let i = 0; i < 20 && code !== 4412; i++) {
      const client = await connectStream();
      const answer = await client.auth(`tw_guess-${i}-x`);
      if (answer['code'] === 412) code = await client.whenClosed();
      else client.close();
    }
    expect(code).toBe(4412);
    const graphQlCloses: number[] = [];
    graphQl('tw_guess-graphql', (closeCode) => graphQlCloses.push(closeCode));
    await until(() => graphQlCloses.length === 1, 'the GraphQL brute force to be closed');
    expect(graphQlCloses).toEqual([4412]);

    // REST: every request carries its key; failures are budgeted per address, then 429 + Retry-After.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 15 && retryAfter === null; i++) {
      const response = await fetch(`${gateway.running.url}/v1/snapshots/${symbol}`, {
        headers: { 'x-api-key': `tw_guess-rest-${i}` },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect(await response.json()).toMatchObject({
          type: 'tag:tickwire,2026:problems/too-many-auth-failures',
          status: 429,
          detail: expect.stringContaining('too many failed authentications'),
        });
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((status) => status === 401)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('the well-behaved clients received every event produced during the abuse, in order, without a disconnect', async () => {
    await producing;
    const ids = produced.map((event) => event.id);
    const streamIds = () =>
      good
        .dataFrames('enriched')
        .slice(probesSeen.stream)
        .map((frame) => frame['id']);
    const graphQlIds = () => goodGraphQl.ids.slice(probesSeen.graphQl);
    await until(
      () => streamIds().length >= ids.length && graphQlIds().length >= ids.length,
      'every event at the well-behaved clients',
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // a duplicate would arrive now
    expect(streamIds()).toEqual(ids);
    expect(graphQlIds()).toEqual(ids);
    expect([good.closeCode, goodGraphQl.closedWith, goodGraphQl.errors]).toEqual([null, null, []]);
  });
});
