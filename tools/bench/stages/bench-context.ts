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
