import type { MirrorPolicy } from "@palisade/proto";
import type { ShadowStats } from "../../telemetry/shadow-stats.js";
import type { PoolManager } from "../../upstream/pool-manager.js";
import { CONTINUE, type Policy, type PolicyExchange, type UpstreamRequest } from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";
import { type ShadowRun, type ShadowTarget, startShadowRun } from "./shadow-run.js";

/** Defaults of a mirror policy whose fields are 0 (the control plane makes them explicit). */
export const MIRROR_DEFAULTS = Object.freeze({ timeoutMs: 5_000, maxInFlight: 100 });

/** What mirror policies share across compiles: their own pools, and where they count. */
export interface MirrorResources {
  /** Connection pools of shadow traffic only: the primary's pools never carry a shadow request. */
  readonly pools: PoolManager;
  /** Per-route shadow counters (reports, `/metrics`); `null` where nothing reads them. */
  readonly stats: ShadowStats | null;
}

/** A sampled request, before its shadow run starts in `upstream_request_filter`. */
const SAMPLED = Symbol("sampled");

/**
 * The `mirror` policy (shadow traffic, route-level: `routeOnly`, `mirrors`). Its hooks:
 * `requestHeaders` samples the request (a random draw under `fraction`); `upstreamRequest` gives a
 * sampled request a shadow copy once its upstream request is built — the same method, path
 * (under the shadow upstream's `path_prefix`), query and headers as the primary request after
 * every policy ran (credentials stripped exactly as for the primary), with `Host` marked
 * `-shadow` — sent to a target of the shadow upstream through the mirror's own pools, with its
 * own timeout and no retries; `responseHeaders` and `log` give the run the primary's status.
 * The body is teed as it streams to the primary (never held back); bodies over `max_body_bytes`
 * (declared or counted) are not mirrored. WebSocket upgrades are not mirrored. At most
 * `max_in_flight` shadow requests run per policy and process (each buffers at most
 * `max_body_bytes`); over it a request is not mirrored. Shadow answers are read and dropped; the
 * client's answer never depends on them. Each sampled request ends as one comparison of status
 * class and latency with the primary, or one counted drop (see telemetry/shadow-stats.ts).
 * Failures are counted, never logged per request.
 * @throws PolicyConfigError when the shadow upstream is missing or a bound is out of range
 */
export function createMirrorPolicy(cfg: MirrorPolicy, ctx: PolicyContext, res: MirrorResources): Policy {
  const upstream = ctx.upstreams?.get(cfg.upstreamId);
  if (upstream === undefined) throw new PolicyConfigError(`upstream "${cfg.upstreamId}" is not in the snapshot`);
  if (!(cfg.fraction > 0 && cfg.fraction <= 1)) throw new PolicyConfigError("fraction: must be in (0, 1]");
  const maxInFlight = cfg.maxInFlight === 0 ? MIRROR_DEFAULTS.maxInFlight : cfg.maxInFlight;
  let inFlight = 0;
  const target: ShadowTarget = Object.freeze({
    upstream,
    pools: res.pools,
    maxBodyBytes: cfg.maxBodyBytes,
    timeoutMs: cfg.timeoutMs === 0 ? MIRROR_DEFAULTS.timeoutMs : cfg.timeoutMs,
    done: () => {
      inFlight--;
    },
  });
  const stats = res.stats;
  /** Starts the shadow run of a sampled request, or counts why it is not mirrored after all. */
  const start = (up: UpstreamRequest): ShadowRun | null => {
    const counters = stats === null ? null : stats.route(up.routeId);
    if (inFlight >= maxInFlight) {
      counters?.drop("queue_full");
      return null;
    }
    const body = up.body();
    // A body declared over the cap, or any body when the cap is 0 (bodiless requests only).
    if (body !== null && (target.maxBodyBytes === 0 || (up.contentLength ?? 0) > target.maxBodyBytes)) {
      counters?.drop("body_too_large");
      return null;
    }
    inFlight++;
    const run = startShadowRun(
      target,
      {
        routeId: up.routeId,
        method: up.method,
        upstreamPath: up.upstreamPath,
        query: up.query,
        headers: up.headers(),
        body,
        contentLength: up.contentLength,
        preserveHost: up.preserveHost,
        clientAuthority: up.clientAuthority,
      },
      counters,
    );
    if (run.body !== null) up.replaceBody(run.body);
    return run;
  };
  const fraction = cfg.fraction;
  const policy: Policy = Object.freeze({
    type: "mirror",
    id: ctx.id,
    traits: Object.freeze({ routeOnly: true, mirrors: true }),
    requestHeaders(ex: PolicyExchange) {
      if (fraction >= 1 || Math.random() < fraction) ex.setState(policy, SAMPLED);
      return CONTINUE;
    },
    upstreamRequest(ex: PolicyExchange, up: UpstreamRequest) {
      if (ex.stateOf(policy) !== SAMPLED || up.upgrade) return;
      const run = start(up);
      ex.setState(policy, run);
    },
    responseHeaders(ex, r) {
      const run = ex.stateOf(policy);
      if (!r.own && run !== undefined && run !== null && run !== SAMPLED) (run as ShadowRun).primaryResponse(r.status);
      return CONTINUE;
    },
    log(ex) {
      const run = ex.stateOf(policy);
      if (run !== undefined && run !== null && run !== SAMPLED) (run as ShadowRun).primaryEnd(ex.status);
    },
  } satisfies Policy);
  return policy;
}
