import type { GateResult, GateSpec, Verdict } from "./types.js";

/** One node report as the gates read it (rates per second over `interval_ms`). */
export interface GateSample {
  readonly node: string;
  readonly interval_ms: number;
  readonly requests_per_s: number;
  readonly status_5xx_per_s: number;
  readonly latency_p99_ms: number;
  readonly security_events: Readonly<Record<string, number>>;
}

/**
 * The metrics gates may use, as a JSON Schema pattern (the `POST /v1/rollouts` body schema uses
 * it): `error_rate_5xx`, `p99_ms`, or `security_event_rate:<event type>`.
 */
export const GATE_METRIC_PATTERN = "^(error_rate_5xx|p99_ms|security_event_rate:[A-Za-z0-9_.:-]{1,64})$";

const EVENT_RATE = "security_event_rate:";

/**
 * A metric over a set of reports: `requests` served (Σ requests/s × interval), and the value:
 * - `error_rate_5xx`: Σ 5xx / Σ requests (0..1);
 * - `p99_ms`: per node, its reports' p99 weighted by their requests; the worst node's (node
 *   percentiles cannot be merged exactly; the worst node is what a gate must catch);
 * - `security_event_rate:<type>`: Σ events of that type / Σ requests.
 * The value is null when no request was served.
 */
export function measure(metric: string, samples: readonly GateSample[]): { requests: number; value: number | null } {
  let requests = 0;
  let errors = 0;
  let events = 0;
  const type = metric.startsWith(EVENT_RATE) ? metric.slice(EVENT_RATE.length) : "";
  const p99 = new Map<string, { w: number; sum: number }>();
  for (const s of samples) {
    const n = (s.requests_per_s * s.interval_ms) / 1000;
    requests += n;
    errors += (s.status_5xx_per_s * s.interval_ms) / 1000;
    if (type) events += s.security_events[type] ?? 0;
    if (n > 0) {
      const acc = p99.get(s.node) ?? { w: 0, sum: 0 };
      acc.w += n;
      acc.sum += n * s.latency_p99_ms;
      p99.set(s.node, acc);
    }
  }
  requests = Math.round(requests);
  if (requests === 0) return { requests, value: null };
  if (metric === "error_rate_5xx") return { requests, value: errors / requests };
  if (metric === "p99_ms") return { requests, value: Math.max(...[...p99.values()].map((a) => a.sum / a.w)) };
  return { requests, value: events / requests };
}

/**
 * Evaluates one gate (after Argo Rollouts' analysis and Flagger's checks) over the stage nodes'
 * reports on the target (`stage`) and the untouched nodes' reports on the previous version
 * (`baseline`), both over the same window.
 * - fewer than `min_requests` requests: `pending` until the soak ends (`final`), then `inconclusive`;
 * - value above `threshold`, or above baseline + `max_increase` when the baseline served
 *   `min_requests` too: `fail` at once (a failure needs no full soak);
 * - otherwise `pending` until the soak ends, then `pass`.
 */
export function evaluateGate(
  gate: GateSpec,
  stage: readonly GateSample[],
  baseline: readonly GateSample[],
  final: boolean,
): GateResult {
  const m = measure(gate.metric, stage);
  const b = baseline.length > 0 ? measure(gate.metric, baseline) : { requests: 0, value: null };
  const baseValue = b.requests >= Math.max(1, gate.min_requests) ? b.value : null;
  let verdict: Verdict;
  if (m.requests < gate.min_requests || (m.value === null && gate.min_requests > 0))
    verdict = final ? "inconclusive" : "pending";
  else if (
    m.value !== null &&
    (m.value > gate.threshold ||
      (gate.max_increase !== undefined && baseValue !== null && m.value > baseValue + gate.max_increase))
  )
    verdict = "fail";
  else verdict = final ? "pass" : "pending";
  return {
    metric: gate.metric,
    threshold: gate.threshold,
    ...(gate.max_increase !== undefined ? { max_increase: gate.max_increase } : {}),
    value: m.value,
    baseline: baseValue,
    verdict,
    min_requests: gate.min_requests,
    requests: m.requests,
  };
}

/** The stage's verdict from its gates: any fail → fail; else any pending → pending; else any inconclusive → inconclusive; else pass. */
export function stageVerdict(results: readonly GateResult[]): Verdict {
  if (results.some((r) => r.verdict === "fail")) return "fail";
  if (results.some((r) => r.verdict === "pending")) return "pending";
  if (results.some((r) => r.verdict === "inconclusive")) return "inconclusive";
  return "pass";
}
