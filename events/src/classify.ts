/**
 * ECS categorization of each event: `event.kind`, `event.category`, `event.type`,
 * `event.action`, `event.outcome`, and the default severity. Values come from the ECS 8.x
 * allowed-values lists (ECS reference, "ECS Categorization Fields"): each `event.type` is one
 * the ECS lists allow for at least one of the event's categories.
 */
import type { PalisadeEvent, PolicyDenialType } from "./event.js";
import { SEVERITY, type Severity } from "./severity.js";

/** ECS `event.kind` values Palisade uses. */
export type EcsKind = "event" | "alert";

/** ECS `event.outcome`. */
export type EcsOutcome = "success" | "failure" | "unknown";

/** What classify() decides for one event. */
export interface Classification {
  readonly kind: EcsKind;
  readonly category: readonly string[];
  readonly type: readonly string[];
  /** ECS `event.action`: a stable snake_case name, also the syslog MSGID. */
  readonly action: string;
  readonly outcome: EcsOutcome;
  /** The default severity (the event's own `severity` wins). */
  readonly severity: Severity;
}

const { error, warning, notice, informational } = SEVERITY;

/** Policy denials: category, type and default severity per denial type. */
const DENIALS: Record<PolicyDenialType, Omit<Classification, "kind" | "action" | "outcome">> = {
  authentication_failed: { category: ["authentication", "web"], type: ["start", "access"], severity: notice },
  access_denied: { category: ["authentication", "web"], type: ["info", "access"], severity: notice },
  credential_ambiguous: { category: ["authentication", "web"], type: ["start", "access"], severity: warning },
  // Keys or the introspection endpoint unreachable: a fault of the deployment, not of the client.
  auth_unavailable: { category: ["authentication", "web"], type: ["info", "error"], severity: error },
  request_rejected: { category: ["web"], type: ["access", "error"], severity: notice },
  ip_denied: { category: ["network", "web"], type: ["denied", "access"], severity: notice },
  rate_limited: { category: ["network", "web"], type: ["denied", "access"], severity: notice },
  request_too_large: { category: ["network", "web"], type: ["denied", "access"], severity: notice },
  cors_rejected: { category: ["web"], type: ["access", "info"], severity: informational },
};

/**
 * Classifies an event. WAF severity is the most severe matched rule's (CRS CRITICAL = 2), at
 * least `warning` when the request was refused, `notice` when no rule names one.
 */
export function classify(e: PalisadeEvent): Classification {
  switch (e.category) {
    case "policy_denial": {
      const d = DENIALS[e.type];
      return { kind: "event", action: e.type, outcome: "failure", ...d };
    }
    case "waf": {
      const blocked = e.action !== "pass";
      let sev: number = notice;
      for (const r of e.rules) if (r.severity !== null && r.severity < sev) sev = r.severity;
      if (blocked && sev > warning) sev = warning;
      return {
        kind: "alert",
        category: ["intrusion_detection", "web"],
        type: blocked ? ["denied", "access"] : ["allowed", "access"],
        action: blocked ? "waf_blocked" : "waf_detected",
        outcome: blocked ? "failure" : "success",
        severity: sev as Severity,
      };
    }
    case "anomaly":
      if (e.action === "detected") {
        return {
          kind: "alert",
          category: ["intrusion_detection"],
          type: ["info"],
          action: "anomaly_detected",
          outcome: "unknown",
          severity: warning,
        };
      }
      if (e.action === "lifted") {
        return {
          kind: "event",
          category: ["intrusion_detection"],
          type: ["info"],
          action: "client_lifted",
          outcome: "success",
          severity: informational,
        };
      }
      // Detect mode: nothing was refused, so the event says what enforce mode would have done
      // (ECS type info, outcome unknown), never `denied`.
      if (!e.enforced) {
        return {
          kind: "event",
          category: ["intrusion_detection"],
          type: ["info"],
          action: e.action === "deny" ? "would_deny" : "would_throttle",
          outcome: "unknown",
          severity: notice,
        };
      }
      return {
        kind: "event",
        category: ["intrusion_detection"],
        type: ["denied"],
        action: e.action === "deny" ? "client_denied" : "client_throttled",
        outcome: "success",
        severity: warning,
      };
    case "config":
      if (e.action === "applied") {
        return {
          kind: "event",
          category: ["configuration"],
          type: ["change"],
          action: "config_applied",
          outcome: "success",
          severity: informational,
        };
      }
      if (e.action === "rejected") {
        return {
          kind: "event",
          category: ["configuration"],
          type: ["change"],
          action: "config_rejected",
          outcome: "failure",
          severity: error,
        };
      }
      return {
        kind: "event",
        category: ["configuration"],
        type: ["info"],
        action: "config_last_known_good",
        outcome: "unknown",
        severity: warning,
      };
    case "siem":
      if (e.action === "sink_up") {
        return {
          kind: "event",
          category: ["network"],
          type: ["connection", "start"],
          action: "siem_sink_up",
          outcome: "success",
          severity: informational,
        };
      }
      return {
        kind: "event",
        category: ["network"],
        type: e.action === "sink_down" ? ["connection", "end"] : ["info"],
        action: e.action === "sink_down" ? "siem_sink_down" : "siem_events_dropped",
        outcome: "failure",
        severity: e.action === "sink_down" ? error : warning,
      };
  }
}
