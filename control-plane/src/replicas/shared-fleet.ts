import type { FleetRegistry } from "../fleet/fleet-registry.js";
import type { Logger } from "../log.js";
import type { ReplicaStore } from "../store/replica-store.js";
import type { Leadership } from "./leadership.js";

/** How often the leader sweeps nodes of dead control planes, ms. */
const SWEEP_MS = 2000;
/** How long stored reports are kept, ms: the fleet registry's history window. */
const REPORTS_KEPT_MS = 30 * 60_000;
/** How often the leader drops older reports, ms. */
const PRUNE_MS = 60_000;

/**
 * What replicas on one database share about the fleet beyond the store's own rows: each
 * report a node sends to this control plane is stored (its gate figures) for the rollout
 * leader, whichever replica it runs on; while this control plane leads, it marks disconnected
 * the nodes of control planes whose lease ran out (every 2 s) and drops reports past the
 * 30 min history (every minute). A failed write is logged and the next one tried.
 * @returns stops the timers
 */
export function shareFleet(
  leadership: Leadership,
  replicas: ReplicaStore,
  fleet: FleetRegistry,
  log: Logger,
): { stop(): void } {
  let warned = false;
  const failed = (what: string) => (err: unknown) => {
    if (!warned) log.warn({ err }, `${what} failed: the database is unavailable`);
    warned = true;
  };
  const ok = () => {
    warned = false;
  };
  fleet.onReport((nodeId, p) => {
    replicas
      .addReport({
        node_id: nodeId,
        at: p.at,
        config_version: p.config_version,
        interval_ms: p.interval_ms,
        requests_per_s: p.requests_per_s,
        status_5xx_per_s: p.status_5xx_per_s,
        latency_p99_ms: p.latency_p99_ms,
        security_events: p.security_events,
      })
      .then(ok, failed("storing a node report"));
  });
  const sweep = setInterval(() => {
    if (!leadership.leading()) return;
    replicas.sweepNodes().then((n) => {
      ok();
      if (n > 0) log.info({ nodes: n }, "nodes of a control plane that stopped marked disconnected");
    }, failed("sweeping nodes"));
  }, SWEEP_MS);
  const prune = setInterval(() => {
    if (leadership.leading()) replicas.pruneReports(Date.now() - REPORTS_KEPT_MS).then(ok, failed("pruning reports"));
  }, PRUNE_MS);
  sweep.unref();
  prune.unref();
  return {
    stop() {
      clearInterval(sweep);
      clearInterval(prune);
    },
  };
}
