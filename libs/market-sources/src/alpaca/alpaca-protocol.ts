/**
 * The Alpaca Market Data v2 WebSocket protocol (stocks), as documented at
 * docs.alpaca.markets "WebSocket Stream" / "Real-time Stock Data": JSON arrays of messages, each with a
 * type `T`.
 *
 * ```
 * server: [{"T":"success","msg":"connected"}]
 * client: {"action":"auth","key":"<KEY_ID>","secret":"<SECRET>"}          (within 10 s)
 * server: [{"T":"success","msg":"authenticated"}]
 * client: {"action":"subscribe","trades":["AAPL"],"quotes":["AMZN"],"bars":["*"],"statuses":["*"]}
 * server: [{"T":"subscription","trades":["AAPL"],"quotes":["AMZN"],"bars":["*"],...}]
 * server: [{"T":"t","S":"AAPL","i":96921,"x":"D","p":126.55,"s":1,"c":["@","I"],"t":"2021-02-22T15:51:44.208Z","z":"C"}, ...]
 * server: [{"T":"error","code":402,"msg":"auth failed"}]
 * ```
 * Control messages (success, error, subscription) arrive alone in their array; data messages may be batched.
 */

/** Channels a client can subscribe to here (Alpaca also has updatedBars and lulds). */
export const ALPACA_CHANNELS = ['trades', 'quotes', 'bars', 'dailyBars', 'statuses'] as const;
export type AlpacaChannel = (typeof ALPACA_CHANNELS)[number];

/**
 * Every channel of the v2 stock stream's `subscription` message (Alpaca "Real-time Stock Data"; alpaca-py
 * `DataStream._handlers`): what a server acknowledges and a client may subscribe to. `corrections` and
 * `cancelErrors` follow `trades` automatically.
 */
export const ALPACA_STOCK_CHANNELS = ['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds', 'corrections', 'cancelErrors'] as const;
export type AlpacaStockChannel = (typeof ALPACA_STOCK_CHANNELS)[number];

/** Symbols per channel; `*` subscribes to every symbol (bars and statuses; trades/quotes need a SIP entitlement). */
export type AlpacaSubscription = { readonly [C in AlpacaChannel]?: readonly string[] };

/** The server's `subscription` message: the complete current subscription after a subscribe/unsubscribe. */
export interface AlpacaSubscriptionAck {
  readonly trades: readonly string[];
  readonly quotes: readonly string[];
  readonly bars: readonly string[];
  readonly updatedBars: readonly string[];
  readonly dailyBars: readonly string[];
  readonly statuses: readonly string[];
  readonly lulds: readonly string[];
  /** Trade corrections: subscribed automatically with trades. */
  readonly corrections: readonly string[];
  /** Trade cancels/errors: subscribed automatically with trades. */
  readonly cancelErrors: readonly string[];
}

/** Client -> server messages. */
export type AlpacaClientMessage =
  | { readonly action: 'auth'; readonly key: string; readonly secret: string }
  | ({ readonly action: 'subscribe' | 'unsubscribe' } & AlpacaSubscription);

/** Trade: `S` symbol, `i` trade id, `x` exchange code, `p` price USD, `s` size shares, `c` conditions, `t` RFC-3339 ns, `z` tape. */
export interface AlpacaTradeMessage {
  readonly T: 't';
  readonly S: string;
  readonly i?: number;
  readonly x?: string;
  readonly p: number;
  readonly s: number;
  readonly c?: readonly string[];
  readonly t: string;
  readonly z?: string;
}

/** Quote (NBBO): `bx/bp/bs` bid exchange, price, size; `ax/ap/as` ask; `c` conditions; `t`; `z` tape. */
export interface AlpacaQuoteMessage {
  readonly T: 'q';
  readonly S: string;
  readonly bx?: string;
  readonly bp: number;
  readonly bs: number;
  readonly ax?: string;
  readonly ap: number;
  readonly as: number;
  readonly c?: readonly string[];
  readonly t: string;
  readonly z?: string;
}

/** Minute bar: `o/h/l/c` USD, `v` volume shares, `vw` VWAP, `n` trade count, `t` bar START time. */
export interface AlpacaBarMessage {
  readonly T: 'b';
  readonly S: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly vw: number;
  readonly n: number;
  readonly t: string;
}

/**
 * Daily bar: the fields of a minute bar, `t` = the START of the day (midnight America/New_York). Alpaca
 * sends the day's bar again as it grows; the one sent after the session close is the session's bar.
 */
export interface AlpacaDailyBarMessage extends Omit<AlpacaBarMessage, 'T'> {
  readonly T: 'd';
}

/**
 * Updated bar `u`: a minute bar restated after late trades or corrections (Alpaca "Real-time Stock Data",
 * Updated bars), the fields of {@link AlpacaBarMessage}.
 */
export interface AlpacaUpdatedBarMessage extends Omit<AlpacaBarMessage, 'T'> {
  readonly T: 'u';
}

/** `{"T":"success","msg":"connected"}` on open, `{"T":"success","msg":"authenticated"}` after a good auth. */
export interface AlpacaSuccessMessage {
  readonly T: 'success';
  readonly msg: 'connected' | 'authenticated';
}

/**
 * Trading status (halts, resumes): `sc/sm` status code/message, `rc/rm` reason code/message, `z` tape.
 * Fields per Alpaca's "Real-time Stock Data" page (Trading status) and alpaca-py `TRADING_STATUS_MAPPING`.
 */
export interface AlpacaStatusMessage {
  readonly T: 's';
  readonly S: string;
  readonly sc: string;
  readonly sm?: string;
  readonly rc?: string;
  readonly rm?: string;
  readonly t: string;
  readonly z?: string;
}

/**
 * Trade correction (sent to every `trades` subscriber): original trade `oi` (id), `op` (USD), `os`
 * (shares), `oc` (conditions) replaced by `ci`/`cp`/`cs`/`cc`; `x` exchange, `z` tape, `t` timestamp.
 * Fields per Alpaca's "Real-time Stock Data" page (Corrections) and alpaca-py `TRADE_CORRECTION_MAPPING`.
 */
export interface AlpacaCorrectionMessage {
  readonly T: 'c';
  readonly S: string;
  readonly x?: string;
  readonly oi: number;
  readonly op: number;
  readonly os: number;
  readonly oc?: readonly string[];
  readonly ci: number;
  readonly cp: number;
  readonly cs: number;
  readonly cc?: readonly string[];
  readonly t: string;
  readonly z?: string;
}

/**
 * Trade cancel or error (sent to every `trades` subscriber): trade `i` at `p` USD x `s` shares on `x`
 * withdrawn; `a` action `C` (cancel) or `E` (error). Fields per Alpaca's "Real-time Stock Data" page
 * (Cancels/Errors) and alpaca-py `TRADE_CANCEL_MAPPING`.
 */
export interface AlpacaCancelErrorMessage {
  readonly T: 'x';
  readonly S: string;
  readonly i: number;
  readonly x?: string;
  readonly p: number;
  readonly s: number;
  readonly a: 'C' | 'E';
  readonly t: string;
  readonly z?: string;
}

/** The server's `subscription` message, `{"T":"subscription","trades":["AAPL"],...}`. */
export type AlpacaSubscriptionMessage = { readonly T: 'subscription' } & AlpacaSubscriptionAck;

/** `{"T":"error","code":402,"msg":"auth failed"}`. */
export interface AlpacaErrorMessage {
  readonly T: 'error';
  readonly code: number;
  readonly msg: string;
}

/**
 * Data message types that map to Tickwire contract events: trades `t`, quotes `q`, the source's minute
 * bars `b`, daily bars `d`, trade corrections `c`, cancels/errors `x` and trading statuses `s`.
 */
export const ALPACA_EVENT_TYPES = ['t', 'q', 'b', 'd', 'c', 'x', 's'] as const;

/**
 * Data message types of the protocol that have no Tickwire contract: LULD bands (`l`), updated bars
 * (`u`). They are reported to the source's observer as notices, not dead-lettered: they are valid
 * protocol, just not ours to publish. (The LULD pause itself arrives as a trading status `s` with
 * status `P` / reason `LUDP` and is published.)
 */
export const ALPACA_NOTICE_TYPES = ['l', 'u'] as const;

/** What a client does when the server reports an error code. */
export type AlpacaErrorHandling =
  /** Stop: retrying cannot help (bad credentials, not entitled, subscription refused). */
  | 'fatal'
  /** Drop the connection and reconnect with backoff. */
  | 'reconnect'
  /** Harmless; log and continue. */
  | 'ignore';

/**
 * Alpaca stream error codes (docs.alpaca.markets, "Real-time Stock Data" > Errors) and how the
 * {@link AlpacaSource} client handles each.
 */
export const ALPACA_ERRORS: Readonly<Record<number, { readonly msg: string; readonly handling: AlpacaErrorHandling; readonly why: string }>> = {
  400: { msg: 'invalid syntax', handling: 'fatal', why: 'the client sent a malformed message: a bug, retrying repeats it' },
  401: { msg: 'not authenticated', handling: 'reconnect', why: 'a message before auth completed: re-run the handshake' },
  402: { msg: 'auth failed', handling: 'fatal', why: 'wrong key or secret: retrying would hammer the endpoint with bad credentials' },
  403: { msg: 'already authenticated', handling: 'ignore', why: 'a duplicate auth on a healthy session' },
  404: { msg: 'auth timeout', handling: 'fatal', why: 'no auth within 10 s of connecting: treated as a credentials/config failure, not retried' },
  405: { msg: 'symbol limit exceeded', handling: 'fatal', why: 'the subscription exceeds the plan (30 symbols on the free IEX plan): fix the configuration' },
  406: { msg: 'connection limit exceeded', handling: 'reconnect', why: 'another connection with these credentials is open (limit 1): back off until it closes' },
  407: { msg: 'slow client', handling: 'reconnect', why: 'the server dropped us for not reading fast enough: reconnect' },
  408: { msg: 'v2 not enabled', handling: 'fatal', why: 'the account cannot use v2 streaming' },
  409: { msg: 'insufficient subscription', handling: 'fatal', why: 'the account is not entitled to this feed (e.g. sip without a paid plan)' },
  410: { msg: 'invalid subscribe action for this feed', handling: 'fatal', why: 'the feed does not offer that channel' },
  411: { msg: 'insufficient scope', handling: 'fatal', why: 'the OAuth token lacks the market-data scope' },
  500: { msg: 'internal error', handling: 'reconnect', why: 'server-side failure: reconnect' },
};

/** Handling of an error code; unknown codes reconnect (the safe choice for a long-running producer). */
export function alpacaErrorHandling(code: number): AlpacaErrorHandling {
  return ALPACA_ERRORS[code]?.handling ?? 'reconnect';
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * RFC 3339 timestamp with up to nanosecond precision (Alpaca's `t`, e.g. `2021-02-22T15:51:44.208123456Z`)
 * to exact epoch nanoseconds, without a double in between (a double holds epoch ns only to ~256 ns).
 * @returns decimal epoch-ns string.
 * @throws RangeError if the text is not RFC 3339, names an impossible date/time (Feb 30, 24:00, leap
 *   second 60), or lies before 1970.
 */
export function rfc3339ToEpochNs(text: string): string {
  const match = RFC3339.exec(text);
  if (!match) throw new RangeError(`timestamp must be RFC 3339 (YYYY-MM-DDTHH:MM:SS[.fraction]Z), got ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, offH, offM] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new RangeError(`timestamp ${JSON.stringify(text)} is not a valid date and time`);
  }
  const offsetMinutes = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  const epochSeconds = local / 1000 - offsetMinutes * 60;
  if (epochSeconds < 0) throw new RangeError(`timestamp ${JSON.stringify(text)} is before 1970`);
  return `${epochSeconds}${fraction.padEnd(9, '0')}`.replace(/^0+(?=\d)/, '');
}

/**
 * Epoch nanoseconds (decimal string) to RFC 3339 UTC with 9 fractional digits, as Alpaca writes `t`.
 * @throws RangeError if `epochNs` is not a non-negative decimal integer string.
 */
export function epochNsToRfc3339(epochNs: string): string {
  if (!/^\d+$/.test(epochNs)) throw new RangeError(`epochNs must be a decimal integer string, got ${JSON.stringify(epochNs)}`);
  const padded = epochNs.padStart(10, '0');
  const seconds = Number(padded.slice(0, -9));
  const fraction = padded.slice(-9);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}
