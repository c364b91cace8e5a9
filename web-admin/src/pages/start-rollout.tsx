/**
 * Start a rollout of a published version with the default strategy (canary
 * node → each region in turn → all), all nodes at once, or custom stages with
 * their selectors, soak times and gates.
 */
import { type FormEvent, useEffect, useState } from "react";
import { ApiError } from "../api/client.ts";
import type { StartRollout } from "../api/types.ts";
import {
  Field,
  FieldError,
  FormErrors,
  ListInput,
  NumberInput,
  type PlacedError,
  Select,
  TextInput,
} from "../components/form-kit.tsx";
import { ErrorAlert, Loading, PageHead } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { placeError } from "../lib/field-errors.ts";
import { usePoll } from "../lib/poll.ts";
import { Link, navigate, useLocation } from "../lib/router.tsx";
import { RolloutsUnavailable } from "./rollouts.tsx";

interface StageDraft {
  name: string;
  regions?: string[];
  node_ids?: string[];
  labels?: string[];
  percent?: number | string;
  soak_s?: number | string;
  max_5xx_pct?: number | string;
  max_p99_ms?: number | string;
  min_requests?: number | string;
}

const DEFAULT_STAGES: StageDraft[] = [
  { name: "canary", percent: 1, soak_s: 300, max_5xx_pct: 1, max_p99_ms: 250, min_requests: 100 },
  { name: "all", soak_s: 0, max_5xx_pct: 1 },
];

function toStages(xs: StageDraft[]) {
  return xs.map((s) => {
    const gates: Array<{ metric: string; threshold: number | string; min_requests?: number | string }> = [];
    const min = s.min_requests !== undefined ? { min_requests: s.min_requests } : {};
    if (s.max_5xx_pct !== undefined)
      gates.push({
        metric: "error_rate_5xx",
        threshold: typeof s.max_5xx_pct === "number" ? s.max_5xx_pct / 100 : s.max_5xx_pct,
        ...min,
      });
    if (s.max_p99_ms !== undefined) gates.push({ metric: "p99_ms", threshold: s.max_p99_ms, ...min });
    const selector: Record<string, unknown> = {};
    if (s.regions?.length) selector.regions = s.regions;
    if (s.node_ids?.length) selector.node_ids = s.node_ids;
    if (s.labels?.length) selector.labels = Object.fromEntries(s.labels.map((l) => l.split("=") as [string, string]));
    if (s.percent !== undefined) selector.percent = s.percent;
    return { name: s.name, selector, ...(s.soak_s !== undefined ? { soak_s: s.soak_s } : {}), gates };
  });
}

export function StartRolloutPage() {
  const api = useApi();
  const versions = usePoll("rollout:versions", (s) => api.versions(50, s), 0);
  const available = usePoll("rollout:available", (s) => api.rollouts(s), 0);
  const { query } = useLocation();
  const [version, setVersion] = useState(query.get("version") ?? "");
  const [strategy, setStrategy] = useState<"default" | "all-now" | "custom">("default");
  const [onFailure, setOnFailure] = useState<"rollback" | "pause">("rollback");
  const [stages, setStages] = useState<StageDraft[]>(DEFAULT_STAGES);
  const [placed, setPlaced] = useState<PlacedError | null>(null);
  const [apiError, setApiError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!version && versions.data?.[0]) setVersion(String(versions.data[0].version));
  }, [versions.data, version]);

  if (available.error instanceof ApiError && available.error.unavailable)
    return (
      <>
        <PageHead title="Start rollout" />
        <RolloutsUnavailable />
      </>
    );
  if (versions.loading) return <Loading what="versions" />;

  const fields = [
    "version",
    "strategy",
    "on_failure",
    ...stages.flatMap((_, i) => [
      `strategy.stages.${i}`,
      `strategy.stages.${i}.name`,
      `strategy.stages.${i}.selector`,
      `strategy.stages.${i}.soak_s`,
      `strategy.stages.${i}.gates`,
    ]),
  ];

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setPlaced(null);
    setApiError(null);
    const body: StartRollout = {
      version: Number(version),
      strategy: strategy === "custom" ? { stages: toStages(stages) as never } : strategy,
      on_failure: onFailure,
    };
    try {
      const r = await api.startRollout(body);
      navigate(`/rollouts/${encodeURIComponent(r.id)}`);
    } catch (err) {
      const ae = err as ApiError;
      const at = placeError(ae.field, fields);
      setPlaced({ field: at, message: ae.message });
      if (!at) setApiError(ae);
      setBusy(false);
    }
  }

  const setStage = (i: number, patch: Partial<StageDraft>) =>
    setStages((xs) => xs.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <>
      <PageHead title="Start rollout">
        <Link to="/rollouts" className="btn small">
          All rollouts
        </Link>
      </PageHead>
      <ErrorAlert error={apiError} title="Not started" />
      <form className="form" onSubmit={submit} noValidate aria-label="Start rollout">
        <FormErrors value={placed}>
          <section className="form-section">
            <h2>Version and strategy</h2>
            <div className="fields">
              <Field label="Version" field="version" required>
                <Select
                  field="version"
                  value={version}
                  options={(versions.data ?? []).map((v) => [
                    String(v.version),
                    `v${v.version} ${v.message ? `— ${v.message}` : ""}`,
                  ])}
                  onChange={setVersion}
                />
              </Field>
              <Field label="Strategy" field="strategy" asGroup>
                {(
                  [
                    ["default", "Default: a canary node, then each region in turn, then all"],
                    ["all-now", "All nodes now"],
                    ["custom", "Custom stages"],
                  ] as const
                ).map(([v, l]) => (
                  <label key={v} className="check" style={{ display: "flex", marginBottom: 4 }}>
                    <input type="radio" name="strategy" checked={strategy === v} onChange={() => setStrategy(v)} />
                    {l}
                  </label>
                ))}
              </Field>
              <Field label="When a gate fails" field="on_failure" asGroup>
                <label className="check">
                  <input
                    type="radio"
                    name="on_failure"
                    checked={onFailure === "rollback"}
                    onChange={() => setOnFailure("rollback")}
                  />
                  Roll back the touched nodes
                </label>
                <label className="check">
                  <input
                    type="radio"
                    name="on_failure"
                    checked={onFailure === "pause"}
                    onChange={() => setOnFailure("pause")}
                  />
                  Pause for a human
                </label>
              </Field>
            </div>
          </section>
          {strategy === "custom"
            ? stages.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: stages are positions in the list
                <section className="form-section" key={i} aria-label={`Stage ${i + 1}`}>
                  <h2>
                    Stage {i + 1}
                    <button
                      type="button"
                      className="btn small ghost danger-text"
                      style={{ float: "right" }}
                      disabled={stages.length === 1}
                      onClick={() => setStages((xs) => xs.filter((_, j) => j !== i))}
                    >
                      Remove stage
                    </button>
                  </h2>
                  <div className="fields">
                    <Field label="Name" field={`strategy.stages.${i}.name`} required>
                      <TextInput
                        field={`strategy.stages.${i}.name`}
                        value={s.name}
                        onChange={(v) => setStage(i, { name: v })}
                      />
                    </Field>
                    <Field label="Regions" field={`strategy.stages.${i}.selector`} hint="Empty: every region.">
                      <ListInput
                        field={`strategy.stages.${i}.selector`}
                        value={s.regions}
                        onChange={(v) => setStage(i, { regions: v })}
                        placeholder="eu-west, us-east"
                      />
                    </Field>
                    <Field label="Labels" field={`stage-${i}-labels`} hint="key=value, comma-separated.">
                      <ListInput
                        field={`stage-${i}-labels`}
                        value={s.labels}
                        onChange={(v) => setStage(i, { labels: v })}
                        placeholder="tier=edge"
                      />
                    </Field>
                    <Field label="Node ids" field={`stage-${i}-nodes`}>
                      <ListInput
                        field={`stage-${i}-nodes`}
                        value={s.node_ids}
                        onChange={(v) => setStage(i, { node_ids: v })}
                      />
                    </Field>
                    <Field
                      label="Percent of nodes"
                      field={`stage-${i}-percent`}
                      hint="Of the matching nodes, chosen stably."
                    >
                      <NumberInput
                        field={`stage-${i}-percent`}
                        value={s.percent}
                        placeholder="100"
                        onChange={(v) => setStage(i, { percent: v })}
                      />
                    </Field>
                    <Field label="Soak (s)" field={`strategy.stages.${i}.soak_s`}>
                      <NumberInput
                        field={`strategy.stages.${i}.soak_s`}
                        value={s.soak_s}
                        placeholder="300"
                        onChange={(v) => setStage(i, { soak_s: v })}
                      />
                    </Field>
                    <Field
                      label="Gates"
                      field={`strategy.stages.${i}.gates`}
                      asGroup
                      hint="Compared on the stage's node reports."
                    >
                      <div className="row-editor">
                        <div className="row">
                          <span className="muted">max 5xx %</span>
                          <NumberInput
                            field={`stage-${i}-5xx`}
                            value={s.max_5xx_pct}
                            label="max 5xx %"
                            width={80}
                            onChange={(v) => setStage(i, { max_5xx_pct: v })}
                          />
                          <span className="muted">max p99 ms</span>
                          <NumberInput
                            field={`stage-${i}-p99`}
                            value={s.max_p99_ms}
                            label="max p99 ms"
                            width={80}
                            onChange={(v) => setStage(i, { max_p99_ms: v })}
                          />
                          <span className="muted">min requests</span>
                          <NumberInput
                            field={`stage-${i}-min`}
                            value={s.min_requests}
                            label="min requests"
                            width={80}
                            onChange={(v) => setStage(i, { min_requests: v })}
                          />
                        </div>
                      </div>
                    </Field>
                    <FieldError field={`strategy.stages.${i}`} />
                  </div>
                </section>
              ))
            : null}
        </FormErrors>
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={busy || !version}>
            {busy ? "Starting…" : `Start rollout of v${version}`}
          </button>
          {strategy === "custom" ? (
            <button
              type="button"
              className="btn"
              onClick={() => setStages((xs) => [...xs, { name: `stage-${xs.length + 1}` }])}
            >
              Add stage
            </button>
          ) : null}
        </div>
      </form>
    </>
  );
}
