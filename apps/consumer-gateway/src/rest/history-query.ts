import { SYMBOL_PATTERN } from '@tickwire/contracts';
import { z } from 'zod';

/** Most documents one history request returns. */
export const MAX_HISTORY_LIMIT = 10_000;

/** An epoch-ms UTC time or an ISO-8601 instant, as a query parameter. */
const instant = z
  .string()
  .transform((value, ctx) => {
    const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(time)) {
      ctx.addIssue({ code: 'custom', message: 'must be epoch ms or an ISO-8601 time' });
      return z.NEVER;
    }
    return time;
  });

const base = {
  symbol: z.string().regex(SYMBOL_PATTERN, { error: 'symbol must be a ticker such as AAPL' }),
  from: instant,
  to: instant,
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_LIMIT).default(1_000),
};

const ordered = <T extends { from: number; to: number }>(query: T, ctx: z.RefinementCtx) => {
  if (query.to <= query.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
};

/** `GET /v1/bars` query: bars whose startTime is in [from, to). */
export const barsQuerySchema = z.object(base).superRefine(ordered);
export type BarsQuery = z.output<typeof barsQuerySchema>;

/** `GET /v1/alerts` query: alerts whose eventTime is in [from, to), optionally of one type. */
export const alertsQuerySchema = z
  .object({ ...base, type: z.enum(['price-change-threshold', 'ma-cross', 'volume-spike']).optional() })
  .superRefine(ordered);
export type AlertsQuery = z.output<typeof alertsQuerySchema>;

/**
 * Parses a query with `schema`; the error message names every bad parameter.
 * @throws Error (mapped to 400 by the controller) when the query is invalid.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): { ok: true; value: z.output<S> } | { ok: false; message: string } {
  const result = schema.safeParse(query);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; ') };
}
