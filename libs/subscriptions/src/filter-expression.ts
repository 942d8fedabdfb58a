import { SYMBOL_PATTERN } from '@tickwire/contracts';
/**
 * Subscription filters with AWS AppSync's enhanced-filter operators
 * (https://docs.aws.amazon.com/appsync/latest/devguide/aws-appsync-real-time-enhanced-filtering.html):
 * `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `in`, `notIn`, `between`, `beginsWith`, on the flat fields of
 * an event (e.g. `symbol`, `changePercent`, `price`, `alertType`).
 *
 * ```json
 * { "symbol": { "in": ["AAPL", "AMZN"] }, "changePercent": { "le": -5 }, "or": [ ... ] }
 * ```
 *
 * Semantics, as AppSync's: conditions on different fields, and several operators on one field, are
 * ANDed; `or` holds a list of filters of which at least one must match (ANDed with the rest). A
 * condition on a field the event lacks (or holds null) is false, except `ne` and `notIn`, which are
 * true. Unlike AppSync, `in` and `notIn` take any number of values (AppSync allows 5).
 */
export interface FieldCondition {
  eq?: string | number | boolean;
  ne?: string | number | boolean;
  lt?: number | string;
  le?: number | string;
  gt?: number | string;
  ge?: number | string;
  in?: readonly (string | number)[];
  notIn?: readonly (string | number)[];
  /** Inclusive range `[low, high]`. */
  between?: readonly [number | string, number | string];
  beginsWith?: string;
}

export type FilterOperator = keyof FieldCondition;
export const FILTER_OPERATORS: readonly FilterOperator[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'notIn', 'between', 'beginsWith'];

/** A filter: conditions per field, plus optional `or` alternatives. */
export interface FilterExpression {
  [field: string]: FieldCondition | readonly FilterExpression[] | undefined;
  or?: readonly FilterExpression[];
}

/** The value of a field in an event, as filters see it. */
export type FilterValue = string | number | boolean | null | undefined;

/**
 * Type of a filterable field: `symbol` is a string whose operands must be symbols as every protocol
 * accepts them (@tickwire/contracts' SYMBOL_PATTERN, upper case, e.g. AAPL, BF.B; a `beginsWith`
 * operand a prefix of one), so `{ eq: "aapl" }` is refused like the stream's subscribe, instead of
 * being accepted and never matching.
 */
export type FilterFieldType = 'string' | 'symbol' | 'number' | 'boolean';

/** Field types a filter may use, per stream. */
export type FilterFieldTypes = Readonly<Record<string, FilterFieldType>>;

/** Most values in one `in` / `notIn` list (a bound on work per event, far above AppSync's 5). */
export const MAX_IN_VALUES = 10_000;
/** Most `or` alternatives per level and nesting depth. */
const MAX_OR_BRANCHES = 100;
const MAX_DEPTH = 4;

type Comparable = string | number;

function compare(left: FilterValue, right: Comparable): number | null {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  return null;
}

function conditionHolds(value: FilterValue, operator: FilterOperator, operand: unknown): boolean {
  const missing = value === null || value === undefined;
  switch (operator) {
    case 'eq':
      return !missing && value === operand;
    case 'ne':
      return missing || value !== operand;
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      if (missing) return false;
      const order = compare(value, operand as Comparable);
      if (order === null) return false;
      return operator === 'lt' ? order < 0 : operator === 'le' ? order <= 0 : operator === 'gt' ? order > 0 : order >= 0;
    }
    case 'in':
      return !missing && (operand as ReadonlySet<unknown>).has(value);
    case 'notIn':
      return missing || !(operand as ReadonlySet<unknown>).has(value);
    case 'between': {
      if (missing) return false;
      const [low, high] = operand as readonly [Comparable, Comparable];
      const fromLow = compare(value, low);
      const toHigh = compare(value, high);
      return fromLow !== null && toHigh !== null && fromLow >= 0 && toHigh <= 0;
    }
    case 'beginsWith':
      return typeof value === 'string' && value.startsWith(operand as string);
  }
}

/** A validated filter, compiled for evaluation on every event (`in` lists become Sets). */
export interface CompiledFilter {
  /** True when `event` (a flat record of filter fields) matches. */
  matches(event: Readonly<Record<string, FilterValue>>): boolean;
}

/** Thrown by {@link compileFilter} on an invalid filter; `message` names the path, e.g. `changePercent.between`. */
export class FilterError extends Error {
  override readonly name = 'FilterError';
}

/**
 * Validates and compiles a filter against the fields of a stream.
 * @throws FilterError on an unknown field or operator, an operand of the wrong type (e.g. `lt` with a
 *   string on a number field), `between` without exactly two values, or lists beyond {@link MAX_IN_VALUES}.
 */
export function compileFilter(expression: FilterExpression | null | undefined, fields: FilterFieldTypes): CompiledFilter {
  if (expression === null || expression === undefined) return { matches: () => true };
  const test = compileLevel(expression, fields, 0);
  return { matches: test };
}

type Test = (event: Readonly<Record<string, FilterValue>>) => boolean;

function compileLevel(expression: FilterExpression, fields: FilterFieldTypes, depth: number): Test {
  if (typeof expression !== 'object' || expression === null || Array.isArray(expression)) {
    throw new FilterError('a filter must be an object of field conditions');
  }
  if (depth > MAX_DEPTH) throw new FilterError(`filters nest at most ${MAX_DEPTH} levels of "or"`);
  const tests: Test[] = [];
  for (const [field, condition] of Object.entries(expression)) {
    if (condition === undefined || condition === null) continue;
    if (field === 'or') {
      const branches = condition as readonly FilterExpression[];
      if (!Array.isArray(branches) || branches.length === 0 || branches.length > MAX_OR_BRANCHES) {
        throw new FilterError(`or must be a list of 1 to ${MAX_OR_BRANCHES} filters`);
      }
      const branchTests = branches.map((branch) => compileLevel(branch, fields, depth + 1));
      tests.push((event) => branchTests.some((branchTest) => branchTest(event)));
      continue;
    }
    const type = fields[field];
    if (type === undefined) throw new FilterError(`unknown filter field "${field}" (known: ${Object.keys(fields).join(', ')})`);
    tests.push(...compileField(field, type, condition as FieldCondition));
  }
  return (event) => tests.every((fieldTest) => fieldTest(event));
}

function compileField(field: string, type: FilterFieldType, condition: FieldCondition): Test[] {
  if (typeof condition !== 'object' || Array.isArray(condition)) throw new FilterError(`${field}: a condition must be an object of operators`);
  const tests: Test[] = [];
  const valueType = type === 'symbol' ? 'string' : type;
  const checkScalar = (operator: string, operand: unknown): void => {
    if (typeof operand !== valueType) throw new FilterError(`${field}.${operator}: expected a ${valueType}, got ${JSON.stringify(operand)}`);
    if (type === 'number' && !Number.isFinite(operand)) throw new FilterError(`${field}.${operator}: expected a finite number`);
    if (type === 'symbol' && !SYMBOL_PATTERN.test(operand as string)) {
      throw new FilterError(`${field}.${operator}: ${JSON.stringify(operand)} is not a symbol (upper case, e.g. AAPL, BF.B)`);
    }
  };
  for (const [operator, operand] of Object.entries(condition)) {
    if (operand === undefined || operand === null) continue;
    if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) {
      throw new FilterError(`${field}: unknown operator "${operator}" (known: ${FILTER_OPERATORS.join(', ')})`);
    }
    const op = operator as FilterOperator;
    let compiled: unknown = operand;
    switch (op) {
      case 'eq':
      case 'ne':
        checkScalar(op, operand);
        break;
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge':
        if (type === 'boolean') throw new FilterError(`${field}.${op}: not defined on a boolean field`);
        checkScalar(op, operand);
        break;
      case 'in':
      case 'notIn': {
        if (!Array.isArray(operand)) throw new FilterError(`${field}.${op}: expected a list`);
        if (operand.length > MAX_IN_VALUES) throw new FilterError(`${field}.${op}: at most ${MAX_IN_VALUES} values`);
        for (const value of operand) checkScalar(op, value);
        compiled = new Set(operand);
        break;
      }
      case 'between': {
        if (type === 'boolean') throw new FilterError(`${field}.between: not defined on a boolean field`);
        if (!Array.isArray(operand) || operand.length !== 2) throw new FilterError(`${field}.between: expected [low, high]`);
        for (const value of operand) checkScalar(op, value);
        break;
      }
      case 'beginsWith':
        if (valueType !== 'string') throw new FilterError(`${field}.beginsWith: only on string fields`);
        checkScalar(op, operand);
        break;
    }
    tests.push((event) => conditionHolds(event[field], op, compiled));
  }
  return tests;
}
