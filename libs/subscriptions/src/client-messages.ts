import { z } from 'zod';
import { CHANNELS, type Channel, isSubscribableSymbol } from './channels';

/** Symbols requested per channel, e.g. `{ trades: ['AAPL'], bars: ['*'] }`. Channels left out are untouched. */
export type ChannelSymbols = Partial<Record<Channel, string[]>>;

/** Most symbols one frame may name per channel; bigger lists are refused as invalid syntax. */
export const MAX_SYMBOLS_PER_FRAME = 10_000;

const symbolList = z
  .array(z.string().max(10).refine(isSubscribableSymbol, { error: 'symbols are 1-10 of A-Z, 0-9, "." and "-", starting with a letter, or "*"' }))
  .max(MAX_SYMBOLS_PER_FRAME);

const channelShape = Object.fromEntries(CHANNELS.map((channel) => [channel, symbolList.optional()])) as Record<
  Channel,
  z.ZodOptional<typeof symbolList>
>;

/** The frames a client may send on `/v1/stream`. Unknown fields are refused so a typo is not silently ignored. */
export const clientMessageSchema = z.discriminatedUnion(
  'action',
  [
    z.strictObject({ action: z.literal('auth'), key: z.string().min(1).max(256) }),
    z.strictObject({ action: z.literal('subscribe'), ...channelShape }),
    z.strictObject({ action: z.literal('unsubscribe'), ...channelShape }),
    z.strictObject({ action: z.literal('ping') }),
  ],
  { error: 'action must be auth, subscribe, unsubscribe or ping' },
);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Outcome of {@link parseClientMessage}: the message, or a one-line reason for an `invalid syntax` error. */
export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; reason: string };

/**
 * Parses one text frame. Never throws: malformed JSON and schema violations come back as `ok: false`
 * with a reason such as `trades[0]: symbols are A-Z, ...`.
 */
export function parseClientMessage(text: string): ParsedClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  const result = clientMessageSchema.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.') ?? '';
  return { ok: false, reason: `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid message'}` };
}

/** The channel -> symbols part of a subscribe/unsubscribe message. */
export function channelSymbolsOf(message: ClientMessage): ChannelSymbols {
  const symbols: ChannelSymbols = {};
  for (const channel of CHANNELS) {
    const list = (message as Partial<Record<Channel, string[]>>)[channel];
    if (list !== undefined) symbols[channel] = list;
  }
  return symbols;
}
