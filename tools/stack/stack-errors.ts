/**
 * An error the stack reports to the user as is (no stack trace): a missing tool, a port taken by
 * another program, a server that did not come up (with the tail of its log).
 */
export class StackError extends Error {
  override readonly name = 'StackError';
}
