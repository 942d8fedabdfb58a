import type { ChildProcess } from 'node:child_process';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { startService, type RunningService } from '../../main-job/service-processes';
import { join } from 'node:path';
import type { LocalStack } from '@tickwire/testing';

/** What every stage of a run shares. */
export interface BenchContext {
  readonly stack: LocalStack;
  /** `<stackDir>/bench-services`: the services' logs. */
  readonly logDir: string;
  /** Classpath of Kafka's perf tools. */
  readonly kafkaToolsDir: string;
  /** `host:port` of the stack's Kafka PLAINTEXT listener. */
  readonly brokers: string;
  readonly log: (line: string) => void;
  /** Whether `--cpu-prof` profiles go to `<stackDir>/bench-profiles` for services under test. */
  readonly cpuProfileDir?: string;
}

/**
 * Environment that makes a service write a V8 CPU profile to `dir` (see system/cpu-profile-preload.cjs;
 * NODE_OPTIONS does not accept --cpu-prof itself); empty without a folder.
 */
export function cpuProfileEnv(dir: string | undefined, name: string): Record<string, string> {
  if (!dir) return {};
  return {
    NODE_OPTIONS: `--require ${join(__dirname, '..', 'system', 'cpu-profile-preload.cjs')}`,
    TICKWIRE_CPU_PROF_DIR: dir,
    TICKWIRE_CPU_PROF_NAME: name,
  };
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Registers a child process (a service under test, a subscriber process) to be killed if the bench
 * itself ends early (an error, Ctrl-C, SIGTERM), so no service keeps the bench's ports or consumer
 * groups afterwards. Returns the child.
 */
export function trackChild<T extends ChildProcess>(child: T): T {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const running of children)
        if (running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Whether services start from their production bundles (see {@link runServiceBundles}). */
let runBundles = false;

/**
 * From now on {@link startTrackedService} runs each service's production bundle (`dist/apps/<name>/main.js`,
 * `node --enable-source-maps`, as its container does) instead of its TypeScript through
 * `@swc-node/register`: the bench measures what is shipped (the register hook costs memory and CPU).
 */
export function runServiceBundles(enabled: boolean): void {
  runBundles = enabled;
}

/** {@link startService} of the main job, with the child registered by {@link trackChild}. */
export async function startTrackedService(...args: Parameters<typeof startService>): Promise<RunningService> {
  const [name, options] = args;
  const service = await startService(name, { ...options, bundle: runBundles });
  trackChild(service.child);
  return service;
}
