import { Counter, Gauge, type Registry } from "prom-client";
import type { TargetState } from "../upstream/target-health.js";
import type { UpstreamSource, UpstreamStatsRow } from "./upstream-stats.js";

const STATES: readonly TargetState[] = ["healthy", "unhealthy", "ejected"];

/**
 * The upstreams' health and breaker metrics (metric catalogue of `@palisade/events`, issue 17),
 * read from the live table's upstream state when scraped (a cluster primary: its workers' merge):
 * - `palisade_upstream_targets{upstream,state="healthy"|"unhealthy"|"ejected"}` gauge (Envoy
 *   `membership_healthy`/`membership_total`): targets per state, every state present per upstream;
 * - `palisade_upstream_outlier_ejections_total{upstream}` counter (Envoy
 *   `outlier_detection.ejections_enforced_total`);
 * - `palisade_upstream_health_checks_total{upstream,result="success"|"failure"}` counter (Envoy
 *   `health_check.success`/`failure`), for upstreams with active checks;
 * - `palisade_upstream_circuit_breaker_open{upstream}` gauge (Envoy `circuit_breakers.default.rq_open`);
 * - `palisade_upstream_circuit_breaker_overflows_total{upstream}` counter (Envoy `upstream_rq_overflow`):
 *   requests the breaker answered 503 at once;
 * - `palisade_upstream_retries_total{upstream}` counter (Envoy `upstream_rq_retry`);
 * - `palisade_upstream_requests_active{upstream}` gauge (Envoy `upstream_rq_active`).
 * `upstream` is the config id; target addresses are never labels.
 */
export function registerUpstreamMetrics(register: Registry, src: UpstreamSource): void {
  /** A counter or gauge with one series per upstream (after a reset, `inc` by the value sets it). */
  const perUpstream = (gauge: boolean, name: string, help: string, pick: (r: UpstreamStatsRow) => number) => {
    const opts = {
      name,
      help,
      labelNames: ["upstream"],
      registers: [register],
      collect(this: { reset(): void; inc(labels: { upstream: string }, value: number): void }) {
        this.reset();
        for (const r of src.upstreamStats()) this.inc({ upstream: r.upstream }, pick(r));
      },
    };
    if (gauge) new Gauge(opts);
    else new Counter(opts);
  };
  const counter = (name: string, help: string, pick: (r: UpstreamStatsRow) => number) =>
    perUpstream(false, name, help, pick);
  const gauge = (name: string, help: string, pick: (r: UpstreamStatsRow) => number) =>
    perUpstream(true, name, help, pick);
  new Gauge({
    name: "palisade_upstream_targets",
    help: "Targets of each upstream by health state.",
    labelNames: ["upstream", "state"],
    registers: [register],
    collect() {
      this.reset();
      for (const r of src.upstreamStats()) {
        const n: Record<TargetState, number> = { healthy: 0, unhealthy: 0, ejected: 0 };
        for (const s of Object.values(r.targets)) n[s]++;
        for (const state of STATES) this.set({ upstream: r.upstream, state }, n[state]);
      }
    },
  });
  counter(
    "palisade_upstream_outlier_ejections_total",
    "Targets ejected by passive outlier detection, by upstream.",
    (r) => r.ejections,
  );
  new Counter({
    name: "palisade_upstream_health_checks_total",
    help: "Active health check probes, by upstream and result (success: 2xx or 3xx).",
    labelNames: ["upstream", "result"],
    registers: [register],
    collect() {
      this.reset();
      for (const r of src.upstreamStats()) {
        if (r.checksOk + r.checksFailed === 0) continue;
        this.inc({ upstream: r.upstream, result: "success" }, r.checksOk);
        this.inc({ upstream: r.upstream, result: "failure" }, r.checksFailed);
      }
    },
  });
  gauge(
    "palisade_upstream_circuit_breaker_open",
    "1 while the upstream's circuit breaker refuses requests (max_requests or max_pending reached).",
    (r) => r.breakerOpen,
  );
  counter(
    "palisade_upstream_circuit_breaker_overflows_total",
    "Requests the upstream's circuit breaker refused (503 UPSTREAM_OVERLOADED), by upstream.",
    (r) => r.overflows,
  );
  counter("palisade_upstream_retries_total", "Requests retried on another target, by upstream.", (r) => r.retried);
  gauge(
    "palisade_upstream_requests_active",
    "Requests in flight to the upstream (from the circuit breaker to the end of the response).",
    (r) => r.active,
  );
}
