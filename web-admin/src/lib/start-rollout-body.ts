/**
 * The start-rollout form as data, the `POST /v1/rollouts` body it makes, and where the API's
 * validation errors go back in the form. Pure functions (tested without a browser).
 *
 * Form fields are named by the API paths they become, except gates: a gate's index in the
 * body depends on which gate boxes are filled, so the form names them by metric
 * (`gates.error_rate_5xx`, `strategy.stages.0.gates.p99_ms`) and {@link formField} turns
 * `gates.0.threshold` back into that name. Numbers typed wrongly are sent as typed, so the API
 * names the field (`soak_s must be integer`) rather than the UI guessing.
 */
import type { GateBody, RolloutSelector, StageBody, StartRollout } from "../api/types.ts";

/** A number box: unset, a number, or text that is not one (sent as typed). */
export type NumBox = number | string | undefined;

/** Gate boxes: 5xx as a percentage of requests, its rise over the baseline in points, p99 in ms. */
export interface GateBoxes {
  max_5xx_pct?: NumBox;
  max_5xx_increase_pct?: NumBox;
  max_p99_ms?: NumBox;
  min_requests?: NumBox;
}

/** One custom stage as typed. */
export interface StageDraft extends GateBoxes {
  name: string;
  regions?: string[] | undefined;
  /** `key=value` items. */
  labels?: string[] | undefined;
  node_ids?: string[] | undefined;
  percent?: NumBox;
  count?: NumBox;
  soak_s?: NumBox;
}

/** The whole form. `soak_s`, the gate boxes and the timings are the body's stage defaults. */
export interface StartForm extends GateBoxes {
  version: string;
  strategy: "default" | "all-now" | "custom";
  on_failure: "rollback" | "pause";
  soak_s?: NumBox;
  progress_deadline_s?: NumBox;
  inconclusive_wait_s?: NumBox;
  stages: StageDraft[];
}

/** The API's defaults (control-plane/src/rollouts/strategy.ts), pre-filled so operators see them. */
export const DEFAULT_FORM: Omit<StartForm, "version"> = {
  strategy: "default",
  on_failure: "rollback",
  soak_s: 60,
  max_5xx_pct: 5,
  max_5xx_increase_pct: 2,
  max_p99_ms: 1000,
  min_requests: 100,
  stages: [
    { name: "canary", count: 1, soak_s: 60 },
    { name: "all", soak_s: 0 },
  ],
};

const set = (v: NumBox): v is number | string => v !== undefined && v !== "";
/** A percentage box as a fraction (text stays as typed). */
const fraction = (v: number | string): number | string => (typeof v === "number" ? v / 100 : v);

/** Gates from the boxes; empty boxes make no gate. The metric order is fixed: 5xx, then p99. */
export function gatesOf(b: GateBoxes): GateBody[] {
  const min = set(b.min_requests) ? { min_requests: b.min_requests as number } : {};
  const gates: GateBody[] = [];
  if (set(b.max_5xx_pct))
    gates.push({
      metric: "error_rate_5xx",
      threshold: fraction(b.max_5xx_pct) as number,
      ...(set(b.max_5xx_increase_pct) ? { max_increase: fraction(b.max_5xx_increase_pct) as number } : {}),
      ...min,
    });
  if (set(b.max_p99_ms)) gates.push({ metric: "p99_ms", threshold: b.max_p99_ms as number, ...min });
  return gates;
}

const anyGateBox = (b: GateBoxes) => set(b.max_5xx_pct) || set(b.max_p99_ms);

function selectorOf(s: StageDraft): RolloutSelector {
  const sel: RolloutSelector = {};
  if (s.regions?.length) sel.regions = s.regions;
  if (s.node_ids?.length) sel.node_ids = s.node_ids;
  if (s.labels?.length)
    // An item without "=" is sent with a null value so the API names that label.
    sel.labels = Object.fromEntries(
      s.labels.map((l) => {
        const at = l.indexOf("=");
        return at < 0 ? [l, null] : [l.slice(0, at), l.slice(at + 1)];
      }),
    ) as Record<string, string>;
  if (set(s.percent)) sel.percent = s.percent as number;
  if (set(s.count)) sel.count = s.count as number;
  return sel;
}

/**
 * The body of `POST /v1/rollouts` for the form. The stage defaults (soak, gates, timings) are
 * sent for the default and custom strategies (all-now has no soak and no gate); a custom
 * stage sends gates only when one of its gate boxes is filled, else it takes the defaults.
 */
export function startBody(f: StartForm): StartRollout {
  const version = /^\d+$/.test(f.version) ? Number(f.version) : (f.version as unknown as number);
  const timings = {
    ...(set(f.progress_deadline_s) ? { progress_deadline_s: f.progress_deadline_s as number } : {}),
    ...(set(f.inconclusive_wait_s) ? { inconclusive_wait_s: f.inconclusive_wait_s as number } : {}),
  };
  if (f.strategy === "all-now") return { version, strategy: "all-now", on_failure: f.on_failure, ...timings };
  const defaults = {
    ...(set(f.soak_s) ? { soak_s: f.soak_s as number } : {}),
    gates: gatesOf(f),
    ...timings,
  };
  if (f.strategy === "default") return { version, strategy: "default", on_failure: f.on_failure, ...defaults };
  const stages: StageBody[] = f.stages.map((s) => ({
    name: s.name,
    selector: selectorOf(s),
    ...(set(s.soak_s) ? { soak_s: s.soak_s as number } : {}),
    ...(anyGateBox(s) ? { gates: gatesOf(s) } : {}),
  }));
  return { version, strategy: { stages }, on_failure: f.on_failure, ...defaults };
}

/** The form field of a gate's part: its threshold box by metric, or the shared boxes. */
function gateBox(prefix: string, gate: GateBody | undefined, rest: string): string {
  if (rest === "min_requests") return `${prefix}gates.min_requests`;
  if (!gate) return `${prefix}gates`;
  if (rest === "max_increase") return `${prefix}gates.${gate.metric}.max_increase`;
  return `${prefix}gates.${gate.metric}`;
}

/**
 * Where an API error's field is in the form: `gates.1.threshold` → `gates.p99_ms`,
 * `strategy.stages.0.gates.0.min_requests` → `strategy.stages.0.gates.min_requests`; other
 * paths (`soak_s`, `strategy.stages.2.selector.percent`) are form fields already.
 */
export function formField(apiField: string | undefined, body: StartRollout): string | undefined {
  if (!apiField) return apiField;
  const top = /^gates\.(\d+)(?:\.(.+))?$/.exec(apiField);
  if (top) return gateBox("", body.gates?.[Number(top[1])], top[2] ?? "");
  const st = /^strategy\.stages\.(\d+)\.gates\.(\d+)(?:\.(.+))?$/.exec(apiField);
  if (st && typeof body.strategy === "object") {
    const i = Number(st[1]);
    return gateBox(`strategy.stages.${i}.`, body.strategy.stages[i]?.gates?.[Number(st[2])], st[3] ?? "");
  }
  return apiField;
}
