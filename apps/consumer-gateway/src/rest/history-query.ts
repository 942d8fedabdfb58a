import { SYMBOL_PATTERN } from '@tickwire/contracts';
import { z } from 'zod';
import { CURSOR_PATTERN, decodeCursor, type HistoryCursor } from './history-cursor';
import type { InvalidParameter } from './problem-details';

/** Most documents one history page holds (OpenSearch's default `index.max_result_window`). */
export const MAX_HISTORY_LIMIT = 10_000;
/** Documents per page when `limit` is not given. */
export const DEFAULT_HISTORY_LIMIT = 1_000;
/**
 * Latest instant a query may name: 9999-12-31T23:59:59.999Z, the last one RFC 3339 can write; later
 * epoch-ms values are refused, earlier instants (also before 1970) are taken and simply match nothing.
 */
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** The alert types of market.alert.v1. */
export const ALERT_TYPES = ['price-change-threshold', 'ma-cross', 'volume-spike'] as const;

/** A query parameter's text: missing and repeated (`?a=1&a=2`, an array) parameters are named as such. */
const param = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once') });

const INSTANT_MESSAGE =
  'must be epoch ms UTC (an integer, 0 to 253402300799999) or an RFC 3339 date-time such as 2012-06-21T13:30:00Z';

/**
 * An instant as a query parameter: epoch ms UTC (digits only) or an RFC 3339 date-time with an offset
 * (zod's strict ISO check, so "June 21" or "2012-06-21" are refused rather than guessed), as epoch ms.
 */
const instant = param()
  .refine(
    (value) =>
      (/^\d{1,15}$/.test(value) && Number(value) <= MAX_INSTANT_MS) ||
      z.iso.datetime({ offset: true }).safeParse(value).success,
    {
      error: INSTANT_MESSAGE,
    },
  )
  .transform((value) => (/^\d+$/.test(value) ? Number(value) : Date.parse(value)));

const symbol = param().regex(SYMBOL_PATTERN, { error: 'must be a symbol in upper case, e.g. AAPL or BF.B' });

const limit = param()
  .regex(/^\d{1,5}$/, { error: `must be an integer from 1 to ${MAX_HISTORY_LIMIT}` })
  .transform(Number)
  .pipe(
    z
      .number()
      .min(1, { error: `must be an integer from 1 to ${MAX_HISTORY_LIMIT}` })
      .max(MAX_HISTORY_LIMIT, { error: `must be an integer from 1 to ${MAX_HISTORY_LIMIT}` }),
  )
  .default(DEFAULT_HISTORY_LIMIT);

/** The opaque cursor of a `next` link, decoded. */
const cursor = param()
  .regex(CURSOR_PATTERN, { error: 'must be the cursor of a next link, unchanged' })
  .transform((text) => decodeCursor(text) as HistoryCursor)
  .optional();

const window = { from: instant, to: instant, limit, cursor };

/** `GET /v1/bars`, `/v1/trades`, `/v1/quotes`: one symbol's history in [from, to), a page of `limit`. */
export const symbolHistoryQuerySchema = z.object({ symbol, ...window });
export type SymbolHistoryQuery = z.output<typeof symbolHistoryQuerySchema>;

/** `GET /v1/alerts`: alerts in [from, to), of one symbol or of every symbol the key is entitled to, optionally of one type. */
export const alertsQuerySchema = z.object({
  symbol: symbol.optional(),
  type: z.enum(ALERT_TYPES, { error: `must be one of ${ALERT_TYPES.join(', ')}` }).optional(),
  ...window,
});
export type AlertsQuery = z.output<typeof alertsQuerySchema>;

/**
 * Parses a query with `schema`.
 * @returns the value, or every invalid parameter with what is wrong with it (the `errors` of an
 *   `invalid-parameter` problem).
 */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: unknown,
): { ok: true; value: z.output<S> } | { ok: false; errors: InvalidParameter[] } {
  const result = schema.safeParse(query);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({
      parameter: String(issue.path[0] ?? 'query'),
      detail: issue.message,
    })),
  };
}
