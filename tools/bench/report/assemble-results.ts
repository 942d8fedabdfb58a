import type { CatchUpRoundFigures } from '../stages/catch-up-round';
import { MERGE_WAIT_ENV, mergeWaitLabel } from '../stages/enricher-merge-wait';
import type { LiveFigures, LiveStep } from '../stages/live-stages';
import { cpuText } from '../system/cpu-usage';
import { pairedRatio, roundFigures, type BenchRow, type TargetOutcome } from './bench-results';
import { formatFigure, formatRatio } from './markdown-report';

const maxOf = (values: readonly (number | null)[]): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? Math.max(...present) : null;
};

/**
 * A stage row from its per-round figures and its baseline's: medians, the paired ratio, the peak RSS
 * over rounds.
 */
function pairedRow(
  id: string,
  stage: string,
  unit: string,
  values: readonly (number | null)[],
  baseline: { name: string; values: readonly (number | null)[] } | null,
  extra: Partial<BenchRow> = {},
): BenchRow {
  return {
    id,
    stage,
    unit,
    throughput: roundFigures(values),
    ...(baseline
      ? {
          baseline: { name: baseline.name, throughput: roundFigures(baseline.values) },
          ratio: pairedRatio(values, baseline.values),
        }
      : {}),
    ...extra,
  };
}

/** The catch-up rows (one figure per round each). */
export function catchUpRows(rounds: readonly CatchUpRoundFigures[]): BenchRow[] {
  if (rounds.length === 0) return [];
  const last = rounds[rounds.length - 1] as CatchUpRoundFigures;
  const pick = (f: (r: CatchUpRoundFigures) => number | null) => rounds.map(f);
  const records = `${last.records.toLocaleString('en-US')} LOBSTER trades+quotes, mean ${last.meanRecordBytes} B`;
  return [
    pairedRow(
      'ingest',
      'ingest-producer publish (replay at max speed)',
      'events/s',
      pick((r) => r.ingest.rate),
      {
        name: 'kafka-producer-perf-test (same count and size, acks=all, idempotent)',
        values: pick((r) => r.producerPerf),
      },
      {
        peakRssMiB: maxOf(pick((r) => r.ingest.peakRssMiB)),
        note: `${records}; includes reading and parsing the gzip source files`,
      },
    ),
    pairedRow(
      'enricher.eos',
      'enricher, exactly-once (catch-up)',
      'events/s',
      pick((r) => r.enricher.rate),
      {
        name: 'raw kafkajs passthrough, exactly-once (transaction per batch)',
        values: pick((r) => r.passthroughEos),
      },
      {
        peakRssMiB: maxOf(pick((r) => r.enricher.peakRssMiB)),
        note: `${records}; from first commit to end of input`,
      },
    ),
    {
      id: 'enricher.alo',
      stage: 'enricher, at-least-once',
      unit: 'events/s',
      throughput: { median: null, rounds: [] },
      note: 'not available: the enricher has no at-least-once mode (its state changelog and outputs share one transaction per batch); the raw passthrough rows give the cost of transactions',
    },
    pairedRow(
      'passthrough.eos',
      'raw kafkajs passthrough, exactly-once',
      'events/s',
      pick((r) => r.passthroughEos),
      {
        name: 'raw kafkajs passthrough, at-least-once (idempotent produce, then commit)',
        values: pick((r) => r.passthroughAlo),
      },
      {
        note: 'consume -> produce with no logic, same topics and partitions as the enricher',
      },
    ),
    pairedRow(
      'passthrough.alo',
      'raw kafkajs passthrough, at-least-once',
      'events/s',
      pick((r) => r.passthroughAlo),
      {
        name: 'kafka-consumer-perf-test (Java, consume only, quotes topic)',
        values: pick((r) => r.consumerPerf),
      },
    ),
    pairedRow(
      'indexer',
      'opensearch-indexer (catch-up)',
      'docs/s',
      pick((r) => r.indexer.rate),
      {
        name: 'raw OpenSearch _bulk of the same documents (1,000 per request)',
        values: pick((r) => r.rawBulk),
      },
      {
        peakRssMiB: maxOf(pick((r) => r.indexer.peakRssMiB)),
        note: `${last.indexedDocs.toLocaleString('en-US')} documents (enriched, 1-minute bars, alerts)`,
      },
    ),
    pairedRow(
      'indexer.concurrency3',
      'opensearch-indexer, KAFKA_PARTITIONS_CONCURRENCY=3 (catch-up)',
      'docs/s',
      pick((r) => r.indexerConcurrent.rate),
      {
        name: 'raw OpenSearch _bulk of the same documents (1,000 per request)',
        values: pick((r) => r.rawBulk),
      },
      {
        peakRssMiB: maxOf(pick((r) => r.indexerConcurrent.peakRssMiB)),
        note: 'the same catch-up into emptied indices with three partitions handled at once (default 1)',
      },
    ),
    pairedRow(
      'archiver',
      'firehose-archiver (catch-up)',
      'MB/s',
      pick((r) => r.archiver.rate),
      { name: 'raw S3 PutObject of the same objects, one at a time', values: pick((r) => r.rawPut) },
      {
        peakRssMiB: maxOf(pick((r) => r.archiver.peakRssMiB)),
        note: `MB of NDJSON records per second; ${last.archiveObjects} gzip objects, ${last.archiveCompressedMiB.toFixed(1)} MiB compressed`,
      },
    ),
  ];
}

/** `; p50 by hop: ...` of an end-to-end step (where the time goes), or nothing. */
function hops(step: LiveStep): string {
  const h = step.hops;
  if (!h) return '';
  const p50 = (summary: { p50: number } | null) => (summary ? formatFigure(summary.p50) : '–');
  return `; p50 by hop: ingestTime -> publish ${p50(h.ingestToPublish)} ms, publish -> enriched sent ${p50(h.publishToEnriched)} ms, enriched -> client ${p50(h.enrichedToDelivered)} ms`;
}

/**
 * A live step's row. End-to-end rows name the enricher's merge wait they ran with; the id of a step at
 * the default wait (`defaultWaitMs`) is `e2e.<rate>` (the targets read it), any other
 * `e2e.<rate>.wait<ms>`.
 */
function liveRow(step: LiveStep, defaultWaitMs: number): BenchRow {
  const rate = step.inputRate.toLocaleString('en-US');
  const problems = [
    step.closed ? `${step.closed} subscribers closed as slow` : '',
    step.unmatched ? `${step.unmatched} samples unmatched` : '',
    step.error ?? '',
  ]
    .filter(Boolean)
    .join('; ');
  const wait = step.enricherMaxTaskIdleMs;
  const cores = step.cpu ? `; cores used in the window: ${cpuText(step.cpu)}` : '';
  return step.kind === 'e2e'
    ? {
        id: `e2e.${step.inputRate}${wait === defaultWaitMs ? '' : `.wait${wait}`}`,
        stage: `end to end at ${rate} events/s (${mergeWaitLabel(wait)})`,
        unit: 'msgs/s',
        throughput: roundFigures([step.error ? null : step.deliveredPerSecond]),
        latency: step.latency,
        env: { [MERGE_WAIT_ENV]: String(wait) },
        note: `ingest-producer (synthetic, real-time pacing, 100 symbols) -> enricher (${MERGE_WAIT_ENV}=${wait}${wait === defaultWaitMs ? ', its default' : ''}) -> gateway -> 1 WebSocket subscriber of all; latency = receive - ingest-producer's send to Kafka${hops(step)}${cores}${problems ? `; ${problems}` : ''}`,
      }
    : step.ingestRate !== undefined
      ? {
          id: `fanout.${step.subscribers}.ingest`,
          stage: `consumer-gateway to ${step.subscribers.toLocaleString('en-US')} subscribers while ingest runs at ${step.ingestRate.toLocaleString('en-US')} events/s`,
          unit: 'msgs/s',
          throughput: roundFigures([step.error ? null : step.deliveredPerSecond]),
          latency: step.latency,
          peakRssMiB: step.gatewayPeakRssMiB,
          note: `${rate} enriched events/s over 1,000 symbols written to market.enriched.v1, each subscriber follows 1 symbol, while ingest-producer (synthetic, real-time pacing, 100 other symbols) -> enricher -> the same gateway carries ${step.ingestRate.toLocaleString('en-US')} events/s; latency = receive - send${cores}${problems ? `; ${problems}` : ''}`,
        }
      : {
          id: `fanout.${step.subscribers}`,
          stage: `consumer-gateway to ${step.subscribers.toLocaleString('en-US')} subscriber${step.subscribers === 1 ? '' : 's'}`,
          unit: 'msgs/s',
          throughput: roundFigures([step.error ? null : step.deliveredPerSecond]),
          latency: step.latency,
          peakRssMiB: step.gatewayPeakRssMiB,
          note: `gateway alone: ${rate} enriched events/s over 1,000 symbols written to market.enriched.v1, each subscriber follows 1 symbol; latency = receive - send${cores}${problems ? `; ${problems}` : ''}`,
        };
}

/**
 * The live rows: each end-to-end step by rate (at the default merge wait, then without it), the highest
 * rate under the target (default wait), each fan-out step, peak RSS.
 */
export function liveRows(live: LiveFigures | null): BenchRow[] {
  if (!live) return [];
  const defaultWait = live.defaultMaxTaskIdleMs;
  const atDefault = (s: LiveStep): number => (s.enricherMaxTaskIdleMs === defaultWait ? 0 : 1);
  const e2e = live.steps
    .filter((s) => s.kind === 'e2e')
    .sort((a, b) => a.inputRate - b.inputRate || atDefault(a) - atDefault(b));
  const floor = live.kafkaEndToEnd?.p99Ms ?? null;
  // Every latency also as a multiple of Kafka's own end-to-end p99 on the same broker (issue 14).
  const row = (step: LiveStep): BenchRow => {
    const base = liveRow(step, defaultWait);
    const p99 = base.latency?.p99 ?? null;
    return floor && p99 !== null ? { ...base, latencyMultiple: p99 / floor } : base;
  };
  const rows: BenchRow[] = [];
  if (live.kafkaEndToEnd) {
    const { p50Ms, p99Ms, p999Ms } = live.kafkaEndToEnd;
    rows.push({
      id: 'kafka.e2e',
      stage: 'baseline: Kafka EndToEndLatency (one hop: produce acks=all -> consume)',
      unit: '',
      throughput: { median: null, rounds: [] },
      latency: { count: 0, p50: p50Ms, p99: p99Ms, p999: p999Ms, max: p999Ms },
      note: "kafka-tools' org.apache.kafka.tools.EndToEndLatency on the same broker before the live steps, one record of 300 B at a time; every p99 below is also given as a multiple of this p99 (×N)",
    });
  }
  rows.push(...e2e.map(row));
  rows.push({
    id: 'e2e.max',
    stage: `end to end: highest input rate with p99 < 50 ms (${mergeWaitLabel(defaultWait)})`,
    unit: 'events/s',
    throughput: roundFigures([live.maxRate.rate]),
    env: { [MERGE_WAIT_ENV]: String(defaultWait) },
    note:
      live.maxRate.rate === null
        ? 'no rate tried held p99 < 50 ms'
        : `${live.maxRate.atLeast ? 'at least (the highest rate tried); ' : ''}step search over the rates above`,
  });
  rows.push(...live.steps.filter((s) => s.kind === 'fanout').map(row));
  rows.push({
    id: 'live.rss',
    stage: 'peak RSS during the live stages',
    unit: '',
    throughput: { median: null, rounds: [] },
    note: `enricher ${formatFigure(live.peakRssMiB.enricher)} MiB, consumer-gateway ${formatFigure(live.peakRssMiB.gateway)} MiB, ingest-producer ${formatFigure(live.peakRssMiB.ingest)} MiB`,
  });
  return rows;
}

/** The issue's targets judged on the rows. */
export function judgeTargets(rows: readonly BenchRow[]): TargetOutcome[] {
  const row = (id: string) => rows.find((r) => r.id === id);
  const ratioTarget = (id: string, target: string, min: number): TargetOutcome => {
    const ratio = row(id)?.ratio ?? null;
    return { target, figure: formatRatio(ratio), met: ratio === null ? null : ratio >= min };
  };
  const latencyTarget = (id: string, target: string, maxP99Ms = 50): TargetOutcome => {
    const r = row(id);
    const p99 = r?.latency?.p99 ?? null;
    const dropped = r?.note?.includes('closed as slow') ?? false;
    return {
      target,
      figure:
        p99 === null
          ? '–'
          : `p99 ${formatFigure(p99)} ms${dropped ? ', some subscribers closed as slow' : ''}`,
      met: p99 === null ? null : p99 <= maxP99Ms && !dropped,
    };
  };
  return [
    ratioTarget('enricher.eos', 'enricher (exactly-once) >= 50% of the raw passthrough', 0.5),
    ratioTarget('indexer', 'opensearch-indexer >= 80% of raw bulk', 0.8),
    latencyTarget('e2e.10000', 'end to end p99 <= 50 ms at 10,000 events/s'),
    // Judged only on the step with ingest running: the gateway alone is not the target's condition.
    latencyTarget(
      'fanout.1000.ingest',
      'gateway: 1,000 subscribers, p99 <= 50 ms while ingest runs at 10,000 events/s',
    ),
    latencyTarget('e2e.1000', 'end to end p99 <= 25 ms at 1,000 events/s', 25),
  ];
}
