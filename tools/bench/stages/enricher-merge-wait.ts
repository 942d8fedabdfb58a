// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench reads the enricher's own env schema (one source of its default), as a file (tools are not libraries)
import { enricherSettingsEnvSchema } from '../../../apps/enricher/src/enrichment/enricher-env';

/** The enricher's variable that bounds its event-time merge wait (Kafka Streams' `max.task.idle.ms`). */
export const MERGE_WAIT_ENV = 'ENRICHER_MAX_TASK_IDLE_MS';

/**
 * The enricher's default ENRICHER_MAX_TASK_IDLE_MS, ms, read from its env schema
 * (apps/enricher/src/enrichment/enricher-env.ts), so the bench labels its rows with the wait the
 * enricher really uses when nothing sets it.
 */
export function defaultMergeWaitMs(): number {
  return enricherSettingsEnvSchema.shape.ENRICHER_MAX_TASK_IDLE_MS.parse(undefined);
}

/** `merge wait 100 ms`, or `merge wait 0` (no wait), for a row label. */
export function mergeWaitLabel(ms: number): string {
  return ms === 0 ? 'merge wait 0' : `merge wait ${ms.toLocaleString('en-US')} ms`;
}
