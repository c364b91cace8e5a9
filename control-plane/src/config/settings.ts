import { create } from "@bufbuild/protobuf";
import { type SnapshotSettings, SnapshotSettingsSchema } from "@palisade/proto";
import { policyRef } from "./schema-fields.js";

/** Body of `PUT /v1/settings`: snapshot-wide settings. */
export const settingsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    global_policies: {
      type: "array",
      maxItems: 32,
      items: policyRef,
    },
    merge_slashes: { type: "boolean" },
    max_body_bytes: {
      type: "integer",
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        "request body limit of routes without their own, bytes; 0 = none; unset = each node's --max-body-bytes",
    },
  },
} as const;

/** Snapshot-wide settings as stored. */
export interface DraftSettings {
  /** Policy ids applied to every route, in order, before the route's own. */
  global_policies?: string[];
  merge_slashes?: boolean;
  /** Body limit of routes without their own, bytes (0 = none); unset = each node's default. */
  max_body_bytes?: number;
}

/**
 * Snapshot fields of the snapshot-wide settings: `globalPolicyIds` (9), `requestSettings` (10)
 * and, when either is not the default, the same as the one `settings` resource (11, id
 * "global") that fleet sync carries (it syncs resources only). Default settings add no
 * resource, so a config without settings keeps the hash it had before they existed.
 */
export function settingsFields(settings: DraftSettings): {
  globalPolicyIds: string[];
  requestSettings: { mergeSlashes: boolean; maxBodyBytes?: bigint };
  settings: SnapshotSettings[];
} {
  const globalPolicyIds = settings.global_policies ?? [];
  const requestSettings = requestSettingsOf(settings);
  const resource = settingsResource(settings);
  return { globalPolicyIds, requestSettings, settings: resource ? [resource] : [] };
}

/** The `settings` resource (id "global") of non-default settings; undefined for the defaults. */
export function settingsResource(settings: DraftSettings): SnapshotSettings | undefined {
  const globalPolicyIds = settings.global_policies ?? [];
  const requestSettings = requestSettingsOf(settings);
  if (globalPolicyIds.length === 0 && !requestSettings.mergeSlashes && requestSettings.maxBodyBytes === undefined)
    return undefined;
  return create(SnapshotSettingsSchema, { id: "global", globalPolicyIds, requestSettings });
}

/** `RequestSettings` of the stored settings (`max_body_bytes` only when set: unset = the node's default). */
function requestSettingsOf(settings: DraftSettings): { mergeSlashes: boolean; maxBodyBytes?: bigint } {
  return {
    mergeSlashes: settings.merge_slashes ?? false,
    ...(settings.max_body_bytes !== undefined ? { maxBodyBytes: BigInt(settings.max_body_bytes) } : {}),
  };
}
