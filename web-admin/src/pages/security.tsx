/**
 * Security: the security events the nodes sent (a live, filtered table with
 * per-category counts: security-events.tsx), then traffic, error rates and
 * denials by reason over time, for the whole fleet, one region or one node,
 * from the node reports. Region figures
 * come from `/v1/regions` where the control plane keeps them, otherwise from
 * the nodes' reports summed per 5 s. Without reports the page says so. Below, the WAF's figures
 * by route and its top rules (security-waf.tsx).
 */
import { useMemo } from "react";
import type { FleetNode, Region, Report } from "../api/types.ts";
import { type Series, TimeChart } from "../components/charts.tsx";
import { Empty, ErrorAlert, Loading, PageHead } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import {
  aggregate,
  eventRates,
  hasReports,
  nodeSeries,
  recordNodeReports,
  recordRegionReports,
  regionSeries,
} from "../lib/fleet.ts";
import { ms, pct, rate } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import { setQuery, useLocation } from "../lib/router.tsx";
import { ReportCharts } from "./node.tsx";
import { SecurityEventsPanel } from "./security-events.tsx";
import { WafPanels } from "./security-waf.tsx";

/** Puts several series on one time axis (union of times, gaps as null). */
export function align(series: Array<{ reports: Report[] }>, pick: (r: Report) => number | undefined): Series {
  const times = [...new Set(series.flatMap((s) => s.reports.map((r) => Math.round(Date.parse(r.at) / 1000))))].sort(
    (a, b) => a - b,
  );
  const index = new Map(times.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const col: Array<number | null> = new Array(times.length).fill(null);
    for (const r of s.reports) col[index.get(Math.round(Date.parse(r.at) / 1000))!] = pick(r) ?? null;
    return col;
  });
  return [times, ...ys];
}

function regionReports(region: string, nodes: FleetNode[], regions: Region[] | undefined): Report[] {
  const api = regions?.find((r) => r.region === region);
  if (api && (api.history?.length || api.report)) return regionSeries(api);
  return aggregate(nodes.filter((n) => n.region === region).map(nodeSeries));
}

/** Total security events by reason over a list of reports. */
function totals(reports: Report[]): Array<[string, number]> {
  const t: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.security_events ?? {})) t[k] = (t[k] ?? 0) + v;
  return Object.entries(t).sort((a, b) => b[1] - a[1]);
}

export function SecurityPage() {
  const api = useApi();
  const { query } = useLocation();
  const scope = query.get("scope") ?? "";
  const nodes = usePoll(
    "security:nodes",
    async (s) => {
      const items = await api.nodes(s);
      recordNodeReports(items);
      return items;
    },
    3000,
  );
  const regions = usePoll(
    "security:regions",
    async (s) => {
      const items = await api.regions(s);
      recordRegionReports(items);
      return items;
    },
    5000,
  );

  const all = nodes.data ?? [];
  const regionNames = useMemo(() => [...new Set(all.map((n) => n.region))].sort(), [all]);
  const perRegion = useMemo(
    () => regionNames.map((r) => ({ name: r, reports: regionReports(r, all, regions.data) })),
    [regionNames, all, regions.data],
  );
  const scoped: Report[] = useMemo(() => {
    if (scope.startsWith("node:")) {
      const n = all.find((x) => x.id === scope.slice(5));
      return n ? nodeSeries(n) : [];
    }
    if (scope.startsWith("region:")) return perRegion.find((r) => r.name === scope.slice(7))?.reports ?? [];
    return aggregate(perRegion.map((r) => r.reports));
  }, [scope, all, perRegion]);

  if (nodes.loading && !nodes.data) return <Loading what="node reports" />;
  const reports = hasReports(all) || (regions.data ?? []).some((r) => r.report || r.history?.length);

  return (
    <>
      <PageHead title="Security" sub="security events from the nodes; traffic, errors and denials from their reports">
        <label className="visually-hidden" htmlFor="security-scope">
          Scope
        </label>
        <select
          id="security-scope"
          className="input"
          value={scope}
          onChange={(e) => setQuery({ scope: e.target.value })}
        >
          <option value="">Whole fleet</option>
          <optgroup label="Regions">
            {regionNames.map((r) => (
              <option key={r} value={`region:${r}`}>
                {r}
              </option>
            ))}
          </optgroup>
          <optgroup label="Nodes">
            {all.map((n) => (
              <option key={n.id} value={`node:${n.id}`}>
                {n.id} ({n.region})
              </option>
            ))}
          </optgroup>
        </select>
      </PageHead>
      <ErrorAlert error={nodes.error} title="Fleet" />
      <SecurityEventsPanel nodes={all.map((n) => n.id)} regions={regionNames} />
      {!reports ? (
        <div className="panel">
          <Empty title="No node reports yet">
            <span data-testid="no-reports">
              Charts of requests/s, error rates and denials by reason fill in once the data-plane nodes send health
              reports to this control plane.
            </span>
          </Empty>
        </div>
      ) : (
        <>
          {!scope && perRegion.length > 1 ? (
            <section className="panel">
              <div className="panel-head">
                <h2>By region</h2>
              </div>
              <div className="panel-body charts">
                <div>
                  <h3>Requests/s</h3>
                  <TimeChart
                    data={align(perRegion, (r) => r.rps)}
                    labels={perRegion.map((r) => r.name)}
                    format={(v) => rate(v)}
                  />
                </div>
                <div>
                  <h3>5xx rate</h3>
                  <TimeChart
                    data={align(perRegion, (r) => r.error_rate_5xx)}
                    labels={perRegion.map((r) => r.name)}
                    format={(v) => pct(v)}
                  />
                </div>
                <div>
                  <h3>Denials/s</h3>
                  <TimeChart
                    data={align(perRegion, (r) => Object.values(eventRates(r)).reduce((s, v) => s + v, 0))}
                    labels={perRegion.map((r) => r.name)}
                    format={(v) => rate(v)}
                  />
                </div>
                <div>
                  <h3>p99 latency</h3>
                  <TimeChart
                    data={align(perRegion, (r) => r.p99_ms)}
                    labels={perRegion.map((r) => r.name)}
                    format={(v) => ms(v)}
                  />
                </div>
              </div>
            </section>
          ) : null}
          <section className="panel">
            <div className="panel-head">
              <h2>{scope ? scope.replace(":", " ") : "Whole fleet"}</h2>
            </div>
            <div className="panel-body">
              <ReportCharts series={scoped} empty="No reports for this scope yet." />
            </div>
          </section>
          <section className="panel">
            <div className="panel-head">
              <h2>Denials by reason</h2>
              <span className="muted">events counted in the reports shown</span>
            </div>
            <div className="table-wrap">
              <table className="grid" aria-label="Denials by reason">
                <thead>
                  <tr>
                    <th>Reason</th>
                    <th className="num">Events</th>
                    {regionNames.map((r) => (
                      <th key={r} className="num">
                        {r}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {totals(scoped).map(([reason, n]) => (
                    <tr key={reason} data-reason={reason}>
                      <td className="mono">{reason}</td>
                      <td className="num">{n}</td>
                      {perRegion.map((r) => (
                        <td key={r.name} className="num">
                          {totals(r.reports).find(([k]) => k === reason)?.[1] ?? 0}
                        </td>
                      ))}
                    </tr>
                  ))}
                  {totals(scoped).length === 0 ? (
                    <tr>
                      <td colSpan={2 + regionNames.length} className="muted">
                        No security events reported.
                      </td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
      <WafPanels />
    </>
  );
}
