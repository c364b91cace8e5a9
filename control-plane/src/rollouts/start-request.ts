import { DomainError } from "../errors.js";
import type { StartSpec } from "./engine.js";
import { GATE_METRIC_PATTERN } from "./gates.js";
import { allNowStages, type DefaultStrategyOptions, defaultStages, STAGE_DEFAULTS } from "./strategy.js";
import type { GateSpec, OnFailure, StageSelector, StageSpec } from "./types.js";

const NAME = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$";

/** Default `min_requests` of a gate that names none. */
export const DEFAULT_MIN_REQUESTS = 100;

const selectorSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    regions: { type: "array", maxItems: 100, items: { type: "string", pattern: NAME, description: "a region name" } },
    labels: {
      type: "object",
      maxProperties: 32,
      propertyNames: { pattern: "^[A-Za-z0-9][A-Za-z0-9._/-]{0,252}$" },
      additionalProperties: { type: "string", maxLength: 63 },
    },
    node_ids: { type: "array", maxItems: 1000, items: { type: "string", pattern: NAME, description: "a node id" } },
    percent: { type: "number", exclusiveMinimum: 0, maximum: 100 },
    count: { type: "integer", minimum: 1, maximum: 100_000 },
  },
} as const;

const gateSchema = {
  type: "object",
  required: ["metric", "threshold"],
  additionalProperties: false,
  properties: {
    metric: {
      type: "string",
      pattern: GATE_METRIC_PATTERN,
      description: "error_rate_5xx, p99_ms or security_event_rate:<event type>",
    },
    threshold: { type: "number", minimum: 0 },
    min_requests: { type: "integer", minimum: 0, maximum: 1_000_000_000 },
    max_increase: { type: "number", minimum: 0 },
  },
} as const;

const timing = {
  soak_s: { type: "integer", minimum: 0, maximum: 604_800 },
  progress_deadline_s: { type: "integer", minimum: 1, maximum: 86_400 },
  inconclusive_wait_s: { type: "integer", minimum: 0, maximum: 86_400 },
} as const;

const gatesSchema = { type: "array", maxItems: 16, items: gateSchema } as const;

const stageSchema = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1, maxLength: 64 },
    selector: selectorSchema,
    gates: gatesSchema,
    ...timing,
  },
} as const;

/**
 * Body of `POST /v1/rollouts`: `version`, `strategy` (`"default"`, `"all-now"` or
 * `{stages: [...]}`), `on_failure` (`rollback`, default, or `pause`), and defaults for the
 * stages (`soak_s`, `gates`, `progress_deadline_s`, `inconclusive_wait_s`): the default
 * strategy's canary and region stages use them, custom stages use them for what they omit.
 */
export const startRolloutSchema = {
  type: "object",
  required: ["version", "strategy"],
  additionalProperties: false,
  properties: {
    version: { type: "integer", minimum: 1 },
    // if/else rather than oneOf, so an error inside a custom stage names that stage's field.
    strategy: {
      if: { type: "string" },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
      then: { type: "string", enum: ["default", "all-now"], description: 'or {"stages": [...]} for custom stages' },
      else: {
        type: "object",
        required: ["stages"],
        additionalProperties: false,
        properties: { stages: { type: "array", minItems: 1, maxItems: 32, items: stageSchema } },
      },
    },
    on_failure: { type: "string", enum: ["rollback", "pause"] },
    gates: gatesSchema,
    ...timing,
  },
} as const;

type GateBody = { metric: string; threshold: number; min_requests?: number; max_increase?: number };
type StageBody = {
  name: string;
  selector?: StageSelector;
  gates?: GateBody[];
  soak_s?: number;
  progress_deadline_s?: number;
  inconclusive_wait_s?: number;
};

/** A body that passed {@link startRolloutSchema}. */
export interface StartRolloutBody {
  version: number;
  strategy: "default" | "all-now" | { stages: StageBody[] };
  on_failure?: OnFailure;
  gates?: GateBody[];
  soak_s?: number;
  progress_deadline_s?: number;
  inconclusive_wait_s?: number;
}

function gate(g: GateBody): GateSpec {
  return {
    metric: g.metric,
    threshold: g.threshold,
    min_requests: g.min_requests ?? DEFAULT_MIN_REQUESTS,
    ...(g.max_increase !== undefined ? { max_increase: g.max_increase } : {}),
  };
}

/**
 * Turns a schema-valid body into what the engine starts from: defaults filled in, the strategy
 * chosen.
 * @throws DomainError VALIDATION_FAILED naming `strategy.stages.N.name` for a repeated stage name
 */
export function toStartSpec(body: StartRolloutBody): StartSpec {
  const opts: DefaultStrategyOptions = {
    ...(body.soak_s !== undefined ? { soak_s: body.soak_s } : {}),
    ...(body.gates !== undefined ? { gates: body.gates.map(gate) } : {}),
    ...(body.progress_deadline_s !== undefined ? { progress_deadline_s: body.progress_deadline_s } : {}),
    ...(body.inconclusive_wait_s !== undefined ? { inconclusive_wait_s: body.inconclusive_wait_s } : {}),
  };
  const on_failure = body.on_failure ?? "rollback";
  const s = body.strategy;
  if (s === "default")
    return {
      version: body.version,
      strategy: "default",
      on_failure,
      stages: (id, nodes) => defaultStages(nodes, id, opts),
    };
  if (s === "all-now")
    return { version: body.version, strategy: "all-now", on_failure, stages: () => allNowStages(opts) };
  const seen = new Set<string>();
  const stages: StageSpec[] = s.stages.map((st, i) => {
    if (seen.has(st.name))
      throw new DomainError("VALIDATION_FAILED", `stage name "${st.name}" is used twice`, `strategy.stages.${i}.name`);
    seen.add(st.name);
    return {
      name: st.name,
      selector: st.selector ?? {},
      soak_s: st.soak_s ?? opts.soak_s ?? STAGE_DEFAULTS.soak_s,
      gates: st.gates ? st.gates.map(gate) : (opts.gates ?? []),
      progress_deadline_s: st.progress_deadline_s ?? opts.progress_deadline_s ?? STAGE_DEFAULTS.progress_deadline_s,
      inconclusive_wait_s: st.inconclusive_wait_s ?? opts.inconclusive_wait_s ?? STAGE_DEFAULTS.inconclusive_wait_s,
    };
  });
  return { version: body.version, strategy: "custom", on_failure, stages: () => stages };
}
