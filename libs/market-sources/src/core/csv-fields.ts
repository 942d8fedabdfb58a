/**
 * Strict conversions of CSV text fields. `Number()` alone would turn an empty field into 0 and accept
 * ` 5`, `0x10` or `1e3`; these return NaN instead, which the contract schemas then reject with a reason
 * ("must be a finite number, got NaN").
 */

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Decimal integer text (`-12`, `40`) to a number; NaN for anything else. */
export function integerField(text: string | undefined): number {
  return text !== undefined && INTEGER.test(text) ? Number(text) : Number.NaN;
}

/** Decimal number text (`585.741`, `7.00000700001`, `1e-4`) to a number; NaN for anything else. */
export function decimalField(text: string | undefined): number {
  return text !== undefined && DECIMAL.test(text) ? Number(text) : Number.NaN;
}
