import type { z } from 'zod';
import type { ContractErrorClass } from '../dead-letter/error-classes';

/** One validation problem, path in dotted form (`payload.price`, `payload.conditions[0]`). */
export interface ContractIssue {
  /** Dotted path into the message, `(root)` for the whole value. */
  path: string;
  /** Human-readable message, e.g. `price must be > 0 (USD)`. */
  message: string;
  /** zod issue code (`invalid_type`, `too_small`, `custom`, ...) or `malformed_json`. */
  code: string;
}

/** Renders a zod path as `payload.conditions[0]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** Converts zod issues to {@link ContractIssue}s, with `is required` for missing fields. */
export function toContractIssues(error: z.ZodError): ContractIssue[] {
  return error.issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
    return { path, code: issue.code, message: missing ? 'is required' : issue.message };
  });
}

/**
 * One-line reason, `path: message; path: message`, capped at `maxLength` characters (a dead-letter
 * header should stay small); e.g. `payload.bidPrice: bidPrice must be <= askPrice (crossed quote)`.
 */
export function formatContractIssues(issues: readonly ContractIssue[], maxLength = 1000): string {
  const reason = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return reason.length <= maxLength ? reason : `${reason.slice(0, maxLength - 1)}…`;
}

/**
 * Thrown by {@link parseEvent} and the event builders when a value breaks its contract. Carries
 * what a dead-letter record needs: the error class and a one-line human-readable reason.
 */
export class EventContractError extends Error {
  override readonly name = 'EventContractError';

  constructor(
    /** Dead-letter error class, e.g. `SchemaViolation`. */
    readonly errorClass: ContractErrorClass,
    /** One-line reason, e.g. `payload.size: size must be > 0 shares`. */
    readonly reason: string,
    /** Individual problems (empty for `MalformedJson` / `EmptyValue` / `UnknownTopic`). */
    readonly issues: readonly ContractIssue[] = [],
    /** Topic or schema name the value was checked against. */
    readonly subject?: string,
  ) {
    super(subject ? `${errorClass} (${subject}): ${reason}` : `${errorClass}: ${reason}`);
  }
}
