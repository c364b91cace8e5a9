/**
 * Rollouts: the active rollout at a glance and every past one. A control plane
 * without the rollout API (it answers 404) says so instead of failing.
 */
import { ApiError } from "../api/client.ts";
import type { Rollout } from "../api/types.ts";
import { Badge, Empty, ErrorAlert, Loading, PageHead, Status } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { ago, stamp } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import { isActive, progress, stateTone, words } from "../lib/rollout-view.ts";
import { Link } from "../lib/router.tsx";
import { Pipeline } from "./rollout.tsx";

/** The message shown where the rollout API is missing. */
export function RolloutsUnavailable() {
  return (
    <div className="panel" data-testid="rollouts-unavailable">
      <Empty title="Rollouts are not available on this control plane">
        It does not serve <code>/v1/rollouts</code>. Publishing from <Link to="/config/changes">Config → Changes</Link>{" "}
        sends a version to every node at once.
      </Empty>
    </div>
  );
}

export function RolloutsPage() {
  const api = useApi();
  const rollouts = usePoll("rollouts", (s) => api.rollouts(s), 3000);
  if (rollouts.loading && !rollouts.data) return <Loading what="rollouts" />;
  if (rollouts.error instanceof ApiError && rollouts.error.unavailable)
    return (
      <>
        <PageHead title="Rollouts" />
        <RolloutsUnavailable />
      </>
    );
  const list = rollouts.data?.items ?? [];
  const stable = rollouts.data?.stable_version;
  const active = list.find(isActive);
  return (
    <>
      <PageHead title="Rollouts" sub="versions delivered stage by stage, with health gates">
        {stable ? (
          <span className="muted" data-testid="stable-version">
            Stable{" "}
            <Link to="/config/history" className="mono">
              v{stable}
            </Link>
          </span>
        ) : null}
        {active ? (
          <span
            className="muted"
            title="One rollout at a time per fleet: finish, promote or abort the active one first"
          >
            A rollout is active
          </span>
        ) : (
          <Link to="/rollouts/new" className="btn primary">
            Start rollout
          </Link>
        )}
      </PageHead>
      <ErrorAlert error={rollouts.error} title="Rollouts" />
      {active ? <ActivePanel r={active} /> : null}
      <section className="panel">
        <div className="panel-head">
          <h2>All rollouts</h2>
        </div>
        {list.length === 0 ? (
          <Empty title="No rollout yet">Start one to deliver a version canary first, then region by region.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="grid" aria-label="Rollouts">
              <thead>
                <tr>
                  <th>Rollout</th>
                  <th>Version</th>
                  <th>State</th>
                  <th>Progress</th>
                  <th>Started</th>
                  <th>By</th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.id} data-rollout={r.id}>
                    <td>
                      <Link to={`/rollouts/${encodeURIComponent(r.id)}`} className="mono">
                        {r.id.slice(0, 12)}
                      </Link>
                    </td>
                    <td className="mono nowrap">
                      {r.previous_version ? `v${r.previous_version} → ` : ""}v{r.version}
                    </td>
                    <td>
                      <Status tone={stateTone(r.state)}>{words(r.state)}</Status>
                    </td>
                    <td className="muted">{progress(r)}</td>
                    <td className="nowrap muted" title={stamp(r.created_at)}>
                      {ago(r.created_at)}
                    </td>
                    <td className="muted">{r.created_by ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function ActivePanel({ r }: { r: Rollout }) {
  return (
    <section className="panel" aria-label="Active rollout">
      <div className="panel-head">
        <h2>
          Active: <span className="mono">v{r.version}</span>
        </h2>
        <Badge tone={stateTone(r.state)}>{words(r.state)}</Badge>
        {r.pause_reason && r.state === "paused" ? <span className="muted">{r.pause_reason}</span> : null}
        <Link to={`/rollouts/${encodeURIComponent(r.id)}`} className="btn small">
          Open
        </Link>
      </div>
      <Pipeline r={r} />
    </section>
  );
}
