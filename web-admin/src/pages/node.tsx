/** One node: identity, sync state with the full last NACK (config or node fault), resync, and its health charts. */
import { useMemo, useState } from "react";
import type { ApiError } from "../api/client.ts";
import type { FleetNode, Report } from "../api/types.ts";
import { type Series, TimeChart } from "../components/charts.tsx";
import { useConfirm } from "../components/confirm.tsx";
import { useToast } from "../components/toast.tsx";
import { Badge, Empty, ErrorAlert, Loading, PageHead, Status } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { column, eventRates, nodeSeries, nodeState, recordNodeReports, syncState } from "../lib/fleet.ts";
import { ago, bytes, ms, pct, rate, shortHash, stamp } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import { fleetVersionText } from "../lib/rollout-view.ts";
import { Link } from "../lib/router.tsx";

/** Charts of a list of reports: traffic, errors, latency, denials by reason. */
export function ReportCharts({ series, empty }: { series: Report[]; empty: string }) {
  const charts = useMemo(() => {
    const [t, rps] = column(series, (r) => r.rps);
    const [, e4] = column(series, (r) => r.error_rate_4xx);
    const [, e5] = column(series, (r) => r.error_rate_5xx);
    const [, p50] = column(series, (r) => r.p50_ms);
    const [, p99] = column(series, (r) => r.p99_ms);
    const reasons = [...new Set(series.flatMap((r) => Object.keys(r.security_events ?? {})))].sort();
    const denials: Series = [t, ...reasons.map((k) => series.map((r) => eventRates(r)[k] ?? 0))];
    return { t, rps, e4, e5, p50, p99, reasons, denials };
  }, [series]);
  if (series.length === 0)
    return (
      <div className="chart-empty" data-testid="no-reports">
        {empty}
      </div>
    );
  return (
    <div className="charts">
      <div>
        <h3>Requests/s</h3>
        <TimeChart data={[charts.t, charts.rps]} labels={["requests/s"]} format={(v) => rate(v)} />
      </div>
      <div>
        <h3>Error rate</h3>
        <TimeChart
          data={[charts.t, charts.e4, charts.e5]}
          labels={["4xx", "5xx"]}
          format={(v) => pct(v)}
          colors={["#f0b23e", "#f2555f"]}
        />
      </div>
      <div>
        <h3>Latency</h3>
        <TimeChart
          data={[charts.t, charts.p50, charts.p99]}
          labels={["p50", "p99"]}
          format={(v) => ms(v)}
          colors={["#5fbf6a", "#f0b23e"]}
        />
      </div>
      <div>
        <h3>Denials by reason (per second)</h3>
        {charts.reasons.length ? (
          <TimeChart data={charts.denials} labels={charts.reasons} format={(v) => rate(v)} />
        ) : (
          <div className="chart-empty">No security events reported.</div>
        )}
      </div>
    </div>
  );
}

function Facts({ n }: { n: FleetNode }) {
  const st = nodeState(n);
  const sy = syncState(n);
  return (
    <dl className="kv">
      <dt>State</dt>
      <dd>
        <Status tone={st.tone}>{st.label}</Status>
        {st.label !== "connected" ? <span className="muted"> · since {ago(n.last_seen_at)}</span> : null}
      </dd>
      <dt>Region</dt>
      <dd>{n.region}</dd>
      <dt>Labels</dt>
      <dd>
        {Object.keys(n.labels).length
          ? Object.entries(n.labels).map(([k, v]) => (
              <span key={k} className="chip">
                {k}={v}
              </span>
            ))
          : "—"}
      </dd>
      <dt>Applied version</dt>
      <dd data-testid="node-version">
        <span className="mono">{fleetVersionText(n)}</span>{" "}
        <span className="mono faint">{shortHash(n.applied_hash)}</span> <Badge tone={sy.tone}>{sy.label}</Badge>
      </dd>
      {n.desired_version !== undefined ? (
        <>
          <dt title="The stable version, or what its rollout stage assigned it">Should run</dt>
          <dd className="mono">v{n.desired_version}</dd>
        </>
      ) : null}
      <dt>Latest version</dt>
      <dd className="mono">
        v{n.latest_version}{" "}
        {n.lag && n.desired_version !== undefined && n.applied_version === n.desired_version ? (
          // A version created for a rollout (deploy none) that has not reached this node: not a lag.
          <span className="faint">(not rolled out to this node)</span>
        ) : n.lag ? (
          <span className="t-warn">(lag {n.lag})</span>
        ) : null}
      </dd>
      {n.held_back ? (
        <>
          <dt>Held back</dt>
          <dd className="t-warn">
            v{n.held_back.version}: {n.held_back.reason}
          </dd>
        </>
      ) : null}
      <dt>Last ACK</dt>
      <dd>
        {stamp(n.last_ack_at)} <span className="muted">({ago(n.last_ack_at)})</span>
      </dd>
      <dt>Software</dt>
      <dd className="mono">{n.software_version || "—"}</dd>
      <dt>Policy types</dt>
      <dd>
        {n.policy_types?.length
          ? n.policy_types.map((p) => (
              <span key={p} className="chip">
                {p}
              </span>
            ))
          : "—"}
      </dd>
      <dt>First seen</dt>
      <dd>{stamp(n.first_seen_at)}</dd>
      {n.report ? (
        <>
          <dt>Connections</dt>
          <dd>{n.report.active_connections ?? "—"}</dd>
          <dt>Memory (RSS)</dt>
          <dd>{bytes(n.report.rss_bytes)}</dd>
        </>
      ) : null}
    </dl>
  );
}

/**
 * The node's last NACK: a refused config (publish a fixed version) or a node fault (the node
 * could not apply a config it has no objection to; a resync may help).
 */
function NackAlert({ n }: { n: FleetNode }) {
  const nack = n.last_nack;
  if (!nack) return null;
  const current = nack.version > n.applied_version;
  const fault = nack.kind === "node_fault";
  return (
    <div className={`alert ${current ? "bad" : ""}`} role="note" data-testid="node-nack">
      <div className="grow">
        <strong>
          {fault
            ? `${current ? "Could not apply" : "Earlier could not apply"} version v${nack.version} (node fault)`
            : `${current ? "Refused" : "Earlier refused"} version v${nack.version}`}
        </strong>{" "}
        <span className="muted">{stamp(nack.at)}</span>
        <div className="nack">
          {nack.code}
          {nack.resource ? ` in ${nack.resource}` : ""}: {nack.message}
        </div>
        <div className="muted">
          {fault
            ? `The node has no objection to v${nack.version} but failed to apply it (its log has the details) and kept serving v${n.applied_version}. The control plane does not send v${nack.version} to it again by itself: Resync sends it once more, whole, to compile from scratch.`
            : `The node kept serving v${n.applied_version}. The control plane does not send v${nack.version} to it again; publish a fixed version.`}
        </div>
      </div>
    </div>
  );
}

/** The resync button: confirm, ask the API, say what was sent (or why not). */
function ResyncButton({ n, done }: { n: FleetNode; done: () => void }) {
  const api = useApi();
  const confirm = useConfirm();
  const toast = useToast();
  const served = usePoll("has:resync", () => api.has("POST /v1/nodes/:id/resync"), 0);
  const [error, setError] = useState<ApiError | null>(null);
  if (!served.data) return null;
  const connected = n.connected && !n.revoked;
  async function resync() {
    const ok = await confirm({
      title: `Resync ${n.id}?`,
      body: (
        <p>
          The control plane sends {n.id} the version it should run{" "}
          {n.desired_version !== undefined ? <span className="mono">v{n.desired_version}</span> : null} whole, even one
          it refused, and the node compiles it from scratch while it keeps serving. Recorded in the audit log.
        </p>
      ),
      confirm: "Resync node",
    });
    if (!ok) return;
    setError(null);
    try {
      const r = await api.resync(n.id);
      toast(`Resync sent: v${r.version} to ${n.id}`);
      done();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <>
      <button
        type="button"
        className="btn small"
        disabled={!connected}
        title={connected ? "Send the node its version whole, to compile from scratch" : "The node has no open stream"}
        onClick={resync}
      >
        Resync
      </button>
      {error ? <ErrorAlert error={error} title="Resync" /> : null}
    </>
  );
}

export function NodePage({ id }: { id: string }) {
  const api = useApi();
  const node = usePoll(
    `node:${id}`,
    async (s) => {
      const n = await api.node(id, s);
      recordNodeReports([n]);
      return n;
    },
    2000,
  );
  if (node.loading && !node.data) return <Loading what={`node ${id}`} />;
  if (!node.data)
    return (
      <>
        <PageHead title={id} />
        {node.error?.status === 404 ? (
          <div className="panel">
            <Empty title={`No node ${id}`}>
              <Link to="/fleet">Back to the fleet</Link>
            </Empty>
          </div>
        ) : (
          <ErrorAlert error={node.error} title="Node" />
        )}
      </>
    );
  const n = node.data;
  return (
    <>
      <PageHead title={n.id} sub={n.region}>
        <ResyncButton n={n} done={node.refresh} />
        <Link to="/fleet" className="btn small">
          All nodes
        </Link>
      </PageHead>
      <ErrorAlert error={node.error} title="Refresh" />
      <NackAlert n={n} />
      <div className="split">
        <section className="panel">
          <div className="panel-head">
            <h2>Node</h2>
          </div>
          <Facts n={n} />
        </section>
        <section className="panel">
          <div className="panel-head">
            <h2>Latest report</h2>
            <span className="muted">{n.report ? ago(n.report.at) : ""}</span>
          </div>
          {n.report ? (
            <dl className="kv">
              <dt>Requests/s</dt>
              <dd>{rate(n.report.rps)}</dd>
              <dt>4xx / 5xx</dt>
              <dd>
                {pct(n.report.error_rate_4xx)} / {pct(n.report.error_rate_5xx)}
              </dd>
              <dt>p50 / p99</dt>
              <dd>
                {ms(n.report.p50_ms)} / {ms(n.report.p99_ms)}
              </dd>
              <dt>Security events</dt>
              <dd>
                {Object.entries(n.report.security_events ?? {}).length
                  ? Object.entries(n.report.security_events ?? {}).map(([k, v]) => (
                      <span key={k} className="chip">
                        {k} {v}
                      </span>
                    ))
                  : "none"}
              </dd>
            </dl>
          ) : (
            <div className="chart-empty" data-testid="no-reports">
              This node has sent no report yet.
            </div>
          )}
        </section>
      </div>
      <section className="panel">
        <div className="panel-head">
          <h2>Health</h2>
        </div>
        <div className="panel-body">
          <ReportCharts series={nodeSeries(n)} empty="No reports from this node yet: charts fill in as it reports." />
        </div>
      </section>
    </>
  );
}
