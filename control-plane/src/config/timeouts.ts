import { ms } from "./schema-fields.js";

/** `timeouts` of an upstream or a route (ms; absent = the node's default). */
export const timeoutsSchema = {
  type: "object",
  additionalProperties: false,
  properties: { connect_ms: ms, header_ms: ms, body_ms: ms, total_ms: ms },
} as const;

/** Timeouts in the API's snake_case, ms. */
export interface TimeoutsBody {
  connect_ms?: number;
  header_ms?: number;
  body_ms?: number;
  total_ms?: number;
}

/** Timeouts → proto `Timeouts` (absent = 0 = the node's default / no override). */
export function toTimeouts(t: TimeoutsBody | undefined) {
  return {
    connectMs: t?.connect_ms ?? 0,
    headerMs: t?.header_ms ?? 0,
    bodyMs: t?.body_ms ?? 0,
    totalMs: t?.total_ms ?? 0,
  };
}
