import { create, fromBinary } from "@bufbuild/protobuf";
import { AnomalyError, Enforcement, type EnforcementConfig, type ThresholdConfig, Thresholds } from "@palisade/anomaly";
import { AnomalyMode, type AnomalySettings, AnomalySettingsSchema } from "@palisade/proto";
import { DomainError } from "../errors.js";

/**
 * The anomaly-detection config of the admin API (`GET/PUT /v1/anomalies/config`), stored as one
 * draft resource (kind `anomaly`, id `global`) and published as `Snapshot.anomaly`
 * (proto/palisade/config/v1/anomaly.proto). `enabled: false` (or an empty body) publishes no
 * resource: nodes record nothing. `thresholds` is @palisade/anomaly's `ThresholdConfig`
 * (defaults plus `routes[route id]` overrides), `actions` its `EnforcementConfig.actions`.
 */
export interface DraftAnomaly {
  enabled?: boolean;
  mode?: "detect" | "enforce";
  thresholds?: ThresholdConfig;
  actions?: EnforcementConfig["actions"];
  allow?: { cidrs?: string[]; consumers?: string[] };
}

/** JSON schema of the body (the detail of thresholds and actions is checked by the anomaly package). */
export const anomalyConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    enabled: { type: "boolean" },
    mode: { type: "string", enum: ["detect", "enforce"] },
    thresholds: { type: "object" },
    actions: { type: "object" },
    allow: {
      type: "object",
      additionalProperties: false,
      properties: {
        cidrs: { type: "array", maxItems: 10_000, items: { type: "string", maxLength: 64 } },
        consumers: { type: "array", maxItems: 10_000, items: { type: "string", maxLength: 256 } },
      },
    },
  },
} as const;

/**
 * Checks a draft as every node will (`new Thresholds`, `new Enforcement`).
 * @returns the validated thresholds and enforcement
 * @throws DomainError VALIDATION_FAILED naming the field, e.g. `anomaly.thresholds.routes.login.bruteForce.minPerMin`
 */
export function checkAnomaly(
  d: DraftAnomaly,
  prefix = "anomaly",
): { thresholds: Thresholds; enforcement: Enforcement } {
  try {
    const thresholds = new Thresholds(d.thresholds ?? {});
    const enforcement = new Enforcement({
      mode: d.mode ?? "detect",
      ...(d.actions ? { actions: d.actions } : {}),
      allow: { cidrs: d.allow?.cidrs ?? [], consumers: d.allow?.consumers ?? [] },
    });
    return { thresholds, enforcement };
  } catch (err) {
    if (!(err instanceof AnomalyError)) throw err;
    const base = err.code === "THRESHOLD_INVALID" ? "thresholds" : "";
    const field = [prefix, base, err.field].filter((s) => s !== "").join(".");
    throw new DomainError("VALIDATION_FAILED", `${err.code}: ${err.detail}`, field);
  }
}

/**
 * The draft as the snapshot's resource, checked; `undefined` when detection is off.
 * @throws DomainError VALIDATION_FAILED naming the field
 */
export function anomalyResource(d: DraftAnomaly | undefined, prefix = "anomaly"): AnomalySettings | undefined {
  if (d?.enabled !== true) return undefined;
  checkAnomaly(d, prefix);
  return create(AnomalySettingsSchema, {
    id: "global",
    mode: d.mode === "enforce" ? AnomalyMode.ENFORCE : AnomalyMode.DETECT,
    thresholdsJson: d.thresholds && Object.keys(d.thresholds).length > 0 ? JSON.stringify(d.thresholds) : "",
    actionsJson: d.actions && Object.keys(d.actions).length > 0 ? JSON.stringify(d.actions) : "",
    allowCidrs: d.allow?.cidrs ?? [],
    allowConsumers: d.allow?.consumers ?? [],
  });
}

/** The published resource back as the settings the control plane's detection runs with. */
export function settingsOf(
  a: AnomalySettings | undefined,
): { thresholds: Thresholds; enforcement: Enforcement } | null {
  if (!a) return null;
  const parse = (t: string) => (t === "" ? undefined : JSON.parse(t));
  return checkAnomaly({
    enabled: true,
    mode: a.mode === AnomalyMode.ENFORCE ? "enforce" : "detect",
    thresholds: parse(a.thresholdsJson),
    actions: parse(a.actionsJson),
    allow: { cidrs: a.allowCidrs, consumers: a.allowConsumers },
  });
}

/** The settings of a published version (its `anomaly/global` resource), `null` when detection is off. */
export function publishedAnomaly(
  v: { readonly resources: ReadonlyMap<string, { readonly body: Uint8Array }> } | undefined,
): { thresholds: Thresholds; enforcement: Enforcement } | null {
  const body = v?.resources.get("anomaly/global")?.body;
  return body ? settingsOf(fromBinary(AnomalySettingsSchema, body)) : null;
}
