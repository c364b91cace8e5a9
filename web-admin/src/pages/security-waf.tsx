/**
 * The security page's WAF panels (issue 14), from `GET /v1/security/waf` (the nodes' per-route
 * WAF counts summed over the fleet and a window): "WAF by route" — what each route's WAF
 * inspected and stopped (or, in detect mode, would have stopped) — and "Top rules" for one
 * route, the rules that hit most, to tune exclusions. Nothing is shown on a control plane
 * without the endpoint.
 */
import { useState } from "react";
import { Badge, Empty, ErrorAlert } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { pct } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import { Link } from "../lib/router.tsx";
import { topRuleRows, wafRouteRows, wafTotals } from "../lib/waf-report.ts";

const WINDOWS: Array<[number, string]> = [
  [300, "last 5 min"],
  [900, "last 15 min"],
  [1800, "last 30 min"],
];

export function WafPanels() {
  const api = useApi();
  const [windowS, setWindowS] = useState(900);
  const [picked, setPicked] = useState("");
  const report = usePoll(`security:waf:${windowS}`, (s) => api.wafReport(windowS, s), 10_000);
  if (report.error?.unavailable) return null;
  const rows = wafRouteRows(report.data);
  const totals = wafTotals(report.data);
  const selected = report.data?.routes.find((r) => `${r.route_id}/${r.policy_id}` === picked) ?? report.data?.routes[0];
  const rules = selected ? topRuleRows(selected) : [];
  return (
    <>
      <section className="panel" data-testid="waf-by-route">
        <div className="panel-head">
          <h2>WAF by route</h2>
          <span className="muted">
            {totals.inspected} inspected, {totals.stopped} stopped
            {report.data ? ` · ${report.data.nodes} node${report.data.nodes === 1 ? "" : "s"} reporting` : ""}
          </span>
          <span className="grow" />
          <label className="visually-hidden" htmlFor="waf-window">
            Window
          </label>
          <select
            id="waf-window"
            className="input"
            value={windowS}
            onChange={(e) => setWindowS(Number(e.target.value))}
          >
            {WINDOWS.map(([s, label]) => (
              <option key={s} value={s}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <ErrorAlert error={report.error} title="WAF figures" />
        {rows.length === 0 ? (
          <Empty title="No WAF activity reported">
            Each node reports, per route with a waf policy, the requests its WAF inspected, stopped and the rules that
            matched. <Link to="/config/policies">Policies</Link>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="grid" aria-label="WAF by route">
              <thead>
                <tr>
                  <th>Route</th>
                  <th>Policy</th>
                  <th className="num">Inspected</th>
                  <th className="num">Stopped</th>
                  <th className="num">Stop rate</th>
                  <th className="num">Matched</th>
                  <th className="num">Over body limit</th>
                  <th className="num">Engine errors</th>
                  <th className="num">Not sampled</th>
                  <th className="num">Nodes</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr
                    key={r.key}
                    data-route={r.route}
                    aria-selected={selected !== undefined && r.key === `${selected.route_id}/${selected.policy_id}`}
                  >
                    <td>
                      <button type="button" className="btn small ghost" onClick={() => setPicked(r.key)}>
                        {r.route}
                      </button>
                    </td>
                    <td>
                      {r.policy} {r.detectOnly ? <Badge tone="info">detect</Badge> : null}
                    </td>
                    <td className="num">{r.inspected}</td>
                    <td className="num">{r.stopped}</td>
                    <td className="num">{pct(r.stopRate)}</td>
                    <td className="num">{r.matched}</td>
                    <td className="num">{r.overLimit}</td>
                    <td className="num">{r.errors}</td>
                    <td className="num">{r.sampledOut}</td>
                    <td className="num">{r.nodes}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selected ? (
        <section className="panel" data-testid="waf-top-rules">
          <div className="panel-head">
            <h2>Top rules: {selected.route_name ?? selected.route_id}</h2>
            <span className="muted">rules that matched most; exclude one in the waf policy to tune</span>
          </div>
          <div className="table-wrap">
            <table className="grid" aria-label="Top rules">
              <thead>
                <tr>
                  <th>Rule</th>
                  <th>Message</th>
                  <th className="num">Hits</th>
                  <th className="num">Stopping</th>
                  <th className="num">Share</th>
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <tr key={r.id} data-rule={r.id}>
                    <td className="mono">{r.id}</td>
                    <td>{r.msg || <span className="faint">-</span>}</td>
                    <td className="num">{r.hits}</td>
                    <td className="num">{r.blocking}</td>
                    <td className="num">{pct(r.share)}</td>
                  </tr>
                ))}
                {rules.length === 0 ? (
                  <tr>
                    <td colSpan={5} className="muted">
                      No rule matched on this route.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          {selected.policy_name ? (
            <div className="panel-body hint">
              <Link to={`/config/policies/${encodeURIComponent(selected.policy_name)}`}>
                Edit {selected.policy_name}
              </Link>{" "}
              to add an exclusion (by rule id, tag, field and route).
            </div>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
