import { AnomalyError, Enforcement, type EnforcementConfig, type ThresholdConfig, Thresholds } from "@palisade/anomaly";
import { AnomalyMode, type AnomalySettings } from "@palisade/proto";
import { CompileError } from "./compile-error.js";

/** The snapshot's anomaly-detection settings as a node runs them (`Snapshot.anomaly`, id `global`). */
export interface CompiledAnomaly {
  /** `detect` (security events only) or `enforce` (the control plane's decisions are applied). */
  readonly mode: "detect" | "enforce";
  /** Detector thresholds (defaults plus per-route overrides), validated. */
  readonly thresholds: ThresholdConfig;
  /** The resource as received (an unchanged resource of a delta is not checked again). */
  readonly source: AnomalySettings;
}

/**
 * Parses a JSON text of the settings (`thresholds_json`, `actions_json`): "" is `{}`.
 * @throws AnomalyError THRESHOLD_INVALID / ENFORCEMENT_INVALID naming `field` when it is not a JSON object
 */
export function parseSettingsJson(
  text: string,
  field: string,
  code: "THRESHOLD_INVALID" | "ENFORCEMENT_INVALID",
): object {
  if (text === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AnomalyError(code, field, "must be JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new AnomalyError(code, field, "must be a JSON object");
  return v;
}

/**
 * Checks the settings as the control plane checked them at publish (`new Thresholds`,
 * `new Enforcement` of @palisade/anomaly), so a config the detector could not run is a NACK,
 * never a failure after the swap.
 * @throws AnomalyError THRESHOLD_INVALID / ENFORCEMENT_INVALID naming the field
 */
export function checkAnomalySettings(a: AnomalySettings): { thresholds: ThresholdConfig; enforcement: Enforcement } {
  const thresholds = parseSettingsJson(a.thresholdsJson, "thresholds", "THRESHOLD_INVALID") as ThresholdConfig;
  new Thresholds(thresholds);
  const actions = parseSettingsJson(a.actionsJson, "actions", "ENFORCEMENT_INVALID") as EnforcementConfig["actions"];
  const enforcement = new Enforcement({
    mode: a.mode === AnomalyMode.ENFORCE ? "enforce" : "detect",
    ...(actions ? { actions } : {}),
    allow: { cidrs: a.allowCidrs, consumers: a.allowConsumers },
  });
  return { thresholds, enforcement };
}

/**
 * The snapshot's anomaly resource, checked, or `null` when detection is off (no resource).
 * @param previous the previous table's: the same resource object is not checked again
 * @throws CompileError RESOURCE_INVALID on `anomaly/global`, the anomaly code and field in the message
 */
export function compileAnomaly(
  a: AnomalySettings | undefined,
  previous: CompiledAnomaly | null | undefined,
): CompiledAnomaly | null {
  if (!a) return null;
  if (previous && previous.source === a) return previous;
  try {
    const { thresholds } = checkAnomalySettings(a);
    return Object.freeze({ mode: a.mode === AnomalyMode.ENFORCE ? "enforce" : "detect", thresholds, source: a });
  } catch (err) {
    if (err instanceof AnomalyError)
      throw new CompileError("RESOURCE_INVALID", `${err.code}: ${err.field}: ${err.message}`, "anomaly/global");
    throw err;
  }
}
