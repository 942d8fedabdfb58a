import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One sample of a Prometheus metric: its labels and value. */
export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parsed `/metrics` text: metric name -> samples (counters and gauges; histograms are skipped). */
export type MetricFamilies = ReadonlyMap<string, readonly MetricSample[]>;

interface ParsedFamily {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string }[];
}

/**
 * Parses the Prometheus text exposition format (prometheus.io/docs/instrumenting/exposition_formats)
 * with the parse-prometheus-text-format package.
 *
 * @throws Error when the text is not in that format.
 */
export function parseMetrics(text: string): MetricFamilies {
  const families = parsePrometheusTextFormat(text) as ParsedFamily[];
  const result = new Map<string, MetricSample[]>();
  for (const family of families) {
    if (family.type !== 'COUNTER' && family.type !== 'GAUGE' && family.type !== 'UNTYPED') continue;
    result.set(
      family.name,
      family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })),
    );
  }
  return result;
}

/**
 * Sum of a metric's samples whose labels match `where` (every given label equal; a function value is
 * a predicate on that label). 0 when the metric is absent (a counter not yet incremented).
 */
export function sumMetric(
  families: MetricFamilies,
  name: string,
  where: Readonly<Record<string, string | ((value: string) => boolean)>> = {},
): number {
  let sum = 0;
  for (const sample of families.get(name) ?? []) {
    const matches = Object.entries(where).every(([label, expected]) => {
      const actual = sample.labels[label];
      if (actual === undefined) return false;
      return typeof expected === 'function' ? expected(actual) : actual === expected;
    });
    if (matches) sum += sample.value;
  }
  return sum;
}

/** Fetches and parses `<baseUrl>/metrics`. @throws Error on a non-2xx status or a timeout (5 s). */
export async function scrapeMetrics(baseUrl: string): Promise<MetricFamilies> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${baseUrl}/metrics: HTTP ${response.status}`);
  return parseMetrics(await response.text());
}
