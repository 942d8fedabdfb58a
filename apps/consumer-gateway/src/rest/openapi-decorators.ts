import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { SYMBOL_PATTERN } from '@tickwire/contracts';
import { CURSOR_PATTERN } from './history-cursor';
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT, MAX_INSTANT_MS } from './history-query';
import { PROBLEM_JSON, PROBLEM_TYPES, type ProblemTypeName, problemTypeUri } from './problem-details';
import { schemaRef } from './rest-api-schemas';

/** A 200 response whose JSON body is the component schema `id` (see rest-api-schemas.ts). */
export function ApiJsonOk(
  id: string,
  description: string,
  options: { paginated?: boolean; mediaType?: string } = {},
): MethodDecorator {
  return ApiResponse({
    status: 200,
    description,
    content: { [options.mediaType ?? 'application/json']: { schema: schemaRef(id) } },
    ...(options.paginated
      ? {
          headers: {
            Link: {
              description: 'RFC 8288 link to the next page, `<path?query>; rel="next"`, when there is one',
              schema: { type: 'string' },
            },
          },
        }
      : {}),
  });
}

/** The error responses an operation can give, each `application/problem+json` (RFC 9457) with its problem type. */
export function ApiProblems(...names: ProblemTypeName[]): MethodDecorator {
  return applyDecorators(
    ...names.map((name) =>
      ApiResponse({
        status: PROBLEM_TYPES[name].status,
        description: `${PROBLEM_TYPES[name].title} (type ${problemTypeUri(name)})`,
        content: { [PROBLEM_JSON]: { schema: schemaRef('Problem') } },
        ...(name === 'tooManyAuthFailures'
          ? {
              headers: {
                'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', minimum: 1 } },
              },
            }
          : {}),
      }),
    ),
  );
}

/** The `symbol` parameter's schema (@tickwire/contracts' SYMBOL_PATTERN: upper case). */
export const SYMBOL_PARAMETER_SCHEMA = {
  type: 'string',
  pattern: SYMBOL_PATTERN.source,
  example: 'AAPL',
} as const;

const INSTANT_SCHEMA = {
  anyOf: [
    { type: 'integer', minimum: 0, maximum: MAX_INSTANT_MS, description: 'epoch ms UTC' },
    { type: 'string', format: 'date-time', description: 'RFC 3339 date-time with offset' },
  ],
};

/**
 * The query parameters of a history route: `symbol` (required unless `symbolRequired` is false),
 * `from`/`to` (epoch ms UTC or RFC 3339; [from, to)), `limit` and `cursor`.
 */
export function ApiHistoryQuery(timeField: string, symbolRequired = true): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'symbol',
      required: symbolRequired,
      schema: SYMBOL_PARAMETER_SCHEMA,
      description: symbolRequired
        ? 'Symbol, upper case'
        : 'Symbol, upper case; without it every symbol the key is entitled to',
    }),
    ApiQuery({
      name: 'from',
      required: true,
      schema: { ...INSTANT_SCHEMA, example: '2012-06-21T13:30:00Z' },
      description: `Earliest ${timeField} (inclusive)`,
    }),
    ApiQuery({
      name: 'to',
      required: true,
      schema: { ...INSTANT_SCHEMA, example: '2012-06-21T20:00:00Z' },
      description: `End of the ${timeField} range (exclusive); to <= from is an empty range`,
    }),
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_HISTORY_LIMIT, default: DEFAULT_HISTORY_LIMIT },
      description: 'Page size',
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      schema: { type: 'string', pattern: CURSOR_PATTERN.source },
      description:
        "From the previous page's `next` link, unchanged (with the same other parameters). Opaque.",
    }),
  );
}

/**
 * Everything the OpenAPI document says of a history route: summary and description, its query
 * parameters ({@link ApiHistoryQuery}), the 200 page `pageSchemaId` with its Link header, and its problems.
 */
export function ApiHistoryRoute(route: {
  summary: string;
  description: string;
  pageSchemaId: string;
  timeField: string;
  symbolRequired?: boolean;
}): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: route.summary, description: route.description }),
    ApiHistoryQuery(route.timeField, route.symbolRequired ?? true),
    ApiJsonOk(route.pageSchemaId, 'A page, oldest first', { paginated: true }),
    ApiProblems('invalidParameter', 'unauthenticated', 'notEntitled', 'tooManyAuthFailures'),
  );
}
