/**
 * Health of upstream targets: active checks and passive outlier detection both feed one
 * {@link TargetHealth} per target, and balancers read its `available` flag on every pick.
 * These objects outlive compiled tables (the UpstreamRuntime hands the same one to every
 * compile while the target stays in the upstream), so an ejected target stays ejected across a
 * publish.
 */
import type { Logger } from "../log.js";
import type { UpstreamCounters } from "./dispatch/upstream-call.js";
import { MAX_EJECTION_MS, type PassiveSettings } from "./upstream-settings.js";

/** How an exchange with a target failed, for outlier detection. */
export type FailureKind = "connect" | "gateway";

/** The targets of one compiled upstream, in index order, with its passive settings. */
export interface UpstreamHealth {
  /** `upstream/<name>`, for logs. */
  readonly resource: string;
  readonly targets: readonly TargetHealth[];
  /** `null`: passive outlier detection is off. */
  readonly passive: PassiveSettings | null;
  /** The upstream's counters, where ejections are counted (absent: not counted). */
  readonly counters?: UpstreamCounters;
}

/**
 * A target's health as `palisade_upstream_targets{state}` shows it: `unhealthy` while active
 * checks fail it, else `ejected` while outlier detection holds it out, else `healthy`.
 */
export type TargetState = "healthy" | "unhealthy" | "ejected";

/**
 * One target's health. `available` = not ejected by outlier detection and not failed by active
 * checks. Ejection follows Envoy's outlier detection: consecutive 5xx-class failures (or connect
 * failures) eject for `baseEjectionMs × ejections`, capped at 5 minutes; the multiplier decays
 * by one per base period spent in service; at most `maxEjectionPercent` of an upstream's
 * targets (and at least one) are ejected at once.
 */
export class TargetHealth {
  /** `http://host:port`, for logs. */
  readonly origin: string;
  /** Read by balancers on every pick: true while the target may get traffic. */
  available = true;
  #log: Logger | null;
  #ejected = false;
  #activeFailed = false;
  #gatewayFailures = 0;
  #connectFailures = 0;
  #ejections = 0;
  #returnedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #probeSuccesses = 0;
  #probeFailures = 0;

  constructor(origin: string, log: Logger | null = null) {
    this.origin = origin;
    this.#log = log;
  }

  /** Ejected by outlier detection right now. */
  get ejected(): boolean {
    return this.#ejected;
  }

  /** Failed by active health checks right now. */
  get activeFailed(): boolean {
    return this.#activeFailed;
  }

  /** The target's state for metrics ({@link TargetState}). */
  get state(): TargetState {
    return this.#activeFailed ? "unhealthy" : this.#ejected ? "ejected" : "healthy";
  }

  /** An exchange got a response below 500: the failure streaks restart. Hot path: two loads. */
  recordSuccess(): void {
    if (this.#gatewayFailures !== 0 || this.#connectFailures !== 0) {
      this.#gatewayFailures = 0;
      this.#connectFailures = 0;
    }
  }

  /**
   * An exchange failed: a 5xx answer, a reset or a timeout (`gateway`), or the connection could
   * not be made (`connect`). May eject the target.
   */
  recordFailure(kind: FailureKind, upstream: UpstreamHealth): void {
    const p = upstream.passive;
    if (p === null || this.#ejected) return;
    let streak: number;
    let threshold: number;
    if (kind === "connect") {
      streak = ++this.#connectFailures;
      threshold = p.consecutiveConnectFailures;
    } else {
      streak = ++this.#gatewayFailures;
      threshold = p.consecutive5xx;
    }
    if (streak < threshold || !canEject(upstream)) return;
    const now = Date.now();
    // The multiplier decays by one per base period the target spent back in service.
    if (this.#ejections > 0 && this.#returnedAt > 0) {
      this.#ejections = Math.max(0, this.#ejections - Math.floor((now - this.#returnedAt) / p.baseEjectionMs));
    }
    this.#ejections++;
    const forMs = Math.min(p.baseEjectionMs * this.#ejections, MAX_EJECTION_MS);
    this.#ejected = true;
    this.available = false;
    if (upstream.counters !== undefined) upstream.counters.ejections++;
    this.#timer = setTimeout(returnToService, forMs, this);
    this.#timer.unref();
    this.#log?.warn(
      {
        upstream: upstream.resource,
        target: this.origin,
        reason: kind === "connect" ? "connect failures" : "5xx",
        streak,
        ejected_ms: forMs,
      },
      "target ejected",
    );
  }

  /** The ejection time is over. */
  unEject(): void {
    this.#timer = undefined;
    if (!this.#ejected) return;
    this.#ejected = false;
    this.#gatewayFailures = 0;
    this.#connectFailures = 0;
    this.#returnedAt = Date.now();
    this.available = !this.#activeFailed;
    this.#log?.info({ target: this.origin }, "target back in service after ejection");
  }

  /**
   * One active probe's result. `healthyThreshold` consecutive successes bring a failed target
   * back; `unhealthyThreshold` consecutive failures take a healthy one out.
   */
  recordProbe(ok: boolean, healthyThreshold: number, unhealthyThreshold: number, reason?: string): void {
    if (ok) {
      this.#probeFailures = 0;
      if (!this.#activeFailed) return;
      if (++this.#probeSuccesses < healthyThreshold) return;
      this.#activeFailed = false;
      this.#probeSuccesses = 0;
      this.available = !this.#ejected;
      this.#log?.info({ target: this.origin }, "target healthy (active check)");
    } else {
      this.#probeSuccesses = 0;
      if (this.#activeFailed) return;
      if (++this.#probeFailures < unhealthyThreshold) return;
      this.#activeFailed = true;
      this.#probeFailures = 0;
      this.available = false;
      this.#log?.warn({ target: this.origin, reason }, "target unhealthy (active check)");
    }
  }

  /** Forgets active-check state (the upstream's checks were removed). */
  clearActive(): void {
    this.#activeFailed = false;
    this.#probeFailures = 0;
    this.#probeSuccesses = 0;
    this.available = !this.#ejected;
  }

  /** Stops the ejection timer (the target left the config). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function returnToService(t: TargetHealth): void {
  t.unEject();
}

/** Whether one more target of the upstream may be ejected (max percent, but at least one). */
function canEject(upstream: UpstreamHealth): boolean {
  const targets = upstream.targets;
  let ejected = 0;
  for (const t of targets) if (t.ejected) ejected++;
  const max = Math.max(1, Math.floor((targets.length * upstream.passive!.maxEjectionPercent) / 100));
  return ejected < max;
}
