/**
 * The mapping sections of a configuration document (one object each, beside the resource lists),
 * in the order a sync writes them: `settings` (global policies, request reading: `/v1/settings`),
 * `telemetry` (SIEM sinks, per-node overrides, redaction names: `/v1/telemetry`) and `anomaly`
 * (anomaly detection: `/v1/anomalies/config`). Kept free of imports: `palisadectl` reads
 * manifests with it without loading the control plane's code.
 */
export const DOCUMENT_SECTIONS = ["settings", "telemetry", "anomaly"] as const;

/** A mapping section of a document. */
export type DocumentSection = (typeof DOCUMENT_SECTIONS)[number];

/** Whether a document key names a mapping section. */
export function isSection(key: string): key is DocumentSection {
  return (DOCUMENT_SECTIONS as readonly string[]).includes(key);
}
