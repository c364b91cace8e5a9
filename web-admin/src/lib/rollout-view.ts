/**
 * How rollout states, stages, nodes and gates read and colour. Pure functions over the shapes of
 * `GET /v1/rollouts[/{id}]` (control-plane/README.md "Rollouts").
 */
import type { Rollout, RolloutAction, RolloutGate, RolloutStage, RolloutStageNode } from "../api/types.ts";
import type { Tone } from "../components/ui.tsx";
import { ms, pct } from "./format.ts";

const STATE_TONES: Record<string, Tone> = {
  // rollout and stage states
  running: "info",
  soaking: "info",
  paused: "warn",
  succeeded: "ok",
  passed: "ok",
  failed: "bad",
  rolled_back: "bad",
  aborted: "bad",
  pending: "idle",
  skipped: "idle",
  // node states within a stage
  acked: "ok",
  nacked: "bad",
  // event types
  started: "info",
  stage_started: "info",
  stage_soaking: "info",
  stage_passed: "ok",
  promoted: "info",
  resumed: "info",
  node_joined: "info",
  stage_skipped: "idle",
  nack: "bad",
  gate_failed: "bad",
  deadline: "warn",
  inconclusive: "warn",
  rollback_complete: "ok",
};

/** Colour of a rollout, stage or node state, or of an event type. */
export function stateTone(state: string): Tone {
  return STATE_TONES[state] ?? "idle";
}

/** "rolled_back" → "rolled back". */
export function words(state: string): string {
  return state.replaceAll("_", " ");
}

/** Whether a rollout is the fleet's active one: running, or paused waiting for an operator. */
export function isActive(r: Pick<Rollout, "state">): boolean {
  return r.state === "running" || r.state === "paused";
}

/**
 * The actions the API accepts in this state (any other answers 409 ROLLOUT_STATE): a running
 * rollout can be paused, promoted or aborted; a paused one resumed, promoted or aborted; a
 * finished one nothing.
 */
export function actionsFor(r: Pick<Rollout, "state">): RolloutAction[] {
  switch (r.state) {
    case "running":
      return ["pause", "promote", "abort"];
    case "paused":
      return ["resume", "promote", "abort"];
    default:
      return [];
  }
}

/** The stage in progress, if any. */
export function currentStage(r: Rollout): RolloutStage | undefined {
  if (r.current_stage !== null && r.current_stage !== undefined) return r.stages[r.current_stage];
  return r.stages.find((s) => s.state === "running" || s.state === "soaking") ?? undefined;
}

/** "3 of 4 stages" passed or skipped. */
export function progress(r: Rollout): string {
  const done = r.stages.filter((s) => s.state === "passed" || s.state === "skipped").length;
  return `${done} of ${r.stages.length} stages`;
}

const EVENT_RATE = "security_event_rate:";

/** A gate metric's name as operators say it: "5xx rate", "p99 latency", "auth_token_invalid rate". */
export function metricName(metric: string): string {
  if (metric === "error_rate_5xx") return "5xx rate";
  if (metric === "error_rate_4xx") return "4xx rate";
  if (metric === "p99_ms") return "p99 latency";
  if (metric.startsWith(EVENT_RATE)) return `${metric.slice(EVENT_RATE.length)} rate`;
  return words(metric);
}

/**
 * A gate value in the metric's unit: rates (5xx, security events) are fractions of requests,
 * shown as percentages; `*_ms` as milliseconds.
 */
export function metricValue(metric: string, v: number | null | undefined): string {
  if (metric.endsWith("_ms")) return ms(v);
  return pct(v);
}

/** The limit a gate holds its value to: "≤ 5.00 %", with "baseline + 2.00 %" when relative. */
export function gateLimit(g: RolloutGate): string {
  const abs = `≤ ${metricValue(g.metric, g.threshold)}`;
  if (g.max_increase === undefined) return abs;
  return `${abs} and ≤ baseline + ${metricValue(g.metric, g.max_increase)}`;
}

/** Colour of a gate verdict. */
export function verdictTone(g: Pick<RolloutGate, "verdict">): Tone {
  return g.verdict === "pass" ? "ok" : g.verdict === "fail" ? "bad" : g.verdict === "inconclusive" ? "warn" : "idle";
}

/** One line for a stage's node selector: "region eu-west · 10 %", "1 node", "all nodes". */
export function selectorText(s: Pick<RolloutStage, "selector">): string {
  const sel = s.selector;
  if (!sel) return "all nodes";
  const parts: string[] = [];
  if (sel.node_ids?.length) parts.push(`nodes ${sel.node_ids.join(", ")}`);
  if (sel.regions?.length) parts.push(`region${sel.regions.length > 1 ? "s" : ""} ${sel.regions.join(", ")}`);
  if (sel.labels && Object.keys(sel.labels).length)
    parts.push(
      Object.entries(sel.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(", "),
    );
  if (sel.percent !== undefined && sel.percent < 100) parts.push(`${sel.percent} %`);
  if (sel.count !== undefined) parts.push(`${sel.count} node${sel.count === 1 ? "" : "s"}`);
  return parts.length ? parts.join(" · ") : "all nodes";
}

/**
 * What a stage's node runs against what the rollout wants of it: "v3" when it is there,
 * "v2 → v3" while it moves (its assignment, else the rollout's target), "v3 → v2" on a rollback.
 */
export function nodeVersionText(n: RolloutStageNode, target: number): string {
  const want = n.assigned_version ?? target;
  const have = n.applied_version;
  if (have === null || have === undefined) return `→ v${want}`;
  return have === want ? `v${have}` : `v${have} → v${want}`;
}

/** A node's config version on the fleet pages: "v2", or "v2 → v3" while it should move to another. */
export function fleetVersionText(n: { applied_version: number; desired_version?: number | undefined }): string {
  const d = n.desired_version;
  return d !== undefined && d !== n.applied_version && d > 0
    ? `v${n.applied_version} → v${d}`
    : `v${n.applied_version}`;
}
