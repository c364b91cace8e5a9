import { randomUUID } from "node:crypto";

// A client-sent id is propagated only when it is short and plain: it lands in logs and in
// upstream headers, so no spaces, quotes or control characters.
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The request id: the client's `X-Request-Id` when well formed (1-128 of `A-Za-z0-9._:-`,
 * starting alphanumeric), else a fresh UUID v4. Sent upstream and back to the client.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && WELL_FORMED.test(header) ? header : randomUUID();
}
