import type { UpstreamTimeouts } from "@palisade/proto";

/** Default time to establish the TCP (and TLS) connection, in ms. */
export const DEFAULT_CONNECT_MS = 5_000;
/** Default time from sending the request to the end of the response headers, in ms. */
export const DEFAULT_HEADER_MS = 30_000;
/** Default maximum idle time between two response body chunks, in ms. */
export const DEFAULT_BODY_MS = 30_000;

/** Resolved upstream timeouts, all in ms; all positive except `totalMs` (0 = no total). */
export interface TimeoutsMs {
  readonly connectMs: number;
  readonly headerMs: number;
  readonly bodyMs: number;
  /** Whole exchange, retries included, until the response ends; 0 = none. */
  readonly totalMs: number;
}

/** Applies the defaults to an upstream's `timeouts` (absent or 0 = default). */
export function resolveTimeouts(t: UpstreamTimeouts | undefined): TimeoutsMs {
  return Object.freeze({
    connectMs: t?.connectMs || DEFAULT_CONNECT_MS,
    headerMs: t?.headerMs || DEFAULT_HEADER_MS,
    bodyMs: t?.bodyMs || DEFAULT_BODY_MS,
    totalMs: t?.totalMs ?? 0,
  });
}

/**
 * A route's timeouts: each non-zero field of its `timeouts` overrides the upstream's.
 * @returns `base` itself when the route overrides nothing (so routes share one object)
 */
export function overrideTimeouts(base: TimeoutsMs, t: UpstreamTimeouts | undefined): TimeoutsMs {
  if (t === undefined || (!t.connectMs && !t.headerMs && !t.bodyMs && !t.totalMs)) return base;
  return Object.freeze({
    connectMs: t.connectMs || base.connectMs,
    headerMs: t.headerMs || base.headerMs,
    bodyMs: t.bodyMs || base.bodyMs,
    totalMs: t.totalMs || base.totalMs,
  });
}
