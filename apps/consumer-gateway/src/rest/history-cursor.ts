/**
 * Where the next page of a history query starts: the OpenSearch point in time (PIT) the first page
 * opened, so every page reads the same snapshot of the indices, and the sort values of the last
 * document sent (`search_after`: its time, epoch ms UTC, and its id; together a total order).
 */
export interface HistoryCursor {
  pitId: string;
  searchAfter: [number, string];
}

/**
 * The cursor's text: `<time>.<id>.<pit>`, id and PIT id base64url. Every text that matches is a
 * cursor the gateway can continue from (an unknown or expired PIT is replaced by a new one), so the
 * OpenAPI document can describe the parameter exactly by this pattern.
 */
export const CURSOR_PATTERN = /^(\d{1,15})\.([A-Za-z0-9_-]{1,256})\.([A-Za-z0-9_-]{1,4096})$/;

/** The cursor as the `cursor` query parameter of a `next` link; opaque to clients. */
export function encodeCursor(cursor: HistoryCursor): string {
  const [time, id] = cursor.searchAfter;
  return `${time}.${Buffer.from(id).toString('base64url')}.${Buffer.from(cursor.pitId).toString('base64url')}`;
}

/** The cursor of a `cursor` parameter; null when the text does not match {@link CURSOR_PATTERN}. */
export function decodeCursor(text: string): HistoryCursor | null {
  const match = CURSOR_PATTERN.exec(text);
  if (!match) return null;
  const [, time, id, pitId] = match as unknown as [string, string, string, string];
  return {
    pitId: Buffer.from(pitId, 'base64url').toString('utf8'),
    searchAfter: [Number(time), Buffer.from(id, 'base64url').toString('utf8')],
  };
}
