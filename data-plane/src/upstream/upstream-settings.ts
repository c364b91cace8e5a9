/**
 * Upstream settings with their defaults applied: what compile reads from the proto resource
 * (where 0 or unset means "the default") and what the dispatch interceptors, health checks and
 * pools run with. All durations in ms. The defaults follow Envoy's where Envoy has one.
 */
import type { CircuitBreaker, HealthCheck, RetryPolicy } from "@palisade/proto";

/** Active health check of every target (HTTP GET). */
export interface ActiveCheckSettings {
  /** Origin-form path probed, e.g. `/healthz`. */
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive successes (2xx/3xx) that bring a target back. */
  readonly healthyThreshold: number;
  /** Consecutive failures that take a target out. */
  readonly unhealthyThreshold: number;
}

/** Passive outlier detection (ejection after consecutive failures of real traffic). */
export interface PassiveSettings {
  /** Consecutive 5xx answers, resets or timeouts that eject a target. */
  readonly consecutive5xx: number;
  /** Consecutive connect failures that eject a target. */
  readonly consecutiveConnectFailures: number;
  /** Ejection time; multiplied by the target's recent ejections, capped at {@link MAX_EJECTION_MS}. */
  readonly baseEjectionMs: number;
  /** Most targets ejected at once, percent of the upstream's targets (at least one target). */
  readonly maxEjectionPercent: number;
}

/** When and how often a failed exchange is tried again. */
export interface RetrySettings {
  /** Retries after the first try; 0 = no retry interceptor at all. */
  readonly maxRetries: number;
  /** Upstream statuses retried for idempotent requests without a body. */
  readonly onStatuses: ReadonlySet<number>;
  /** Retries in flight ≤ max(minConcurrent, budgetPercent% of requests in flight) (Envoy retry budget). */
  readonly budgetPercent: number;
  readonly minConcurrent: number;
}

/** Circuit breaker limits of one upstream. */
export interface BreakerSettings {
  /** Requests in flight (from dispatch to the end of the response). */
  readonly maxRequests: number;
  /** Requests dispatched that wait for a connection. */
  readonly maxPending: number;
  /** Connections per target; 0 = unlimited. */
  readonly maxConnections: number;
}

export const DEFAULT_ACTIVE_INTERVAL_MS = 5_000;
export const DEFAULT_ACTIVE_TIMEOUT_MS = 2_000;
export const DEFAULT_HEALTHY_THRESHOLD = 2;
export const DEFAULT_UNHEALTHY_THRESHOLD = 3;
export const DEFAULT_CONSECUTIVE_5XX = 5;
export const DEFAULT_CONSECUTIVE_CONNECT_FAILURES = 3;
export const DEFAULT_BASE_EJECTION_MS = 30_000;
export const DEFAULT_MAX_EJECTION_PERCENT = 50;
/** Longest ejection, whatever the multiplier (Envoy's max_ejection_time). */
export const MAX_EJECTION_MS = 300_000;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_RETRY_BUDGET_PERCENT = 20;
export const DEFAULT_RETRY_MIN_CONCURRENT = 3;
export const DEFAULT_MAX_REQUESTS = 1024;
export const DEFAULT_MAX_PENDING = 1024;

/** Active check settings, or `null` when the upstream has none. */
export function resolveActiveCheck(hc: HealthCheck | undefined): ActiveCheckSettings | null {
  const a = hc?.active;
  if (a === undefined) return null;
  return Object.freeze({
    path: a.path || "/",
    intervalMs: a.intervalMs || DEFAULT_ACTIVE_INTERVAL_MS,
    timeoutMs: a.timeoutMs || DEFAULT_ACTIVE_TIMEOUT_MS,
    healthyThreshold: a.healthyThreshold || DEFAULT_HEALTHY_THRESHOLD,
    unhealthyThreshold: a.unhealthyThreshold || DEFAULT_UNHEALTHY_THRESHOLD,
  });
}

/** Passive detection settings (on by default), or `null` when turned off. */
export function resolvePassive(hc: HealthCheck | undefined): PassiveSettings | null {
  const p = hc?.passive;
  if (p?.disabled) return null;
  return Object.freeze({
    consecutive5xx: p?.consecutive5xx || DEFAULT_CONSECUTIVE_5XX,
    consecutiveConnectFailures: p?.consecutiveConnectFailures || DEFAULT_CONSECUTIVE_CONNECT_FAILURES,
    baseEjectionMs: p?.baseEjectionMs || DEFAULT_BASE_EJECTION_MS,
    maxEjectionPercent: Math.min(100, p?.maxEjectionPercent || DEFAULT_MAX_EJECTION_PERCENT),
  });
}

/** Retry settings; `maxRetries` 0 when retries are off. */
export function resolveRetries(r: RetryPolicy | undefined): RetrySettings {
  return Object.freeze({
    maxRetries: r?.maxRetries ?? DEFAULT_MAX_RETRIES,
    onStatuses: new Set(r?.retryOnStatuses ?? []),
    budgetPercent: r?.budgetPercent || DEFAULT_RETRY_BUDGET_PERCENT,
    minConcurrent: r?.minConcurrent || DEFAULT_RETRY_MIN_CONCURRENT,
  });
}

/** Circuit breaker limits. */
export function resolveBreaker(c: CircuitBreaker | undefined): BreakerSettings {
  return Object.freeze({
    maxRequests: c?.maxRequests || DEFAULT_MAX_REQUESTS,
    maxPending: c?.maxPending || DEFAULT_MAX_PENDING,
    maxConnections: c?.maxConnections ?? 0,
  });
}
