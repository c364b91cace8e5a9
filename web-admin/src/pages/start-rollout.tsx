/**
 * Start a rollout of a published version: the default strategy (a canary node, then each
 * region in turn, then all) with its soak and gate thresholds as fields, all nodes now, or
 * custom stages with their selectors, soak times and gates; what to do when a gate fails; a
 * confirmation that says what will happen. The API's validation errors go beside the field
 * they name (lib/start-rollout-body.ts maps `gates.0.threshold` back to its box).
 */
import { type FormEvent, useEffect, useState } from "react";
import { ApiError } from "../api/client.ts";
import type { StartRollout } from "../api/types.ts";
import { useConfirm } from "../components/confirm.tsx";
import {
  Field,
  FieldError,
  FormErrors,
  focusField,
  ListInput,
  NumberInput,
  type PlacedError,
  Select,
  TextInput,
} from "../components/form-kit.tsx";
import { ErrorAlert, Loading, PageHead } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { placeError } from "../lib/field-errors.ts";
import { duration } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import { isActive } from "../lib/rollout-view.ts";
import { Link, navigate, useLocation } from "../lib/router.tsx";
import {
  DEFAULT_FORM,
  formField,
  type GateBoxes,
  type StageDraft,
  type StartForm,
  startBody,
} from "../lib/start-rollout-body.ts";
import { RolloutsUnavailable } from "./rollouts.tsx";

/** The form fields a gate box set renders under `prefix` ("" or "strategy.stages.N."). */
function gateFields(prefix: string): string[] {
  return [
    "gates",
    "gates.error_rate_5xx",
    "gates.error_rate_5xx.max_increase",
    "gates.p99_ms",
    "gates.min_requests",
  ].map((f) => prefix + f);
}

/** Every field the form renders, for placing an API error. */
function renderedFields(f: StartForm): string[] {
  const top = ["version", "strategy", "on_failure", "progress_deadline_s", "inconclusive_wait_s"];
  if (f.strategy === "all-now") return top;
  const defaults = ["soak_s", ...gateFields("")];
  if (f.strategy === "default") return [...top, ...defaults];
  return [
    ...top,
    ...defaults,
    "strategy.stages",
    ...f.stages.flatMap((_, i) => {
      const p = `strategy.stages.${i}.`;
      return [
        `strategy.stages.${i}`,
        ...["name", "selector", "selector.regions", "selector.labels", "selector.node_ids"].map((x) => p + x),
        ...["selector.percent", "selector.count", "soak_s"].map((x) => p + x),
        ...gateFields(p),
      ];
    }),
  ];
}

/** Gate threshold boxes in one row, each with its error under it. */
function GateRow({
  prefix,
  value,
  onChange,
  compact,
}: {
  prefix: string;
  value: GateBoxes;
  onChange: (patch: GateBoxes) => void;
  compact?: boolean;
}) {
  const box = (f: keyof GateBoxes, field: string, label: string, unit: string) => (
    <span className="gate-box">
      <span className="muted">{label}</span>
      <NumberInput
        field={prefix + field}
        value={value[f]}
        label={
          compact
            ? `${prefix.replace(/^strategy\.stages\.(\d+)\./, (_, i) => `Stage ${Number(i) + 1} `)}${label}`
            : label
        }
        width={80}
        onChange={(v) => onChange({ [f]: v })}
      />
      <span className="faint">{unit}</span>
      <FieldError field={prefix + field} />
    </span>
  );
  return (
    <div className="row-editor">
      <div className="row" style={{ flexWrap: "wrap" }}>
        {box("max_5xx_pct", "gates.error_rate_5xx", "max 5xx", "%")}
        {box("max_5xx_increase_pct", "gates.error_rate_5xx.max_increase", "max 5xx rise over baseline", "points")}
        {box("max_p99_ms", "gates.p99_ms", "max p99", "ms")}
        {box("min_requests", "gates.min_requests", "min requests", "per verdict")}
      </div>
    </div>
  );
}

/** What the confirmation says will happen. */
function plan(f: StartForm, body: StartRollout): string {
  const soak = typeof body.soak_s === "number" ? duration(body.soak_s) : "60 s (default)";
  const gates = (body.gates ?? []).length;
  const fail = f.on_failure === "pause" ? "the rollout pauses for a human" : "every touched node is rolled back";
  if (f.strategy === "all-now") return "Every node is sent the version at once, with no soak and no gate.";
  if (f.strategy === "default")
    return `One canary node first, then each region in turn, then every node. Canary and region stages soak ${soak} with ${gates} gate${gates === 1 ? "" : "s"}; if a gate fails, ${fail}.`;
  return `${f.stages.length} stage${f.stages.length === 1 ? "" : "s"} (${f.stages.map((s) => s.name).join(" → ")}); if a gate fails, ${fail}.`;
}

export function StartRolloutPage() {
  const api = useApi();
  const confirm = useConfirm();
  const versions = usePoll("rollout:versions", (s) => api.versionList(100, s), 0);
  const rollouts = usePoll("rollout:list", (s) => api.rollouts(s), 5000);
  const { query } = useLocation();
  const [form, setForm] = useState<StartForm>({ ...DEFAULT_FORM, version: query.get("version") ?? "" });
  const [placed, setPlaced] = useState<PlacedError | null>(null);
  const [apiError, setApiError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const stable = versions.data?.stable_version;
  const list = versions.data?.items ?? [];
  // The newest version by default: usually the one just published for this rollout.
  useEffect(() => {
    if (!form.version && list[0]) setForm((f) => ({ ...f, version: String(list[0]!.version) }));
  }, [list, form.version]);
  useEffect(() => {
    if (placed?.field) focusField(placed.field);
  }, [placed]);

  if (rollouts.error instanceof ApiError && rollouts.error.unavailable)
    return (
      <>
        <PageHead title="Start rollout" />
        <RolloutsUnavailable />
      </>
    );
  if (versions.loading && !versions.data) return <Loading what="versions" />;

  const active = rollouts.data?.items.find(isActive);
  const set = (patch: Partial<StartForm>) => setForm((f) => ({ ...f, ...patch }));
  const setStage = (i: number, patch: Partial<StageDraft>) =>
    setForm((f) => ({ ...f, stages: f.stages.map((s, j) => (j === i ? { ...s, ...patch } : s)) }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const body = startBody(form);
    const ok = await confirm({
      title: `Start a rollout of v${form.version}?`,
      body: (
        <p>
          {stable ? `Nodes run v${stable} (stable). ` : ""}
          {plan(form, body)}
        </p>
      ),
      confirm: "Start rollout",
    });
    if (!ok) return;
    setBusy(true);
    setPlaced(null);
    setApiError(null);
    try {
      const r = await api.startRollout(body);
      navigate(`/rollouts/${encodeURIComponent(r.id)}`);
    } catch (err) {
      const ae = err as ApiError;
      const at = placeError(formField(ae.field, body), renderedFields(form));
      setPlaced({ field: at, message: ae.message });
      if (!at) setApiError(ae);
      setBusy(false);
    }
  }

  const versionOptions: Array<[string, string]> = list.map((v) => [
    String(v.version),
    `v${v.version}${v.version === stable ? " (stable)" : ""}${v.message ? ` — ${v.message}` : ""}`,
  ]);

  return (
    <>
      <PageHead title="Start rollout" sub={stable ? `the fleet's stable version is v${stable}` : undefined}>
        <Link to="/rollouts" className="btn small">
          All rollouts
        </Link>
      </PageHead>
      {active ? (
        <div className="alert warn" role="status">
          <div className="grow">
            <strong>A rollout is active:</strong> v{active.version} is {active.state}.{" "}
            <Link to={`/rollouts/${encodeURIComponent(active.id)}`}>Open it</Link> to finish, promote or abort it; the
            fleet runs one rollout at a time.
          </div>
        </div>
      ) : null}
      <ErrorAlert error={apiError} title="Not started" />
      <ErrorAlert error={versions.error} title="Versions" />
      <form className="form" onSubmit={submit} noValidate aria-label="Start rollout">
        <FormErrors value={placed}>
          <section className="form-section">
            <h2>Version and strategy</h2>
            <div className="fields">
              <Field label="Version" field="version" required hint="Published versions, newest first.">
                <Select
                  field="version"
                  value={form.version}
                  options={versionOptions}
                  onChange={(v) => set({ version: v })}
                />
              </Field>
              <Field label="Strategy" field="strategy" asGroup>
                {(
                  [
                    ["default", "Default: a canary node, then each region in turn, then all"],
                    ["all-now", "All nodes now (no soak, no gate)"],
                    ["custom", "Custom stages"],
                  ] as const
                ).map(([v, l]) => (
                  <label key={v} className="check" style={{ display: "flex", marginBottom: 4 }}>
                    <input
                      type="radio"
                      name="strategy"
                      value={v}
                      checked={form.strategy === v}
                      onChange={() => set({ strategy: v })}
                    />
                    {l}
                  </label>
                ))}
              </Field>
              <Field label="When a gate fails" field="on_failure" asGroup>
                <label className="check">
                  <input
                    type="radio"
                    name="on_failure"
                    checked={form.on_failure === "rollback"}
                    onChange={() => set({ on_failure: "rollback" })}
                  />
                  Roll back the touched nodes
                </label>
                <label className="check">
                  <input
                    type="radio"
                    name="on_failure"
                    checked={form.on_failure === "pause"}
                    onChange={() => set({ on_failure: "pause" })}
                  />
                  Pause for a human
                </label>
              </Field>
            </div>
          </section>
          {form.strategy !== "all-now" ? (
            <section className="form-section" aria-label="Soak and gates">
              <h2>{form.strategy === "default" ? "Soak and gates" : "Stage defaults"}</h2>
              <div className="fields">
                <Field
                  label="Soak (s)"
                  field="soak_s"
                  hint={
                    form.strategy === "default"
                      ? "How long the canary and each region are watched after their nodes ACK. The last stage (all) has none."
                      : "For stages that set none."
                  }
                >
                  <NumberInput
                    field="soak_s"
                    value={form.soak_s}
                    placeholder="60"
                    onChange={(v) => set({ soak_s: v })}
                  />
                </Field>
                <Field
                  label="Gates"
                  field="gates"
                  asGroup
                  hint="Judged on the stage's nodes against the nodes still on the previous version. An empty box is no gate; min requests 0 judges even without traffic."
                >
                  <GateRow prefix="" value={form} onChange={(p) => set(p)} />
                </Field>
                <Field
                  label="Delivery deadline (s)"
                  field="progress_deadline_s"
                  hint="Pause when a stage's nodes have not all ACKed by then."
                >
                  <NumberInput
                    field="progress_deadline_s"
                    value={form.progress_deadline_s}
                    placeholder="120"
                    onChange={(v) => set({ progress_deadline_s: v })}
                  />
                </Field>
                <Field
                  label="Wait for traffic (s)"
                  field="inconclusive_wait_s"
                  hint="After the soak, how long a gate without enough requests is waited on before pausing."
                >
                  <NumberInput
                    field="inconclusive_wait_s"
                    value={form.inconclusive_wait_s}
                    placeholder="300"
                    onChange={(v) => set({ inconclusive_wait_s: v })}
                  />
                </Field>
              </div>
            </section>
          ) : null}
          {form.strategy === "custom"
            ? form.stages.map((s, i) => {
                const p = `strategy.stages.${i}.`;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: stages are positions in the list
                  <section className="form-section" key={i} aria-label={`Stage ${i + 1}`}>
                    <h2>
                      Stage {i + 1}
                      <button
                        type="button"
                        className="btn small ghost danger-text"
                        style={{ float: "right" }}
                        disabled={form.stages.length === 1}
                        onClick={() => set({ stages: form.stages.filter((_, j) => j !== i) })}
                      >
                        Remove stage {i + 1}
                      </button>
                    </h2>
                    <div className="fields">
                      <Field label={`Stage ${i + 1} name`} field={`${p}name`} required>
                        <TextInput field={`${p}name`} value={s.name} onChange={(v) => setStage(i, { name: v })} />
                      </Field>
                      <Field label="Regions" field={`${p}selector.regions`} hint="Empty: every region.">
                        <ListInput
                          field={`${p}selector.regions`}
                          value={s.regions}
                          onChange={(v) => setStage(i, { regions: v })}
                          placeholder="eu-west, us-east"
                        />
                      </Field>
                      <Field label="Labels" field={`${p}selector.labels`} hint="key=value, all must match.">
                        <ListInput
                          field={`${p}selector.labels`}
                          value={s.labels}
                          onChange={(v) => setStage(i, { labels: v })}
                          placeholder="tier=edge"
                        />
                      </Field>
                      <Field label="Node ids" field={`${p}selector.node_ids`}>
                        <ListInput
                          field={`${p}selector.node_ids`}
                          value={s.node_ids}
                          onChange={(v) => setStage(i, { node_ids: v })}
                        />
                      </Field>
                      <Field
                        label="Percent of nodes"
                        field={`${p}selector.percent`}
                        hint="Of the matching nodes, chosen stably (a smaller cut is part of a larger one)."
                      >
                        <NumberInput
                          field={`${p}selector.percent`}
                          value={s.percent}
                          placeholder="100"
                          onChange={(v) => setStage(i, { percent: v })}
                        />
                      </Field>
                      <Field label="At most (nodes)" field={`${p}selector.count`}>
                        <NumberInput
                          field={`${p}selector.count`}
                          value={s.count}
                          onChange={(v) => setStage(i, { count: v })}
                        />
                      </Field>
                      <Field label="Soak (s)" field={`${p}soak_s`} hint="Empty: the stage default.">
                        <NumberInput
                          field={`${p}soak_s`}
                          value={s.soak_s}
                          placeholder={String(form.soak_s ?? 60)}
                          onChange={(v) => setStage(i, { soak_s: v })}
                        />
                      </Field>
                      <Field label="Gates" field={`${p}gates`} asGroup hint="All empty: the stage defaults above.">
                        <GateRow prefix={p} value={s} compact onChange={(patch) => setStage(i, patch)} />
                      </Field>
                      <FieldError field={`strategy.stages.${i}`} />
                      <FieldError field={`${p}selector`} />
                    </div>
                  </section>
                );
              })
            : null}
          <FieldError field="strategy.stages" />
        </FormErrors>
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={busy || !form.version || !!active}>
            {busy ? "Starting…" : `Start rollout of v${form.version}`}
          </button>
          {form.strategy === "custom" ? (
            <button
              type="button"
              className="btn"
              onClick={() => set({ stages: [...form.stages, { name: `stage-${form.stages.length + 1}` }] })}
            >
              Add stage
            </button>
          ) : null}
        </div>
      </form>
    </>
  );
}
