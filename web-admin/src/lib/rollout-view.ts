/** How rollout states, stages and gates read and colour. Pure functions. */
import type { Rollout, RolloutGate, RolloutStage } from "../api/types.ts";
import type { Tone } from "../components/ui.tsx";
import { ms, pct, rate } from "./format.ts";

const STATE_TONES: Record<string, Tone> = {
  running: "info",
  soaking: "info",
  paused: "warn",
  waiting: "warn",
  succeeded: "ok",
  passed: "ok",
  completed: "ok",
  failed: "bad",
  rolled_back: "bad",
  rolling_back: "bad",
  aborted: "bad",
  pending: "idle",
  skipped: "idle",
};

/** Colour of a rollout or stage state. */
export function stateTone(state: string): Tone {
  return STATE_TONES[state] ?? "idle";
}

/** Whether a rollout still moves (or waits for a human). */
export function isActive(r: Rollout): boolean {
  return r.state === "running" || r.state === "paused" || r.state === "waiting" || r.state === "rolling_back";
}

/** The actions an operator can take in this state. */
export function actionsFor(r: Rollout): Array<"pause" | "resume" | "promote" | "abort"> {
  switch (r.state) {
    case "running":
      return ["pause", "promote", "abort"];
    case "paused":
    case "waiting":
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

/** "3 of 4 stages". */
export function progress(r: Rollout): string {
  const done = r.stages.filter((s) => s.state === "passed" || s.state === "skipped").length;
  return `${done} of ${r.stages.length} stages`;
}

/** A gate metric's name as operators say it. */
export function metricName(metric: string): string {
  if (metric === "error_rate_5xx") return "5xx rate";
  if (metric === "error_rate_4xx") return "4xx rate";
  if (metric === "p99_ms") return "p99 latency";
  if (metric.startsWith("security_event_rate:")) return `${metric.slice(20)} events/s`;
  return metric.replaceAll("_", " ");
}

/** A gate value in the metric's unit. */
export function metricValue(metric: string, v: number | null | undefined): string {
  if (metric.startsWith("error_rate")) return pct(v);
  if (metric.endsWith("_ms")) return ms(v);
  return rate(v);
}

/** Colour of a gate verdict. */
export function verdictTone(g: RolloutGate): Tone {
  return g.verdict === "pass" ? "ok" : g.verdict === "fail" ? "bad" : g.verdict === "inconclusive" ? "warn" : "idle";
}

/** One line for a stage's node selector: "regions eu-west · 10 %". */
export function selectorText(s: RolloutStage): string {
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
  return parts.length ? parts.join(" · ") : "all nodes";
}
