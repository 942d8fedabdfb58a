import { HttpException, HttpStatus } from '@nestjs/common';

/** Media type of an error response (RFC 9457 section 3). */
export const PROBLEM_JSON = 'application/problem+json';

/**
 * The problem types of the REST API, each with a stable `type` URI (RFC 9457 section 3.1.1: the
 * primary identifier a client switches on), its HTTP status and `title`. The URIs are tag URIs
 * (RFC 4151), which RFC 9457 section 4 suggests for types that need not resolve; the gateway README
 * documents each. A type's URI, status and title never change; a new meaning is a new type.
 */
export const PROBLEM_TYPES = {
  /** A query or path parameter is missing or not valid; `errors` names each one. */
  invalidParameter: { status: HttpStatus.BAD_REQUEST, title: 'Invalid parameter', slug: 'invalid-parameter' },
  /** No API key, or one that is unknown or revoked. */
  unauthenticated: {
    status: HttpStatus.UNAUTHORIZED,
    title: 'Missing or invalid API key',
    slug: 'unauthenticated',
  },
  /** The key is not entitled to the channel or symbol asked for (checked before the other parameters). */
  notEntitled: { status: HttpStatus.FORBIDDEN, title: 'Not entitled', slug: 'not-entitled' },
  /** No such resource: a symbol without state, a stream that does not exist, an unknown path. */
  notFound: { status: HttpStatus.NOT_FOUND, title: 'Not found', slug: 'not-found' },
  /** The path exists, the method does not (the `Allow` header lists those that do). */
  methodNotAllowed: {
    status: HttpStatus.METHOD_NOT_ALLOWED,
    title: 'Method not allowed',
    slug: 'method-not-allowed',
  },
  /** The client address failed authentication too often; retry after `Retry-After` seconds. */
  tooManyAuthFailures: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    title: 'Too many failed authentications',
    slug: 'too-many-auth-failures',
  },
  /** Anything the gateway did not expect (e.g. OpenSearch unreachable); retry later. */
  internalError: {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    title: 'Internal error',
    slug: 'internal-error',
  },
} as const;

export type ProblemTypeName = keyof typeof PROBLEM_TYPES;

/** The `type` URI of a problem type, e.g. `tag:tickwire,2026:problems/not-entitled`. */
export function problemTypeUri(name: ProblemTypeName): string {
  return `tag:tickwire,2026:problems/${PROBLEM_TYPES[name].slug}`;
}

/** One invalid parameter of an `invalid-parameter` problem (the `errors` extension member). */
export interface InvalidParameter {
  /** Name of the query or path parameter, e.g. `limit`. */
  parameter: string;
  detail: string;
}

/** A problem details object (RFC 9457 section 3) as the REST API sends it. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request's path and query: this occurrence of the problem. */
  instance?: string;
  /** `invalid-parameter` only: every invalid parameter. */
  errors?: InvalidParameter[];
}

/**
 * An HTTP error of the REST API with its problem type; {@link ProblemDetailsFilter} writes it as
 * `application/problem+json`.
 */
export class ProblemException extends HttpException {
  constructor(
    readonly problemType: ProblemTypeName,
    detail: string,
    readonly errors?: InvalidParameter[],
  ) {
    super(detail, PROBLEM_TYPES[problemType].status);
  }
}

/** The problem type of an HTTP status that was thrown without one (Nest's own exceptions). */
export function problemTypeOfStatus(status: number): ProblemTypeName {
  const name = (Object.keys(PROBLEM_TYPES) as ProblemTypeName[]).find(
    (candidate) => PROBLEM_TYPES[candidate].status === status,
  );
  return name ?? (status >= 500 ? 'internalError' : 'invalidParameter');
}

/** Builds the problem details object of `name`. */
export function problemDetails(
  name: ProblemTypeName,
  detail: string,
  instance?: string,
  errors?: InvalidParameter[],
): ProblemDetails {
  const { status, title } = PROBLEM_TYPES[name];
  return {
    type: problemTypeUri(name),
    title,
    status,
    detail,
    ...(instance === undefined ? {} : { instance }),
    ...(errors === undefined ? {} : { errors }),
  };
}
