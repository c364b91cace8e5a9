import { fromBinary } from "@bufbuild/protobuf";
import { type RedactionOptions, redactionOf } from "@palisade/events";
import { TelemetrySettingsSchema } from "@palisade/proto";
import type { PublishedVersion } from "../config/publisher.js";

/**
 * The secret names of a published version's telemetry config (`telemetry/global`), for the
 * control plane's re-check of the events nodes send; none without a version or the resource.
 */
export function publishedRedaction(v: PublishedVersion | undefined): RedactionOptions {
  const entry = v?.resources.get("telemetry/global");
  return redactionOf(entry ? fromBinary(TelemetrySettingsSchema, entry.body) : undefined);
}
