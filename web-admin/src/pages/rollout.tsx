/**
 * One rollout, live (polled every 2 s, backing off on failure): its stages as a pipeline, the
 * nodes of each stage (applied version against the one the rollout assigned), gate values
 * against their thresholds with the verdict and the baseline, the events (who, what, why), and
 * pause / resume / promote / abort behind a confirmation, each shown only in the states the API
 * accepts it (control-plane/README.md "State machine").
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
  gateLimit,
  metricName,
  metricValue,
  nodeVersionText,
  selectorText,
  stateTone,
  verdictTone,
  words,
} from "../lib/rollout-view.ts";
import { Link } from "../lib/router.tsx";
import { RolloutsUnavailable } from "./rollouts.tsx";

/** What a stage is waiting for, in one line. */
function stageTiming(s: RolloutStage): string {
  if (s.state === "running") return s.deadline_at ? `delivering · deadline ${fromNow(s.deadline_at)}` : "delivering";
  if (s.state === "soaking") return s.ends_at ? `soak ends ${fromNow(s.ends_at)}` : "soaking";
  if (s.finished_at) return `${words(s.state)} ${ago(s.finished_at)}`;
  return `soak ${duration(s.soak_s)}`;
}

/** Stages left to right, coloured by state, the current one outlined. */
export function Pipeline({ r }: { r: Rollout }) {
  const cur = currentStage(r);
  return (
    <ol className="pipeline" aria-label="Stages">
      {r.stages.map((s, i) => {
        const acked = (s.nodes ?? []).filter((n) => n.applied_version === r.version).length;
        return (
          <li
            key={s.name}
            className={`stage ${stateTone(s.state)} ${s === cur ? "current" : ""}`}
            aria-current={s === cur ? "step" : undefined}
            data-stage={s.name}
            data-state={s.state}
            style={{ listStyle: "none" }}
          >
            <h3>
              {i + 1}. {s.name}
            </h3>
            <div className="muted">{selectorText(s)}</div>
            <div>
              <Status tone={stateTone(s.state)}>{words(s.state)}</Status>
            </div>
            <div className="faint">
              {s.nodes?.length ? `${acked}/${s.nodes.length} on v${r.version}` : "no node yet"} · {stageTiming(s)}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function StageDetail({ s, version }: { s: RolloutStage; version: number }) {
  const gates = s.gates ?? [];
  const nodes = s.nodes ?? [];
  return (
    <section className="panel" aria-label={`Stage ${s.name}`}>
      <div className="panel-head">
        <h2>{s.name}</h2>
        <Status tone={stateTone(s.state)}>{words(s.state)}</Status>
        <span className="muted">{selectorText(s)}</span>
        <span className="faint">
          {s.started_at ? `started ${stamp(s.started_at)}` : "not started"}
          {s.acked_at ? ` · all ACKed ${stamp(s.acked_at)}` : ""}
          {s.ends_at ? ` · soak ${duration(s.soak_s)} ends ${stamp(s.ends_at)}` : ""}
          {s.state === "running" && s.deadline_at ? ` · delivery deadline ${stamp(s.deadline_at)}` : ""}
        </span>
      </div>
      <div className="stage-detail">
        <div className="table-wrap">
          <table className="grid" aria-label={`Gates of ${s.name}`}>
            <thead>
              <tr>
                <th>Gate</th>
                <th className="num">Value</th>
                <th>Limit</th>
                <th className="num">Baseline</th>
                <th
                  className="num"
                  title="Requests the stage's nodes served on the target, and the minimum for a verdict"
                >
                  Requests (min)
                </th>
                <th>Verdict</th>
              </tr>
            </thead>
            <tbody>
              {gates.map((g) => (
                <tr key={g.metric} data-gate={g.metric} data-verdict={g.verdict}>
                  <td className="nowrap">{metricName(g.metric)}</td>
                  <td className={`num ${g.verdict === "fail" ? "t-bad" : ""}`}>{metricValue(g.metric, g.value)}</td>
                  <td className="muted nowrap">{gateLimit(g)}</td>
                  <td
                    className="num muted"
                    title="The same metric on the nodes still on the previous version, over the same window"
                  >
                    {metricValue(g.metric, g.baseline)}
                  </td>
                  <td className="num muted">
                    {g.requests ?? "—"} / {g.min_requests ?? "—"}
                  </td>
                  <td>
                    <Badge tone={verdictTone(g)}>{g.verdict}</Badge>
                  </td>
                </tr>
              ))}
              {gates.length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">
                    No health gate: the stage passes once its nodes ACK and its soak ({duration(s.soak_s)}) is over.
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
                <th>Before</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.id} data-stage-node={n.id}>
                  <td>
                    <Link to={`/fleet/nodes/${encodeURIComponent(n.id)}`} className="mono">
                      {n.id}
                    </Link>
                  </td>
                  <td>{n.region ?? "—"}</td>
                  <td className="mono nowrap" data-col="version">
                    {nodeVersionText(n, version)}
                  </td>
                  <td className="mono muted">{n.previous_version ? `v${n.previous_version}` : "—"}</td>
                  <td>{n.state ? <Status tone={stateTone(n.state)}>{words(n.state)}</Status> : "—"}</td>
                </tr>
              ))}
              {nodes.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    {s.state === "skipped" ? "This stage selected no node." : "No node selected yet."}
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
  pause: { title: "Pause this rollout?", body: "Nodes keep what they were assigned; nothing moves until you resume." },
  resume: {
    title: "Resume this rollout?",
    body: "After your own pause the stage continues where it was; after a pause the rollout made (deadline, failed gate, too little traffic) the stage starts over with fresh evidence.",
  },
  promote: {
    title: "Promote the current stage?",
    body: "The current stage passes now: its remaining soak and gates are skipped and the next stage starts.",
  },
  abort: {
    title: "Abort and roll back?",
    body: "Every node this rollout touched goes back to the version it had before.",
    danger: true,
  },
};

/** "pause" → "Pause": the action's button and confirmation label. */
const actionLabel = (a: RolloutAction) => a[0]!.toUpperCase() + a.slice(1);

const DONE: Record<RolloutAction, string> = {
  pause: "Paused.",
  resume: "Resumed.",
  promote: "Promoted: the next stage starts.",
  abort: "Aborted: touched nodes are rolling back.",
};

/** A finished or paused rollout's outcome in one sentence. */
function Outcome({ r }: { r: Rollout }) {
  if (r.state === "paused")
    return (
      <div className="alert warn" role="status" data-testid="rollout-outcome">
        <div className="grow">
          <strong>Paused</strong>
          {r.pause_reason ? `: ${r.pause_reason}` : ""}. Resume, promote or abort it.
        </div>
      </div>
    );
  if (r.state === "succeeded")
    return (
      <div className="alert ok" role="status" data-testid="rollout-outcome">
        <div className="grow">
          <strong>Succeeded</strong> {ago(r.ended_at)}: v{r.version} is the stable version every node runs.
        </div>
      </div>
    );
  if (r.state === "rolled_back" || r.state === "aborted")
    return (
      <div className="alert bad" role="status" data-testid="rollout-outcome">
        <div className="grow">
          <strong>{r.state === "aborted" ? "Aborted" : "Rolled back"}</strong> {ago(r.ended_at)}:{" "}
          {r.rollback_completed_at
            ? `every touched node is back on its previous version (since ${stamp(r.rollback_completed_at)}).`
            : "touched nodes are returning to their previous version."}
        </div>
      </div>
    );
  if (r.state === "failed")
    return (
      <div className="alert bad" role="status" data-testid="rollout-outcome">
        <div className="grow">
          <strong>Failed</strong>: the rollout could not go on (see the events).
        </div>
      </div>
    );
  return null;
}

export function RolloutPage({ id }: { id: string }) {
  const api = useApi();
  const confirm = useConfirm();
  const toast = useToast();
  const rollout = usePoll(`rollout:${id}`, (s) => api.rollout(id, s), 2000);
  const [error, setError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<number | null>(null);

  if (rollout.loading && !rollout.data) return <Loading what="the rollout" />;
  if (!rollout.data) {
    if (rollout.error?.code === "NOT_AVAILABLE")
      return (
        <>
          <PageHead title="Rollout" />
          <RolloutsUnavailable />
        </>
      );
    return (
      <>
        <PageHead title="Rollout">
          <Link to="/rollouts" className="btn small">
            All rollouts
          </Link>
        </PageHead>
        <ErrorAlert error={rollout.error} title="Rollout" />
      </>
    );
  }
  const r = rollout.data;
  const cur = currentStage(r);
  // By default the stage in progress; once finished, the last stage that started (where it ended).
  const shown =
    selected !== null ? r.stages[selected] : (cur ?? r.stages.findLast((s) => s.started_at) ?? r.stages.at(-1));

  async function act(a: RolloutAction) {
    const t = ACTION_TEXT[a];
    const ok = await confirm({
      title: t.title,
      body: (
        <p>
          Rollout of v{r.version}
          {cur ? `, stage ${cur.name}` : ""}. {t.body}
        </p>
      ),
      confirm: actionLabel(a),
      ...(t.danger ? { danger: true } : {}),
    });
    if (!ok) return;
    setError(null);
    try {
      await api.rolloutAction(r.id, a);
      toast(DONE[a]);
      rollout.refresh();
    } catch (err) {
      setError(err as ApiError);
    }
  }

  const events = r.events ?? [];
  return (
    <>
      <PageHead
        title={`Rollout of v${r.version}`}
        sub={`${r.previous_version ? `from v${r.previous_version} · ` : ""}${r.strategy ?? ""} strategy · started ${ago(r.created_at)}${r.created_by ? ` by ${r.created_by}` : ""}`}
      >
        <span data-testid="rollout-state">
          <Status tone={stateTone(r.state)}>{words(r.state)}</Status>
        </span>
        {actionsFor(r).map((a) => (
          <button
            key={a}
            type="button"
            className={`btn ${a === "abort" ? "danger" : a === "promote" ? "primary" : ""}`}
            onClick={() => act(a)}
          >
            {actionLabel(a)}
          </button>
        ))}
        <Link to="/rollouts" className="btn small">
          All rollouts
        </Link>
      </PageHead>
      <Outcome r={r} />
      <ErrorAlert error={error} title="Not done" />
      <ErrorAlert error={rollout.error} title="Refresh" />
      <section className="panel">
        <div className="panel-head">
          <h2>Stages</h2>
          <span className="muted">
            on failure: {r.on_failure === "pause" ? "pause for a human" : "roll back the touched nodes"}
          </span>
          <span className="faint">
            {(r.touched_nodes ?? []).length} node{(r.touched_nodes ?? []).length === 1 ? "" : "s"} touched
          </span>
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
      <section className="panel" aria-label="Events">
        <div className="panel-head">
          <h2>Events</h2>
          <span className="muted">newest first: who did what, and why</span>
        </div>
        {events.length === 0 ? (
          <Empty title="No event yet" />
        ) : (
          <ol className="events">
            {[...events].reverse().map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: events have no id; the list only grows at its end
              <li key={events.length - i} data-event={e.type}>
                <span className="muted nowrap" title={e.at}>
                  {stamp(e.at)}
                </span>
                <span>
                  <Badge tone={stateTone(e.type)}>{words(e.type)}</Badge>
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
