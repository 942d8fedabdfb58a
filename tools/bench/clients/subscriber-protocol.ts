/**
 * Messages between the bench (parent) and a WebSocket subscriber process (clients/ws-subscriber-process.ts),
 * over Node's IPC channel.
 */

/** Parent -> subscriber process. */
export type SubscriberCommand =
  | {
      readonly type: 'connect';
      /** `ws://127.0.0.1:<port>/v1/stream`. */
      readonly url: string;
      readonly apiKey: string;
      /** One entry per socket: the symbols it subscribes to on the `enriched` channel. */
      readonly sockets: readonly (readonly string[])[];
      /** Record a frame's receive time when {@link isSampled} holds for its id with this divisor. */
      readonly sampleDivisor: number;
      /**
       * Also record receive time - the frame's `eventTime` (for a feed whose eventTime is its send
       * time, see stages/enriched-feeder.ts).
       */
      readonly latencyFromEventTime: boolean;
    }
  | { readonly type: 'start-window' }
  | { readonly type: 'end-window' }
  | { readonly type: 'close' };

/** Subscriber process -> parent. */
export type SubscriberReport =
  | {
      readonly type: 'connected';
      readonly sockets: number;
      readonly failed: number;
      readonly firstError?: string;
    }
  | {
      readonly type: 'window';
      /** Data frames received inside the window. */
      readonly frames: number;
      readonly windowMs: number;
      /** Raw event ids (`sourceEventId`) of the sampled frames and their receive times (epoch ms, fractional). */
      readonly sampledIds: readonly string[];
      readonly sampledAtMs: readonly number[];
      /** Receive time - eventTime of the sampled frames, ms (when latencyFromEventTime). */
      readonly eventTimeLatenciesMs: readonly number[];
      /** Sockets the gateway closed (e.g. 4407 slow client) since connecting. */
      readonly closed: number;
    }
  | { readonly type: 'error'; readonly message: string };

/**
 * Whether an event id is in the latency sample: its last hex digit is divisible by `divisor`
 * (1, 2, 4, 8 or 16 keep 1/divisor of the ids, the same ones in the Kafka tap and every client, since
 * Tickwire's ids are hashes).
 */
export function isSampled(id: string, divisor: number): boolean {
  if (divisor <= 1) return true;
  const digit = Number.parseInt(id.charAt(id.length - 1), 16);
  return Number.isInteger(digit) && digit % divisor === 0;
}

/**
 * The first string value of `field` in a serialised frame or envelope, without parsing the JSON: the
 * top-level `id` (the gateway's frames and the envelopes put it before the payload) or the enriched
 * payload's `sourceEventId` (the raw event's id). Null when absent.
 */
export function extractString(json: string, field = 'id'): string | null {
  const key = `"${field}":"`;
  const at = json.indexOf(key);
  if (at < 0) return null;
  const end = json.indexOf('"', at + key.length);
  return end < 0 ? null : json.slice(at + key.length, end);
}

/** The top-level numeric `field` of a serialised envelope (first occurrence), or null. */
export function extractNumber(json: string, field: string): number | null {
  const key = `"${field}":`;
  const at = json.indexOf(key);
  if (at < 0) return null;
  const value = Number.parseFloat(json.slice(at + key.length, at + key.length + 24));
  return Number.isFinite(value) ? value : null;
}
