// The package ships no types; this is the part of its API the main job uses.
declare module 'parse-prometheus-text-format' {
  /** Parses Prometheus text format into metric families (name, help, type, metrics[]). */
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
