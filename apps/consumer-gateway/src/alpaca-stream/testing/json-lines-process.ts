import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A child process that prints one JSON object per stdout line (a customer program under test), with
 * what a test needs: every object received so far, waiting for one that matches, commands on stdin.
 */
export class JsonLinesProcess {
  readonly lines: Record<string, unknown>[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  private exitCode: number | null | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ type: 'unparsed', line });
      }
      for (const wake of this.waiters) wake();
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4_000)));
    child.on('exit', (code) => {
      this.exitCode = code;
      for (const wake of this.waiters) wake();
    });
  }

  /** Starts `command` with `args`. */
  static start(command: string, args: readonly string[]): JsonLinesProcess {
    return new JsonLinesProcess(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Objects of one `type` received so far. */
  ofType(type: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line['type'] === type);
  }

  /**
   * Waits until `done(lines)` holds.
   * @throws Error after `timeoutMs`, or when the process exited first (with its last stderr).
   */
  async waitFor(what: string, done: (lines: readonly Record<string, unknown>[]) => boolean, timeoutMs = 30_000): Promise<void> {
    if (done(this.lines)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`waiting for ${what}: timed out after ${timeoutMs} ms; stdout: ${JSON.stringify(this.lines.slice(-10))}; stderr: ${this.stderr}`)), timeoutMs);
      const check = () => {
        if (done(this.lines)) finish();
        else if (this.exitCode !== undefined) finish(new Error(`waiting for ${what}: the process exited with ${this.exitCode}; stderr: ${this.stderr}`));
      };
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Writes one command line to its stdin. */
  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  /** Sends `stop`, waits for the exit (at most `timeoutMs`), then kills it if it is still there. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.send('stop');
    await this.waitFor('exit', () => this.exitCode !== undefined, timeoutMs).catch(() => this.child.kill('SIGKILL'));
  }
}
