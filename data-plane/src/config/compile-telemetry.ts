import { checkTelemetrySettings, SinkConfigError } from "@palisade/events";
import type { TelemetrySettings } from "@palisade/proto";
import { CompileError } from "./compile-error.js";

/**
 * The snapshot's telemetry resource (`Snapshot.telemetry`, id `global`: SIEM sinks, per-node
 * overrides, secret names), checked as the control plane checked it at publish, so a config a
 * node cannot start sinks from is a NACK rather than a failure after the swap. The table keeps
 * it as data: the node's SIEM wiring takes its sinks with `sinksForNode(table.telemetry, node,
 * localSinks)` and its redaction names with `redactionOf(table.telemetry)` (@palisade/events).
 * @param previous the previous table's resource: the same object (an unchanged resource of a
 *   delta) is not checked again
 * @throws CompileError RESOURCE_INVALID on `telemetry/global`, the sink check's code and field in the message
 */
export function compileTelemetry(
  t: TelemetrySettings | undefined,
  previous: TelemetrySettings | null | undefined,
): TelemetrySettings | null {
  if (!t) return null;
  if (t === previous) return t;
  try {
    checkTelemetrySettings(t);
  } catch (err) {
    if (err instanceof SinkConfigError)
      throw new CompileError("RESOURCE_INVALID", `${err.code}: ${err.message}`, "telemetry/global");
    throw err;
  }
  return t;
}
