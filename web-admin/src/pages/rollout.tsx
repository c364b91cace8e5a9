/**
 * One rollout, live: its stages as a pipeline, the nodes of each stage, gate
 * values against their thresholds, the events, and pause / resume / promote /
 * abort behind a confirmation.
 */
import { useState } from "react";
import type { ApiError } from "../api/client.ts";
import type { Rollout, RolloutAction, RolloutStage } from "../api/types.ts";
import { useConfirm } from "../components/confirm.tsx";
import { useToast } from "../components/toast.tsx";
import { Badge, Empty, ErrorAlert, Loading, PageHead, Status } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { ago, duration, fromNow, stamp } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import {
  actionsFor,
  currentStage,
  metricName,
  metricValue,
  selectorText,
  stateTone,
  verdictTone,
} from "../lib/rollout-view.ts";
import { Link } from "../lib/router.tsx";
import { RolloutsUnavailable } from "./rollouts.tsx";

/** Stages left to right, coloured by state, the current one outlined. */
export function Pipeline({ r }: { r: Rollout }) {
  const cur = currentStage(r);
  return (
    <ol className="pipeline" aria-label="Stages">
      {r.stages.map((s, i) => (
        <li
          key={s.name}
          className={`stage ${stateTone(s.state)} ${s === cur ? "current" : ""}`}
          aria-current={s === cur ? "step" : undefined}
          style={{ listStyle: "none" }}
        >
          <h3>
            {i + 1}. {s.name}
          </h3>
          <div className="muted">{selectorText(s)}</div>
          <div>
            <Status tone={stateTone(s.state)}>{s.state.replace("_", " ")}</Status>
          </div>
          <div className="faint">
            {s.nodes?.length ?? 0} node{s.nodes?.length === 1 ? "" : "s"} · soak {duration(s.soak_s)}
            {s.ends_at && (s.state === "soaking" || s.state === "running") ? ` · ends ${fromNow(s.ends_at)}` : ""}
          </div>
        </li>
      ))}
    </ol>
  );
}

function StageDetail({ s, version }: { s: RolloutStage; version: number }) {
  return (
    <section className="panel" aria-label={`Stage ${s.name}`}>
      <div className="panel-head">
        <h2>{s.name}</h2>
        <Status tone={stateTone(s.state)}>{s.state.replace("_", " ")}</Status>
        <span className="muted">{selectorText(s)}</span>
        <span className="faint">
          {s.started_at ? `started ${ago(s.started_at)}` : "not started"}
          {s.ends_at ? ` · soak ends ${stamp(s.ends_at)}` : ""}
        </span>
      </div>
      <div className="split">
        <div className="table-wrap">
          <table className="grid" aria-label={`Gates of ${s.name}`}>
            <thead>
              <tr>
                <th>Gate</th>
                <th className="num">Value</th>
                <th className="num">Threshold</th>
                <th className="num">Baseline</th>
                <th className="num">Requests</th>
                <th>Verdict</th>
              </tr>
            </thead>
            <tbody>
              {(s.gates ?? []).map((g) => (
                <tr key={g.metric}>
                  <td>{metricName(g.metric)}</td>
                  <td className={`num ${g.verdict === "fail" ? "t-bad" : ""}`}>{metricValue(g.metric, g.value)}</td>
                  <td className="num muted">≤ {metricValue(g.metric, g.threshold)}</td>
                  <td className="num muted">{g.baseline !== undefined ? metricValue(g.metric, g.baseline) : "—"}</td>
                  <td className="num muted">
                    {g.requests ?? "—"}
                    {g.min_requests ? ` / ${g.min_requests}` : ""}
                  </td>
                  <td>
                    <Badge tone={verdictTone(g)}>{g.verdict}</Badge>
                  </td>
                </tr>
              ))}
              {(s.gates ?? []).length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">
                    No health gate: the stage passes after its soak time.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        <div className="table-wrap">
          <table className="grid" aria-label={`Nodes of ${s.name}`}>
            <thead>
              <tr>
                <th>Node</th>
                <th>Region</th>
                <th>Version</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {(s.nodes ?? []).map((n) => (
                <tr key={n.id}>
                  <td>
                    <Link to={`/fleet/nodes/${encodeURIComponent(n.id)}`} className="mono">
                      {n.id}
                    </Link>
                  </td>
                  <td>{n.region ?? "—"}</td>
                  <td className="mono">
                    {n.applied_version !== undefined ? `v${n.applied_version}` : "—"}{" "}
                    {n.applied_version === version ? <Badge tone="ok">new</Badge> : null}
                  </td>
                  <td>{n.state ? <Status tone={stateTone(n.state)}>{n.state}</Status> : "—"}</td>
                </tr>
              ))}
              {(s.nodes ?? []).length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    No node selected yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

const ACTION_TEXT: Record<RolloutAction, { title: string; body: string; danger?: boolean }> = {
  pause: { title: "Pause this rollout?", body: "Nodes keep what they run; no stage starts until you resume." },
  resume: { title: "Resume this rollout?", body: "The current stage continues its soak and gates." },
  promote: {
    title: "Promote past the current stage?",
    body: "Skips the remaining soak time of the current stage and moves to the next one now.",
  },
  abort: {
    title: "Abort and roll back?",
    body: "Every node this rollout touched goes back to the version it had before.",
    danger: true,
  },
};

export function RolloutPage({ id }: { id: string }) {
  const api = useApi();
  const confirm = useConfirm();
  const toast = useToast();
  const rollout = usePoll(`rollout:${id}`, (s) => api.rollout(id, s), 2000);
  const [error, setError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<number | null>(null);

  if (rollout.loading && !rollout.data) return <Loading what="the rollout" />;
  if (!rollout.data) {
    if (rollout.error?.status === 404) {
      return (
        <>
          <PageHead title={`Rollout ${id}`} />
          <RolloutsUnavailable />
        </>
      );
    }
    return <ErrorAlert error={rollout.error} title="Rollout" />;
  }
  const r = rollout.data;
  const cur = currentStage(r);
  const shown = selected !== null ? r.stages[selected] : (cur ?? r.stages.at(-1));

  async function act(a: RolloutAction) {
    const t = ACTION_TEXT[a];
    const ok = await confirm({
      title: t.title,
      body: <p>{t.body}</p>,
      confirm: a[0]!.toUpperCase() + a.slice(1),
      ...(t.danger ? { danger: true } : {}),
    });
    if (!ok) return;
    setError(null);
    try {
      await api.rolloutAction(r.id, a);
      toast(`Rollout ${a} requested.`);
      rollout.refresh();
    } catch (err) {
      setError(err as ApiError);
    }
  }

  return (
    <>
      <PageHead
        title={`Rollout of v${r.version}`}
        sub={`${r.previous_version ? `from v${r.previous_version} · ` : ""}started ${ago(r.created_at)}${r.created_by ? ` by ${r.created_by}` : ""}`}
      >
        <Status tone={stateTone(r.state)}>{r.state.replace("_", " ")}</Status>
        {actionsFor(r).map((a) => (
          <button
            key={a}
            type="button"
            className={`btn ${a === "abort" ? "danger" : a === "promote" ? "primary" : ""}`}
            onClick={() => act(a)}
          >
            {a[0]!.toUpperCase() + a.slice(1)}
          </button>
        ))}
      </PageHead>
      <ErrorAlert error={error} title="Not done" />
      <ErrorAlert error={rollout.error} title="Refresh" />
      <section className="panel">
        <div className="panel-head">
          <h2>Stages</h2>
          <span className="muted">on failure: {r.on_failure ?? "rollback"}</span>
        </div>
        <Pipeline r={r} />
        <div className="toolbar panel-body" style={{ marginBottom: 0 }}>
          <span className="muted">Show stage:</span>
          {r.stages.map((s, i) => (
            <button
              key={s.name}
              type="button"
              className="btn small"
              aria-pressed={s === shown}
              onClick={() => setSelected(i)}
            >
              {s.name}
            </button>
          ))}
        </div>
      </section>
      {shown ? <StageDetail s={shown} version={r.version} /> : null}
      <section className="panel">
        <div className="panel-head">
          <h2>Events</h2>
        </div>
        {(r.events ?? []).length === 0 ? (
          <Empty title="No event yet" />
        ) : (
          <ol className="events">
            {[...(r.events ?? [])].reverse().map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: events have no id; their order is fixed
              <li key={i}>
                <span className="muted nowrap" title={e.at}>
                  {stamp(e.at)}
                </span>
                <span>
                  <Badge tone={stateTone(e.type)}>{e.type.replace("_", " ")}</Badge>
                </span>
                <span>
                  {e.stage ? <strong>{e.stage}: </strong> : null}
                  {e.message}
                  {e.who ? <span className="faint"> — {e.who}</span> : null}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
