import type { Decision } from "@palisade/anomaly";
import { AnomalyAction, type AnomalyDecisionUpdate } from "@palisade/proto";

/** A decision update as a node applies it: times on the node's clock. */
export interface DecisionChange {
  readonly full: boolean;
  readonly decisions: readonly Decision[];
  /** `<type>:<id>` of the targets lifted. */
  readonly lifted: readonly string[];
}

const TARGETS = new Set(["address", "consumer", "credential"]);

/**
 * The control plane's `AnomalyDecisionUpdate` as {@link Decision}s on this node's clock: the
 * update's `sent_at_ms` against the node's `nowMs` gives the offset (a node whose clock is off
 * by minutes still holds a 15-minute decision for 15 minutes). Entries that are not deny or
 * throttle of an address, consumer or credential are skipped (a newer control plane's kinds).
 */
export function decisionChange(u: AnomalyDecisionUpdate, nowMs = Date.now()): DecisionChange {
  const offset = u.sentAtMs === 0n ? 0 : nowMs - Number(u.sentAtMs);
  const decisions: Decision[] = [];
  for (const d of u.decisions) {
    const action = d.action === AnomalyAction.DENY ? "deny" : d.action === AnomalyAction.THROTTLE ? "throttle" : null;
    if (action === null || !TARGETS.has(d.targetType) || d.targetId === "") continue;
    const created = Number(d.createdAtMs) + offset;
    const expires = Number(d.expiresAtMs) + offset;
    decisions.push({
      id: d.id,
      action,
      target: { type: d.targetType as Decision["target"]["type"], id: d.targetId },
      status: action === "deny" ? 403 : 429,
      retryAfterS: Math.max(1, Math.ceil((expires - created) / 1000)),
      ratePerS: action === "throttle" ? d.ratePerS : 0,
      createdAtMs: created,
      expiresAtMs: expires,
      enforced: true,
      source: d.kind === "manual" ? "manual" : "detection",
      kind: d.kind as Decision["kind"],
      detectionId: d.detectionId,
      explanation: d.explanation,
    });
  }
  return { full: u.full, decisions, lifted: [...u.lifted] };
}
