/**
 * Fleet: every node grouped by region with its connection state, applied
 * version and lag, last NACK, software version and, when nodes report them,
 * requests/s, error rates and p99 with sparklines. Polls every 2 s.
 */
import { useMemo, useState } from "react";
import type { FleetNode, Report } from "../api/types.ts";
import { Sparkline } from "../components/charts.tsx";
import { Badge, Empty, ErrorAlert, Loading, PageHead, Status } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import {
  column,
  hasReports,
  nodeSeries,
  nodeState,
  onDesired,
  type RegionSummary,
  recordNodeReports,
  recordRegionReports,
  summarizeRegions,
  syncState,
} from "../lib/fleet.ts";
import { ago, ms, pct, rate } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import { fleetVersionText } from "../lib/rollout-view.ts";
import { Link, setQuery, useLocation } from "../lib/router.tsx";

const FILTERS = {
  all: "All nodes",
  connected: "Connected",
  stale: "Stale",
  disconnected: "Disconnected",
  behind: "Not on their version",
  refused: "Refused a version",
} as const;
type Filter = keyof typeof FILTERS;

function keep(n: FleetNode, f: Filter, q: string): boolean {
  if (q) {
    const hay = `${n.id} ${n.region} ${n.software_version} ${Object.entries(n.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`.toLowerCase();
    if (!hay.includes(q.toLowerCase())) return false;
  }
  switch (f) {
    case "connected":
      return n.connected && !n.stale;
    case "stale":
      return n.connected && !!n.stale;
    case "disconnected":
      return !n.connected;
    case "behind":
      return !onDesired(n);
    case "refused":
      return !!n.last_nack && n.last_nack.version > n.applied_version;
    default:
      return true;
  }
}

/** A figure with its sparkline, or a dash. */
export function Trend({
  value,
  series,
  pick,
  format,
  label,
  color,
}: {
  value: number | undefined;
  series: Report[];
  pick: (r: Report) => number | undefined;
  format: (v: number | undefined) => string;
  label: string;
  color?: string;
}) {
  const [t, v] = useMemo(() => column(series, pick), [series, pick]);
  if (value === undefined && series.length === 0) return <span className="faint">—</span>;
  return (
    <span className="spark-cell">
      {series.length > 1 ? <Sparkline times={t} values={v} label={label} {...(color ? { color } : {})} /> : null}
      <span className="num">{format(value)}</span>
    </span>
  );
}

const pickRps = (r: Report) => r.rps;
const pick5xx = (r: Report) => r.error_rate_5xx;
const pickP99 = (r: Report) => r.p99_ms;

/** The last NACK, readable: which version, the code, the resource (or "node fault") and the message. */
export function NackText({ n }: { n: FleetNode }) {
  if (!n.last_nack) return <span className="faint">—</span>;
  const current = n.last_nack.version > n.applied_version;
  return (
    <span className={current ? "nack" : "faint"} title={`${n.last_nack.message}\n${n.last_nack.at}`}>
      v{n.last_nack.version} {n.last_nack.code}
      {n.last_nack.kind === "node_fault" ? " (node fault)" : n.last_nack.resource ? ` (${n.last_nack.resource})` : ""}:{" "}
      {n.last_nack.message}
    </span>
  );
}

function NodeRows({ nodes, reports }: { nodes: FleetNode[]; reports: boolean }) {
  return (
    <>
      {nodes.map((n) => {
        const st = nodeState(n);
        const sy = syncState(n);
        const series = nodeSeries(n);
        return (
          <tr key={n.id} data-node={n.id}>
            <td>
              <Link to={`/fleet/nodes/${encodeURIComponent(n.id)}`} className="mono">
                {n.id}
              </Link>
              {Object.keys(n.labels).length ? (
                <span className="cell-sub">
                  {Object.entries(n.labels).map(([k, v]) => (
                    <span key={k} className="chip">
                      {k}={v}
                    </span>
                  ))}
                </span>
              ) : null}
            </td>
            <td data-col="state">
              <Status tone={st.tone}>{st.label}</Status>
              {st.label !== "connected" ? <span className="cell-sub">since {ago(n.last_seen_at)}</span> : null}
            </td>
            <td data-col="version" className="nowrap">
              <span className="mono">{fleetVersionText(n)}</span> <Badge tone={sy.tone}>{sy.label}</Badge>
              {n.held_back ? <span className="cell-sub">{n.held_back.reason}</span> : null}
            </td>
            <td className="nowrap muted">{ago(n.last_ack_at)}</td>
            <td className="wrap">
              <NackText n={n} />
            </td>
            <td className="mono nowrap">{n.software_version || "—"}</td>
            {reports ? (
              <>
                <td className="num">
                  <Trend value={n.report?.rps} series={series} pick={pickRps} format={rate} label="requests/s" />
                </td>
                <td className="num">
                  <Trend
                    value={n.report?.error_rate_5xx}
                    series={series}
                    pick={pick5xx}
                    format={pct}
                    label="5xx rate"
                    color="#f2555f"
                  />
                  <span className="cell-sub">4xx {pct(n.report?.error_rate_4xx)}</span>
                </td>
                <td className="num">
                  <Trend
                    value={n.report?.p99_ms}
                    series={series}
                    pick={pickP99}
                    format={ms}
                    label="p99 latency"
                    color="#f0b23e"
                  />
                </td>
              </>
            ) : null}
          </tr>
        );
      })}
    </>
  );
}

function RegionPanel({ r, reports }: { r: RegionSummary; reports: boolean }) {
  const tone = r.connected === r.nodes.length ? (r.stale ? "warn" : "ok") : r.connected === 0 ? "bad" : "warn";
  return (
    <section className="panel" aria-label={`region ${r.region}`} data-region={r.region}>
      <div className="panel-head">
        <h2>
          <Status tone={r.nodes.length ? tone : "idle"}>{r.region}</Status>
        </h2>
        <span className="muted">
          {r.connected}/{r.nodes.length} connected
          {r.stale ? ` · ${r.stale} stale` : ""} · {r.inSync}/{r.nodes.length} in sync
          {r.nacks ? <span className="t-bad"> · {r.nacks} refused</span> : null}
        </span>
        {reports ? (
          <span className="muted nowrap">
            {rate(r.report?.rps)} req/s · 5xx {pct(r.report?.error_rate_5xx)} · p99 {ms(r.report?.p99_ms)}
          </span>
        ) : null}
      </div>
      <div className="table-wrap">
        <table className="grid fleet" aria-label={`Nodes in ${r.region}`}>
          <colgroup>
            <col style={{ width: reports ? "12%" : "18%" }} />
            <col style={{ width: "9%" }} />
            <col style={{ width: reports ? "11%" : "14%" }} />
            <col style={{ width: "7%" }} />
            <col />
            <col style={{ width: "8%" }} />
            {reports ? (
              <>
                <col style={{ width: "11%" }} />
                <col style={{ width: "11%" }} />
                <col style={{ width: "11%" }} />
              </>
            ) : null}
          </colgroup>
          <thead>
            <tr>
              <th>Node</th>
              <th>State</th>
              <th>Config version</th>
              <th>Last ACK</th>
              <th>Last NACK</th>
              <th>Software</th>
              {reports ? (
                <>
                  <th className="num">Req/s</th>
                  <th className="num">5xx</th>
                  <th className="num">p99</th>
                </>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {r.nodes.length ? (
              <NodeRows nodes={r.nodes} reports={reports} />
            ) : (
              <tr>
                <td colSpan={reports ? 9 : 6} className="muted">
                  No node matches the filter in this region.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function FleetPage() {
  const api = useApi();
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const filter = (query.get("state") ?? "all") as Filter;
  const nodes = usePoll(
    "nodes",
    async (s) => {
      const items = await api.nodes(s);
      recordNodeReports(items);
      return items;
    },
    2000,
  );
  const regions = usePoll(
    "regions",
    async (s) => {
      const items = await api.regions(s);
      recordRegionReports(items);
      return items;
    },
    5000,
  );
  const [search, setSearch] = useState(q);

  if (nodes.loading && !nodes.data) return <Loading what="the fleet" />;
  const all = nodes.data ?? [];
  const reports = hasReports(all);
  const shown = all.filter((n) => keep(n, FILTERS[filter] ? filter : "all", q));
  const summaries = summarizeRegions(shown, filter === "all" && !q ? regions.data : undefined);
  const latest = all[0]?.latest_version ?? 0;
  const connected = all.filter((n) => n.connected).length;
  const stale = all.filter((n) => n.connected && n.stale).length;
  const inSync = all.filter(onDesired).length;
  const refused = all.filter((n) => n.last_nack && n.last_nack.version > n.applied_version).length;
  const totalRps = reports ? all.reduce((s, n) => s + (n.report?.rps ?? 0), 0) : undefined;

  return (
    <>
      <PageHead
        title="Fleet"
        sub={`${all.length} node${all.length === 1 ? "" : "s"} · ${new Set(all.map((n) => n.region)).size} regions`}
      >
        <span className="muted">
          Latest version{" "}
          <Link to="/config/history" className="mono">
            v{latest}
          </Link>
        </span>
      </PageHead>
      <ErrorAlert error={nodes.error} title="Fleet" />
      <div className="stats">
        <div className={`stat ${connected === all.length ? "ok" : "warn"}`}>
          <div className="label">Connected</div>
          <div className="value" data-stat="connected">
            {connected}
            <small>/ {all.length}</small>
          </div>
        </div>
        <div className={`stat ${stale ? "warn" : ""}`}>
          <div className="label">Stale</div>
          <div className="value" data-stat="stale">
            {stale}
          </div>
        </div>
        <div className={`stat ${all.length - connected ? "bad" : ""}`}>
          <div className="label">Disconnected</div>
          <div className="value">{all.length - connected}</div>
        </div>
        <div className={`stat ${inSync === all.length ? "ok" : "warn"}`}>
          <div
            className="label"
            title="Nodes running the version they should: the stable one, or their rollout stage's"
          >
            On their version
          </div>
          <div className="value">
            {inSync}
            <small>/ {all.length}</small>
          </div>
        </div>
        <div className={`stat ${refused ? "bad" : ""}`}>
          <div className="label">Refused versions</div>
          <div className="value">{refused}</div>
        </div>
        <div className="stat">
          <div className="label">Requests/s</div>
          <div className="value">{rate(totalRps)}</div>
        </div>
      </div>
      {!reports && all.length > 0 ? (
        <div className="alert" data-testid="no-reports">
          <div className="grow">
            <strong>No node reports yet.</strong> Requests/s, error rates and p99 latency appear here once the nodes
            send health reports to this control plane.
          </div>
        </div>
      ) : null}
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ q: search });
        }}
      >
        <label className="visually-hidden" htmlFor="fleet-search">
          Search nodes
        </label>
        <input
          id="fleet-search"
          className="input search"
          type="search"
          placeholder="Search node, region, label…"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setQuery({ q: e.target.value });
          }}
        />
        <label className="visually-hidden" htmlFor="fleet-state">
          State
        </label>
        <select
          id="fleet-state"
          className="input"
          value={filter}
          onChange={(e) => setQuery({ state: e.target.value === "all" ? undefined : e.target.value })}
        >
          {Object.entries(FILTERS).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
        <span className="grow" />
        <span className="faint">
          {nodes.updatedAt ? `updated ${ago(new Date(nodes.updatedAt).toISOString())}` : ""}
        </span>
      </form>
      {all.length === 0 ? (
        <div className="panel">
          <Empty title="No node has connected yet">
            Start a data-plane node with <code>palisade-dp --control-plane &lt;this host&gt;:8005</code>.
          </Empty>
        </div>
      ) : summaries.length === 0 ? (
        <div className="panel">
          <Empty title="No node matches the filter" />
        </div>
      ) : (
        summaries.map((r) => <RegionPanel key={r.region} r={r} reports={reports} />)
      )}
    </>
  );
}
