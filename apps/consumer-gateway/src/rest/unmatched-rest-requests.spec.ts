import type { IncomingMessage, ServerResponse } from 'node:http';
import { unmatchedRestRequests } from './unmatched-rest-requests';

/** A response that records what the middleware wrote. */
class RecordingResponse {
  statusCode = 0;
  body = '';
  readonly headers: Record<string, string> = {};
  setHeader(name: string, value: string): void {
    this.headers[name.toLowerCase()] = value;
  }
  end(body?: string): void {
    this.body = body ?? '';
  }
}

function handle(method: string, url: string) {
  const middleware = unmatchedRestRequests([
    '/v1/snapshots/{symbol}',
    '/v1/bars',
    '/v1/streams/{name}/schema',
    '/health/live',
  ]);
  const response = new RecordingResponse();
  let passed = false;
  middleware({ method, url } as IncomingMessage, response as unknown as ServerResponse, () => {
    passed = true;
  });
  const { statusCode: status, headers, body } = response;
  return {
    passed,
    status,
    headers,
    body,
    problem: body ? (JSON.parse(body) as { type: string; status: number }) : null,
  };
}

describe('unmatchedRestRequests', () => {
  it.each([
    ['TRACE', '/v1/bars?symbol=AAPL'],
    ['POST', '/v1/snapshots/AAPL'],
    ['DELETE', '/v1/streams/market.enriched.v1/schema'],
  ])('answers %s %s with 405, Allow and a method-not-allowed problem', (method, url) => {
    const result = handle(method, url);
    expect([result.passed, result.status, result.headers['allow'], result.headers['content-type']]).toEqual([
      false,
      405,
      'GET, HEAD',
      'application/problem+json; charset=utf-8',
    ]);
    expect(result.problem).toMatchObject({
      type: 'tag:tickwire,2026:problems/method-not-allowed',
      status: 405,
    });
  });

  it('answers OPTIONS with its Allow header', () => {
    const result = handle('OPTIONS', '/v1/bars');
    expect([result.status, result.headers['allow'], result.body]).toEqual([204, 'GET, HEAD', '']);
  });

  it('answers unknown /v1/ paths with a not-found problem and leaves every other path to the app', () => {
    const unknown = handle('GET', '/v1/snapshots/');
    expect([unknown.status, unknown.problem?.type]).toEqual([404, 'tag:tickwire,2026:problems/not-found']);
    expect(handle('TRACE', '/v1/nothing').status).toBe(404);
    expect(handle('POST', '/health/live').passed).toBe(true);
    expect(handle('GET', '/').passed).toBe(true);
  });
});
