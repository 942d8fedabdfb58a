import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SYMBOL_PATTERN } from '@tickwire/contracts';
import { InjectServiceConfig, ROOT_LOGGER } from '@tickwire/service-kit';
import {
  ALERT_FILTER_FIELDS,
  CORRECTION_FILTER_FIELDS,
  STATUS_FILTER_FIELDS,
  BAR_FILTER_FIELDS,
  BoundedAsyncQueue,
  type Channel,
  closeCodeOf,
  type CompiledFilter,
  compileFilter,
  type CustomerEntitlements,
  type CustomerEvent,
  ENRICHED_FILTER_FIELDS,
  FilterError,
  type FilterExpression,
  type FilterFieldTypes,
  filterFieldsOf,
  isEntitled,
  PROTOCOL_ERRORS,
  TokenBucket,
  type RoutedMessage,
  WILDCARD,
} from '@tickwire/subscriptions';
import { buildSchema, GraphQLError, type GraphQLField, type GraphQLSchema } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { AuthAttempts } from '../auth/auth-attempts';
import { CustomerConnections } from '../auth/customer-connections';
import type { GatewayConfig } from '../config/gateway-config';
import { GatewayMetrics } from '../fan-out/gateway-metrics';
import { type FeedSubscriber, SubscriberHub } from '../fan-out/subscriber-hub';
import { SymbolSnapshots } from '../snapshots/symbol-snapshots';
import { ClientAddresses } from '../auth/client-addresses';
import { WebSocketUpgradeRouter } from '../stream/websocket-upgrade-router';
import { GATEWAY_SCHEMA_SDL } from './graphql-schema';

/** Path of the GraphQL endpoint (graphql-ws protocol over WebSocket). */
export const GRAPHQL_PATH = '/v1/graphql';
/** Messages one GraphQL subscription may have waiting before it ends with "slow client". */
const SUBSCRIPTION_QUEUE_CAPACITY = 5_000;
/** Last item of a subscription that fell too far behind; its resolver turns it into a 407 error result. */
const SLOW_CLIENT = Symbol('slow-client');

/** Per-connection context: the socket, the upgrade request and the key's entitlements (set in onConnect). */
interface ConnectionExtra {
  socket: WebSocket;
  request: IncomingMessage;
  entitlements?: CustomerEntitlements;
  /** Frees the connection's unauthenticated slot of its address (PendingConnections). */
  releasePending: () => void;
  /** Active subscriptions and the symbols each routes ('*' for all): the connection's caps. */
  subscriptions: Map<FeedSubscriber, readonly string[]>;
  /** Subscribe operations (token bucket, as the stream's subscribe frames). */
  subscribeBucket: TokenBucket;
}

/** A GraphQL error result with the protocol error code of @tickwire/subscriptions. */
function protocolError(name: keyof typeof PROTOCOL_ERRORS, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: PROTOCOL_ERRORS[name].code } });
}

const STREAMS = {
  enriched: { channel: 'enriched' as Channel, fields: ENRICHED_FILTER_FIELDS, schema: 'market.enriched.v1' },
  bars: { channel: 'bars' as Channel, fields: BAR_FILTER_FIELDS, schema: 'market.bar.1m.v1' },
  alerts: { channel: 'alerts' as Channel, fields: ALERT_FILTER_FIELDS, schema: 'market.alert.v1' },
  corrections: { channel: 'corrections' as Channel, fields: CORRECTION_FILTER_FIELDS, schema: 'market.correction.v1' },
  statuses: { channel: 'statuses' as Channel, fields: STATUS_FILTER_FIELDS, schema: 'market.halt.v1' },
} as const;

/** A field of the SDL schema, to attach its resolver. @throws Error when the SDL lacks it (a programming error). */
function schemaField(schema: GraphQLSchema, type: 'Query' | 'Subscription', name: string): GraphQLField<unknown, ConnectionExtra> {
  const field = (type === 'Query' ? schema.getQueryType() : schema.getSubscriptionType())?.getFields()[name];
  if (!field) throw new Error(`GraphQL schema has no ${type}.${name}`);
  return field as GraphQLField<unknown, ConnectionExtra>;
}

/** The GraphQL view of an event: the payload with the envelope's id, eventTime and ingestTime. */
function toGraphQl(event: CustomerEvent): Record<string, unknown> {
  return { ...event.payload, id: event.id, eventTime: event.eventTime, ingestTime: event.ingestTime };
}

/**
 * Symbols a filter pins at the top level (`symbol: { eq }` or `{ in }`), so the subscription is
 * routed by symbol in the hub instead of seeing every event; null when it needs all symbols.
 */
function pinnedSymbols(filter: FilterExpression | undefined): string[] | null {
  const condition = filter?.['symbol'] as { eq?: unknown; in?: unknown } | undefined;
  if (typeof condition?.eq === 'string') return [condition.eq];
  if (Array.isArray(condition?.in) && condition.in.every((value) => typeof value === 'string')) return condition.in as string[];
  return null;
}

/**
 * GraphQL subscriptions over the graphql-ws protocol at `/v1/graphql`, AppSync-like: the API key goes
 * in the connection_init payload (`{ "apiKey": "tw_..." }`); each subscription takes a filter with
 * AppSync's operators (see @tickwire/subscriptions' compileFilter; `in` is not limited to 5 values).
 * Every subscription is a {@link FeedSubscriber} of the hub with its own bounded queue: graphql-ws
 * awaits each socket write, so a slow client only fills its own queue; when it is full the backlog is
 * dropped and the subscription ends with one error result (`extensions.code` 407, "slow client")
 * followed by complete. The fan-out loop never waits.
 *
 * Abuse limits: malformed messages close with 4400 (graphql-ws), frames above STREAM_MAX_PAYLOAD_BYTES
 * with 1009 (ws), connection_init attempts per address beyond STREAM_AUTH_BURST/STREAM_AUTH_PER_SECOND
 * with 4412 (too many auth attempts), a wrong key with 4403 (graphql-ws Forbidden), connections of a key
 * beyond its maxConnections with 4006 (not 4406, graphql-ws's "Subprotocol not acceptable"); subscribe operations beyond STREAM_SUBSCRIBE_BURST /
 * STREAM_SUBSCRIBE_PER_SECOND get a 408 error result, more than GRAPHQL_MAX_SUBSCRIPTIONS active ones or
 * more distinct symbols than the key's maxSymbols across them a 405 error result (the connection stays).
 */
@Injectable()
export class GraphQlGateway implements OnModuleInit, BeforeApplicationShutdown {
  private readonly server: WebSocketServer;
  private readonly schema: GraphQLSchema;
  private readonly log: Logger;
  private readonly limits: { maxSubscriptions: number; subscribeBurst: number; subscribePerSecond: number };

  constructor(
    @InjectServiceConfig() config: GatewayConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
    private readonly router: WebSocketUpgradeRouter,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly connections: CustomerConnections,
    private readonly snapshots: SymbolSnapshots,
    private readonly hub: SubscriberHub,
    private readonly metrics: GatewayMetrics,
    private readonly authAttempts: AuthAttempts,
    private readonly clients: ClientAddresses,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: config.STREAM_MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    this.log = logger.child({ component: 'graphql' });
    this.limits = {
      maxSubscriptions: config.GRAPHQL_MAX_SUBSCRIPTIONS,
      subscribeBurst: config.STREAM_SUBSCRIBE_BURST,
      subscribePerSecond: config.STREAM_SUBSCRIBE_PER_SECOND,
    };
    this.schema = buildSchema(GATEWAY_SCHEMA_SDL);
    for (const name of Object.keys(STREAMS) as (keyof typeof STREAMS)[]) {
      const field = schemaField(this.schema, 'Subscription', name);
      field.subscribe = (_root, args: { filter?: FilterExpression }, context: ConnectionExtra) => this.subscribe(name, args.filter, context);
      field.resolve = (payload: unknown) => {
        if (payload === SLOW_CLIENT) {
          throw new GraphQLError(PROTOCOL_ERRORS.slowClient.msg, { extensions: { code: PROTOCOL_ERRORS.slowClient.code } });
        }
        return payload;
      };
    }
    schemaField(this.schema, 'Query', 'snapshot').resolve = async (_root, args: { symbol: string }, context: ConnectionExtra) => {
      const entitlements = context.entitlements;
      if (!entitlements || !(['enriched', 'trades', 'quotes'] as Channel[]).some((channel) => isEntitled(entitlements, channel, args.symbol))) {
        throw new GraphQLError(`not entitled to ${args.symbol}`, { extensions: { code: PROTOCOL_ERRORS.notEntitled.code } });
      }
      // As the stream's subscribe and REST: a symbol in another case is refused, not looked up in vain.
      if (!SYMBOL_PATTERN.test(args.symbol)) throw protocolError('invalidSyntax', `"${args.symbol.slice(0, 20)}" is not a symbol (upper case, e.g. AAPL, BF.B)`);
      return this.snapshots.latest(args.symbol);
    };
  }

  onModuleInit(): void {
    const server = makeServer<Record<string, unknown> | undefined, ConnectionExtra>({
      schema: this.schema,
      context: (ctx) => ctx.extra as unknown as Record<string, unknown>,
      onConnect: async (ctx) => {
        if (!this.authAttempts.tryTake(this.clients.of(ctx.extra.request))) {
          ctx.extra.socket.close(closeCodeOf('tooManyAuthAttempts'), PROTOCOL_ERRORS.tooManyAuthAttempts.msg);
          return false;
        }
        const key = ctx.connectionParams?.['apiKey'];
        if (typeof key !== 'string' || key.length === 0 || key.length > 256) return false;
        const entitlements = await this.authenticator.authenticate(key);
        if (!entitlements) return false;
        if (!this.connections.tryAcquire(entitlements.customerId, entitlements.maxConnections)) {
          ctx.extra.socket.close(closeCodeOf('connectionLimitExceeded'), PROTOCOL_ERRORS.connectionLimitExceeded.msg);
          return false;
        }
        ctx.extra.entitlements = entitlements;
        ctx.extra.releasePending();
        this.metrics.connections.inc({ protocol: 'graphql' });
        return { customerId: entitlements.customerId };
      },
      onClose: (ctx) => {
        if (ctx.extra.entitlements) {
          this.connections.release(ctx.extra.entitlements.customerId);
          this.metrics.connections.dec({ protocol: 'graphql' });
        }
      },
    });
    this.server.options.handleProtocols = handleProtocols;
    // The glue of graphql-ws/use/ws (not importable under this workspace's module resolution): each
    // send resolves once ws wrote the frame, so graphql-ws pulls the next message only then.
    this.server.on('connection', (socket: WebSocket, request: IncomingMessage, releasePending: () => void) => {
      socket.on('error', (error) => this.log.debug({ err: error }, 'GraphQL socket error'));
      const closed = server.opened(
        {
          protocol: socket.protocol,
          send: (data) =>
            new Promise<void>((resolve, reject) => {
              if (socket.readyState !== socket.OPEN) return resolve();
              socket.send(data, (error) => (error ? reject(error) : resolve()));
            }),
          close: (code, reason) => socket.close(code, reason),
          onMessage: (handle) =>
            socket.on('message', async (data) => {
              try {
                await handle(String(data));
              } catch (error) {
                this.log.error({ err: error }, 'GraphQL message handling failed');
                socket.close(CloseCode.InternalServerError, 'Internal server error');
              }
            }),
        },
        {
          socket,
          request,
          releasePending,
          subscriptions: new Map(),
          subscribeBucket: new TokenBucket(this.limits.subscribeBurst, this.limits.subscribePerSecond),
        },
      );
      socket.once('close', (code, reason) => void closed(code, String(reason)));
    });
    this.router.register(GRAPHQL_PATH, (request, socket, head, releasePending) => {
      this.server.handleUpgrade(request, socket, head, (ws) => this.server.emit('connection', ws, request, releasePending));
    });
  }

  /** Closes every GraphQL connection (4413 server shutting down, as /v1/stream) so the HTTP server can stop. */
  beforeApplicationShutdown(): void {
    for (const client of this.server.clients) client.close(closeCodeOf('serverShutdown'), PROTOCOL_ERRORS.serverShutdown.msg);
    this.server.close();
  }

  private subscribe(name: keyof typeof STREAMS, filter: FilterExpression | undefined, context: ConnectionExtra): AsyncIterableIterator<Record<string, unknown> | typeof SLOW_CLIENT> {
    const stream = STREAMS[name];
    const entitlements = context.entitlements;
    if (!entitlements || !entitlements.channels.includes(stream.channel)) {
      throw new GraphQLError(`not entitled to ${stream.channel}`, { extensions: { code: PROTOCOL_ERRORS.notEntitled.code } });
    }
    let compiled: CompiledFilter;
    try {
      compiled = compileFilter(filter ?? null, stream.fields as FilterFieldTypes);
    } catch (error) {
      if (error instanceof FilterError) throw new GraphQLError(error.message, { extensions: { code: PROTOCOL_ERRORS.invalidSyntax.code } });
      throw error;
    }
    if (!context.subscribeBucket.tryTake()) {
      throw protocolError('rateLimited', `at most ${this.limits.subscribePerSecond} subscribe operations per second`);
    }
    if (context.subscriptions.size >= this.limits.maxSubscriptions) {
      throw protocolError('symbolLimitExceeded', `${context.subscriptions.size} subscriptions active, limit ${this.limits.maxSubscriptions} per connection`);
    }
    const symbols = pinnedSymbols(filter) ?? [WILDCARD];
    const refused = symbols.filter((symbol) => symbol !== WILDCARD && !isEntitled(entitlements, stream.channel, symbol));
    if (refused.length > 0) {
      throw new GraphQLError(`not entitled to ${refused.slice(0, 10).join(', ')} on ${stream.channel}`, { extensions: { code: PROTOCOL_ERRORS.notEntitled.code } });
    }
    const connectionSymbols = new Set([...context.subscriptions.values()].flat());
    for (const symbol of symbols) connectionSymbols.add(symbol);
    if (connectionSymbols.size > entitlements.maxSymbols) {
      throw protocolError('symbolLimitExceeded', `${connectionSymbols.size} symbols across this connection's subscriptions, limit ${entitlements.maxSymbols}`);
    }
    const entitledToAll = entitlements.symbols.includes(WILDCARD);
    const subscriber: FeedSubscriber = {
      deliver: (message: RoutedMessage, _frameText: () => string, event: CustomerEvent) => {
        if (event.schema !== stream.schema) return;
        if (!entitledToAll && !isEntitled(entitlements, stream.channel, message.symbol)) return;
        if (!compiled.matches(filterFieldsOf(event))) return;
        if (queue.size >= SUBSCRIPTION_QUEUE_CAPACITY) {
          // The client stopped keeping up: drop its backlog, tell it, end this subscription (not the others).
          queue.finishWith(SLOW_CLIENT);
          this.metrics.disconnects.inc({ reason: 'slowClient' });
          return;
        }
        if (queue.push(toGraphQl(event))) this.metrics.messagesSent.inc({ channel: stream.channel });
      },
    };
    const queue = new BoundedAsyncQueue<Record<string, unknown> | typeof SLOW_CLIENT>(SUBSCRIPTION_QUEUE_CAPACITY + 1, () => {
      this.hub.removeAll(subscriber);
      context.subscriptions.delete(subscriber);
    });
    context.subscriptions.set(subscriber, symbols);
    for (const symbol of symbols) this.hub.add(subscriber, stream.channel, symbol);
    return queue;
  }
}

