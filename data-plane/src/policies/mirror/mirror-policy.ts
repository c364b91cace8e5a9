import type { MirrorPolicy } from "@palisade/proto";
import type { ShadowStats } from "../../telemetry/shadow-stats.js";
import type { PoolManager } from "../../upstream/pool-manager.js";
import {
  ALLOW,
  type MirrorRequest,
  type MirrorSender,
  type PolicyAllow,
  PolicyConfigError,
  type PolicyContext,
  type PolicyInstance,
  type ShadowRun,
} from "../types.js";
import { type ShadowTarget, startShadowRun } from "./shadow-run.js";

/** Defaults of a mirror policy whose fields are 0 (the control plane makes them explicit). */
export const MIRROR_DEFAULTS = Object.freeze({ timeoutMs: 5_000, maxInFlight: 100 });

/** What mirror policies share across compiles: their own pools, and where they count. */
export interface MirrorResources {
  /** Connection pools of shadow traffic only: the primary's pools never carry a shadow request. */
  readonly pools: PoolManager;
  /** Per-route shadow counters (reports, `/metrics`); `null` where nothing reads them. */
  readonly stats: ShadowStats | null;
}

/**
 * The `mirror` policy (shadow traffic, route-level). In `request_filter` it samples the request
 * (a random draw under `fraction`); a sampled request gets a shadow copy once its upstream
 * request is built — the same method, path (under the shadow upstream's `path_prefix`), query
 * and headers as the primary request after every policy ran (credentials stripped exactly as
 * for the primary), with `Host` marked `-shadow` — sent to a target of the shadow upstream
 * through the mirror's own pools, with its own timeout and no retries. The body is teed as it
 * streams to the primary (never held back); bodies over `max_body_bytes` (declared or counted)
 * are not mirrored. At most `max_in_flight` shadow requests run per policy and process (each
 * buffers at most `max_body_bytes`); over it a request is not mirrored. Shadow answers are read
 * and dropped; the client's answer never depends on them. Each sampled request ends as one
 * comparison of status class and latency with the primary, or one counted drop (see
 * telemetry/shadow-stats.ts). Failures are counted, never logged per request.
 * @throws PolicyConfigError when the shadow upstream is missing or a bound is out of range
 */
export function createMirrorPolicy(cfg: MirrorPolicy, ctx: PolicyContext, res: MirrorResources): PolicyInstance {
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
  const sender: MirrorSender = Object.freeze({
    start(req: MirrorRequest): ShadowRun | null {
      const counters = stats === null ? null : stats.route(req.routeId);
      if (inFlight >= maxInFlight) {
        counters?.drop("queue_full");
        return null;
      }
      // A body declared over the cap, or any body when the cap is 0 (bodiless requests only).
      if (req.body !== null && (target.maxBodyBytes === 0 || (req.contentLength ?? 0) > target.maxBodyBytes)) {
        counters?.drop("body_too_large");
        return null;
      }
      inFlight++;
      return startShadowRun(target, req, counters);
    },
  });
  const sampled: PolicyAllow = Object.freeze({ allow: true, upstreamHeaders: null, mirror: sender });
  const fraction = cfg.fraction;
  return Object.freeze({
    type: "mirror",
    id: ctx.id,
    check: () => (fraction >= 1 || Math.random() < fraction ? sampled : ALLOW),
  });
}
