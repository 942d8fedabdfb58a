import type { ContractErrorClass } from '../dead-letter/error-classes';

/**
 * A golden fixture: a real event (built from /work/shared/data/market/) that producers' builders
 * must reproduce and consumers' parsers must accept. The same object is committed as JSON under
 * `src/market/<event>/fixtures/<name>.json`.
 */
export interface GoldenFixture<Event> {
  /** File name without `.json`, e.g. `aapl-first-trade`. */
  name: string;
  /** Exact origin: data file, line number(s) and the derivation. */
  origin: string;
  event: Event;
}

/** A value that must be rejected, and how. Exactly one of `value` / `text` is set. */
export interface InvalidFixture {
  name: string;
  /** Why it is invalid. */
  description: string;
  /** A decoded value (may hold NaN, which JSON text cannot). */
  value?: unknown;
  /** Raw Kafka value text (for MalformedJson cases). */
  text?: string;
  expected: {
    errorClass: ContractErrorClass;
    /** Issue path that must be reported (dotted), absent for MalformedJson. */
    path?: string;
    /** Substring the human-readable reason must contain. */
    reasonIncludes: string;
  };
}

/** Shape of a committed fixture JSON file. */
export interface GoldenFixtureFile {
  name: string;
  origin: string;
  event: unknown;
}

/**
 * Types a committed fixture file. No validation here (importing the library must not throw); the
 * contract tests parse every fixture with its schema.
 */
export function goldenFixture<Event>(file: GoldenFixtureFile): GoldenFixture<Event> {
  return { name: file.name, origin: file.origin, event: file.event as Event };
}

/** Deep copy of a fixture event with `patch` applied at `path` (for building invalid variants). */
export function withPatch(event: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy: unknown = structuredClone(event);
  let cursor = copy as Record<string | number, unknown>;
  path.slice(0, -1).forEach((key) => {
    cursor = cursor[key] as Record<string | number, unknown>;
  });
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete cursor[last];
  else cursor[last] = value;
  return copy;
}
