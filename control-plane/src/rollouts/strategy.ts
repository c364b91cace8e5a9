import { type SelectableNode, selectNodes } from "./selection.js";
import type { GateSpec, StageSpec } from "./types.js";

/** Defaults of a stage a body leaves out. */
export const STAGE_DEFAULTS = {
  /** Soak of the default strategy's canary and region stages, s. */
  soak_s: 60,
  /** Delivery deadline, s. */
  progress_deadline_s: 120,
  /** Wait on an inconclusive verdict after the soak, s. */
  inconclusive_wait_s: 300,
} as const;

/**
 * Gates of the default strategy's canary and region stages: at most 5 % of requests answered
 * 5xx and at most 1 s p99, each judged once the stage served 100 requests on the target; 5xx
 * also at most 2 points above the nodes still on the previous version.
 */
export const DEFAULT_GATES: readonly GateSpec[] = [
  { metric: "error_rate_5xx", threshold: 0.05, min_requests: 100, max_increase: 0.02 },
  { metric: "p99_ms", threshold: 1000, min_requests: 100 },
];

/** Overrides of the default strategy (body fields of `POST /v1/rollouts`). */
export interface DefaultStrategyOptions {
  readonly soak_s?: number;
  readonly gates?: readonly GateSpec[];
  readonly progress_deadline_s?: number;
  readonly inconclusive_wait_s?: number;
}

/**
 * The default strategy: a canary (1 node, the first in the rollout's stable order), then each
 * region in turn (the canary's region first, then the others sorted by name), then everything.
 * Regions are those of `nodes` (the inventory when the rollout starts); a node of a region that
 * appears later joins the last stage. The canary and region stages soak `soak_s` with `gates`;
 * the final stage has no soak and no gate (every node was in a region stage already, it only
 * catches nodes that joined).
 */
export function defaultStages(
  nodes: readonly SelectableNode[],
  rolloutId: string,
  opts: DefaultStrategyOptions = {},
): StageSpec[] {
  const base = {
    soak_s: opts.soak_s ?? STAGE_DEFAULTS.soak_s,
    gates: opts.gates ?? DEFAULT_GATES,
    progress_deadline_s: opts.progress_deadline_s ?? STAGE_DEFAULTS.progress_deadline_s,
    inconclusive_wait_s: opts.inconclusive_wait_s ?? STAGE_DEFAULTS.inconclusive_wait_s,
  };
  const canary = selectNodes({ count: 1 }, nodes, rolloutId)[0];
  const canaryRegion = nodes.find((n) => n.id === canary)?.region;
  const regions = [...new Set(nodes.map((n) => n.region))].sort();
  if (canaryRegion) {
    regions.splice(regions.indexOf(canaryRegion), 1);
    regions.unshift(canaryRegion);
  }
  return [
    { name: "canary", selector: { count: 1 }, ...base },
    ...regions.map((region) => ({ name: `region ${region}`, selector: { regions: [region] }, ...base })),
    { ...base, name: "all", selector: {}, soak_s: 0, gates: [] },
  ];
}

/** `all-now`: one stage selecting every node, no soak, no gate (publish to all, tracked as a rollout). */
export function allNowStages(opts: DefaultStrategyOptions = {}): StageSpec[] {
  return [
    {
      name: "all",
      selector: {},
      soak_s: 0,
      gates: [],
      progress_deadline_s: opts.progress_deadline_s ?? STAGE_DEFAULTS.progress_deadline_s,
      inconclusive_wait_s: opts.inconclusive_wait_s ?? STAGE_DEFAULTS.inconclusive_wait_s,
    },
  ];
}
