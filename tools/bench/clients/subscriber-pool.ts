import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { REPO_ROOT } from '../../main-job/service-processes';
import { trackChild } from '../stages/bench-context';
import type { SubscriberCommand, SubscriberReport } from './subscriber-protocol';

/** What a measurement window saw across every subscriber process. */
export interface PoolWindow {
  readonly frames: number;
  readonly windowMs: number;
  readonly sampledIds: string[];
  readonly sampledAtMs: number[];
  /** Receive time - eventTime of sampled frames, ms (latencyFromEventTime). */
  readonly eventTimeLatenciesMs: number[];
  /** Sockets the gateway closed since connecting (slow clients). */
  readonly closed: number;
}

/**
 * WebSocket subscribers of the consumer gateway spread over `processes` child processes
 * (clients/ws-subscriber-process.ts run with tsx), each socket subscribed to its own symbol list.
 */
export class SubscriberPool {
  private constructor(private readonly children: readonly ChildProcess[]) {}

  /** Pids of the subscriber processes (the tsx launchers; their node children hold the sockets). */
  get pids(): number[] {
    return this.children.flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
  }

  /**
   * Forks the processes and connects `sockets` (one symbol list each, dealt round-robin).
   *
   * @throws Error when a socket fails to connect, authenticate or subscribe (the first error).
   */
  static async connect(options: {
    url: string;
    apiKey: string;
    sockets: readonly (readonly string[])[];
    processes: number;
    sampleDivisor: number;
    latencyFromEventTime?: boolean;
  }): Promise<SubscriberPool> {
    const tsxCli = require.resolve('tsx/cli', { paths: [REPO_ROOT] });
    const children = Array.from({ length: options.processes }, () =>
      trackChild(
        fork(tsxCli, [join(__dirname, 'ws-subscriber-process.ts')], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      ),
    );
    const pool = new SubscriberPool(children);
    const shares = children.map((_, p) => options.sockets.filter((_, i) => i % children.length === p));
    try {
      const reports = await Promise.all(
        children.map((child, p) =>
          pool.request(
            child,
            {
              type: 'connect',
              url: options.url,
              apiKey: options.apiKey,
              sockets: shares[p] ?? [],
              sampleDivisor: options.sampleDivisor,
              latencyFromEventTime: options.latencyFromEventTime ?? false,
            },
            'connected',
            600_000,
          ),
        ),
      );
      const failed = reports.reduce((sum, r) => sum + (r.type === 'connected' ? r.failed : 0), 0);
      if (failed > 0) {
        const first = reports.find((r) => r.type === 'connected' && r.firstError);
        throw new Error(
          `${failed} of ${options.sockets.length} subscribers failed: ${first?.type === 'connected' ? first.firstError : ''}`,
        );
      }
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  /** Starts a measurement window in every process. */
  startWindow(): void {
    for (const child of this.children) child.send({ type: 'start-window' } satisfies SubscriberCommand);
  }

  /** Ends the window and gathers what every process saw. */
  async endWindow(): Promise<PoolWindow> {
    const reports = await Promise.all(
      this.children.map((child) => this.request(child, { type: 'end-window' }, 'window', 60_000)),
    );
    const window: PoolWindow = {
      frames: 0,
      windowMs: 0,
      sampledIds: [],
      sampledAtMs: [],
      eventTimeLatenciesMs: [],
      closed: 0,
    };
    let frames = 0;
    let windowMs = 0;
    let closed = 0;
    for (const report of reports) {
      if (report.type !== 'window') continue;
      frames += report.frames;
      windowMs = Math.max(windowMs, report.windowMs);
      closed += report.closed;
      for (const id of report.sampledIds) window.sampledIds.push(id);
      for (const at of report.sampledAtMs) window.sampledAtMs.push(at);
      for (const latency of report.eventTimeLatenciesMs) window.eventTimeLatenciesMs.push(latency);
    }
    return { ...window, frames, windowMs, closed };
  }

  /** Closes every socket and ends the processes. */
  close(): void {
    for (const child of this.children) {
      if (child.connected) child.send({ type: 'close' } satisfies SubscriberCommand);
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }
  }

  private request(
    child: ChildProcess,
    command: SubscriberCommand,
    expect: SubscriberReport['type'],
    timeoutMs: number,
  ): Promise<SubscriberReport> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`subscriber process: no ${expect} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      const onMessage = (report: SubscriberReport): void => {
        if (report.type === 'error') done(new Error(`subscriber process: ${report.message}`));
        else if (report.type === expect) done(null, report);
      };
      const onExit = (code: number | null): void => done(new Error(`subscriber process exited (${code})`));
      const done = (error: Error | null, report?: SubscriberReport): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(report as SubscriberReport);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(command);
    });
  }
}
