import type { UpstreamTimeouts } from "@palisade/proto";

/** Default time to establish the TCP (and TLS) connection, in ms. */
export const DEFAULT_CONNECT_MS = 5_000;
/** Default time from sending the request to the end of the response headers, in ms. */
export const DEFAULT_HEADER_MS = 30_000;
/** Default maximum idle time between two response body chunks, in ms. */
export const DEFAULT_BODY_MS = 30_000;

/** Resolved upstream timeouts, all in ms and all positive. */
export interface TimeoutsMs {
  readonly connectMs: number;
  readonly headerMs: number;
  readonly bodyMs: number;
}

/** Applies the defaults to an upstream's `timeouts` (absent or 0 = default). */
export function resolveTimeouts(t: UpstreamTimeouts | undefined): TimeoutsMs {
  return Object.freeze({
    connectMs: t?.connectMs || DEFAULT_CONNECT_MS,
    headerMs: t?.headerMs || DEFAULT_HEADER_MS,
    bodyMs: t?.bodyMs || DEFAULT_BODY_MS,
  });
}
