import type { Detection, DetectionKind, Subject } from "../detect/detection.js";
import type { Enforcement } from "./enforcement.js";

/** A client a decision applies to. */
export interface DecisionTarget {
  readonly type: "address" | "consumer" | "credential";
  readonly id: string;
}

/**
 * An enforcement decision: deny (403) or throttle (429 past `ratePerS`) one client until
 * `expiresAtMs`, with `Retry-After` (RFC 9110 §10.2.3) in seconds. In `detect` mode decisions are
 * made and reported with `enforced: false` (what would have happened), never applied.
 */
export interface Decision {
  /** `<action>:<target type>:<target id>:<createdAtMs>`. */
  readonly id: string;
  readonly action: "deny" | "throttle";
  readonly target: DecisionTarget;
  /** 403 for deny, 429 for throttle. */
  readonly status: 403 | 429;
  /** Seconds until the decision expires (the `Retry-After` value sent). */
  readonly retryAfterS: number;
  /** Throttle: requests per second let through; 0 for deny. */
  readonly ratePerS: number;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  /** True in `enforce` mode. */
  readonly enforced: boolean;
  /** A detector's decision or an operator's (admin API, CLI, web admin). */
  readonly source: "detection" | "manual";
  readonly kind: DetectionKind | "manual";
  /** The detection behind it ("" for manual decisions). */
  readonly detectionId: string;
  /** Why, in one sentence. */
  readonly explanation: string;
}

function targetOf(s: Subject): DecisionTarget | undefined {
  return s.type === "address" || s.type === "consumer" || s.type === "credential"
    ? { type: s.type, id: s.id }
    : undefined;
}

function allowed(e: Enforcement, t: DecisionTarget): boolean {
  return t.type === "address" ? e.allow.hasAddress(t.id) : t.type === "consumer" ? e.allow.hasConsumer(t.id) : false;
}

/**
 * The decisions a detection leads to: one for a client subject; for a route-level credential
 * stuffing detection, one per contributing client with at least 2 failures in the window (the
 * addresses behind it). None for the kind's action `none`, for route and upstream subjects
 * otherwise, and never for an allow-listed client.
 */
export function decide(d: Detection, e: Enforcement, nowMs: number): Decision[] {
  const a = e.actions[d.kind];
  if (a.action === "none") return [];
  const targets: DecisionTarget[] = [];
  const own = targetOf(d.subject);
  if (own !== undefined) targets.push(own);
  else if (d.kind === "credential_stuffing") {
    for (const c of d.contributors) {
      const t = targetOf(c.subject);
      if (t !== undefined && c.count >= 2) targets.push(t);
    }
  }
  const ttlMs = a.ttlS * 1000;
  return targets
    .filter((t) => !allowed(e, t))
    .map((target) => ({
      id: `${a.action}:${target.type}:${target.id}:${Math.round(nowMs)}`,
      action: a.action as "deny" | "throttle",
      target,
      status: a.action === "deny" ? 403 : 429,
      retryAfterS: a.ttlS,
      ratePerS: a.action === "throttle" ? (a.ratePerS ?? 1) : 0,
      createdAtMs: nowMs,
      expiresAtMs: nowMs + ttlMs,
      enforced: e.mode === "enforce",
      source: "detection",
      kind: d.kind,
      detectionId: d.id,
      explanation: own !== undefined ? d.explanation : `${target.id} took part: ${d.explanation}`,
    }));
}

/**
 * An operator's decision (admin API, CLI, web admin): deny or throttle a client for `ttlS`.
 * Allow lists do not apply (the operator chose).
 */
export function manualDecision(
  target: DecisionTarget,
  action: "deny" | "throttle",
  ttlS: number,
  nowMs: number,
  reason: string,
  ratePerS = 1,
): Decision {
  return {
    id: `${action}:${target.type}:${target.id}:${Math.round(nowMs)}`,
    action,
    target,
    status: action === "deny" ? 403 : 429,
    retryAfterS: ttlS,
    ratePerS: action === "throttle" ? ratePerS : 0,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + ttlS * 1000,
    enforced: true,
    source: "manual",
    kind: "manual",
    detectionId: "",
    explanation: reason,
  };
}
