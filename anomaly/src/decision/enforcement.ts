import { DETECTION_KINDS, type DetectionKind } from "../detect/detection.js";
import { AnomalyError } from "../errors.js";
import { AllowList } from "./allow-list.js";

/** What to do about a client a detector named. */
export interface KindAction {
  /** `deny` (403), `throttle` (429 past `ratePerS`), or `none` (a security event only). */
  readonly action: "deny" | "throttle" | "none";
  /** How long the decision holds, s (1 s..7 days). */
  readonly ttlS: number;
  /** Throttle: requests per second let through. */
  readonly ratePerS?: number;
}

/** The enforcement config as an operator writes it. */
export interface EnforcementConfig {
  /** `detect`: detections and would-be decisions are security events only; `enforce`: decisions apply. */
  readonly mode?: "detect" | "enforce";
  readonly actions?: Partial<Record<DetectionKind, KindAction>>;
  readonly allow?: { readonly cidrs?: readonly string[]; readonly consumers?: readonly string[] };
}

/**
 * Default actions: lockouts for credential attacks (OWASP Authentication Cheat Sheet, "account
 * lockout"), throttles for scraping and bursts, nothing automatic for route-wide figures
 * (volumetric and error-rate detections about a route or upstream name no client).
 */
export const DEFAULT_ACTIONS: Readonly<Record<DetectionKind, KindAction>> = Object.freeze({
  brute_force: { action: "deny", ttlS: 900 },
  credential_stuffing: { action: "deny", ttlS: 900 },
  enumeration: { action: "throttle", ttlS: 600, ratePerS: 1 },
  volumetric: { action: "throttle", ttlS: 300, ratePerS: 5 },
  error_rate: { action: "none", ttlS: 60 },
  payload: { action: "deny", ttlS: 600 },
  fingerprint_churn: { action: "deny", ttlS: 1800 },
});

/** A validated enforcement config. */
export class Enforcement {
  readonly mode: "detect" | "enforce";
  readonly actions: Readonly<Record<DetectionKind, KindAction>>;
  readonly allow: AllowList;

  /**
   * @throws AnomalyError ENFORCEMENT_INVALID naming the field: an unknown mode or kind, an
   *   action other than deny/throttle/none, a TTL outside 1..604800 s, a throttle without a rate
   *   in 0.01..100000 requests/s, an allow-list entry that is not a CIDR
   */
  constructor(c: EnforcementConfig = {}) {
    if (c.mode !== undefined && c.mode !== "detect" && c.mode !== "enforce") {
      throw new AnomalyError("ENFORCEMENT_INVALID", "mode", "must be detect or enforce");
    }
    this.mode = c.mode ?? "detect";
    const actions: Record<string, KindAction> = { ...DEFAULT_ACTIONS };
    for (const [k, a] of Object.entries(c.actions ?? {})) {
      const f = `actions.${k}`;
      if (!(DETECTION_KINDS as readonly string[]).includes(k))
        throw new AnomalyError("ENFORCEMENT_INVALID", f, "unknown kind");
      if (a === undefined || !["deny", "throttle", "none"].includes(a.action)) {
        throw new AnomalyError("ENFORCEMENT_INVALID", `${f}.action`, "must be deny, throttle or none");
      }
      if (!Number.isFinite(a.ttlS) || a.ttlS < 1 || a.ttlS > 604_800) {
        throw new AnomalyError("ENFORCEMENT_INVALID", `${f}.ttlS`, "must be 1..604800 s");
      }
      if (a.action === "throttle" && !(typeof a.ratePerS === "number" && a.ratePerS >= 0.01 && a.ratePerS <= 100_000)) {
        throw new AnomalyError("ENFORCEMENT_INVALID", `${f}.ratePerS`, "a throttle needs a rate in 0.01..100000/s");
      }
      actions[k] = { ...a };
    }
    this.actions = Object.freeze(actions) as Record<DetectionKind, KindAction>;
    const allow = c.allow ?? {};
    if (!Array.isArray(allow.cidrs ?? []) || !Array.isArray(allow.consumers ?? [])) {
      throw new AnomalyError("ENFORCEMENT_INVALID", "allow", "cidrs and consumers must be lists");
    }
    this.allow = new AllowList(allow.cidrs ?? [], allow.consumers ?? []);
  }
}
