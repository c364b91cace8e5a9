/**
 * The security page's live event table: the events the nodes sent to the control plane
 * (`GET /v1/security-events`), filtered by category, type, node, region, route, client and time
 * (kept in the URL), with per-category counts (`/summary`), newest first, updated live from
 * the Server-Sent Events stream with the same filters. "Older" pages back with the cursor.
 */
import { useEffect, useMemo, useState } from "react";
import type { SecurityEventItem } from "../api/types.ts";
import { Badge, ErrorAlert } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { followEvents } from "../lib/event-stream.ts";
import { stamp } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import { setQuery, useLocation } from "../lib/router.tsx";
import { CATEGORIES, filterFromQuery, mergeEvents, severityTone, WINDOWS } from "../lib/security-events.ts";

export function SecurityEventsPanel({ nodes, regions }: { nodes: string[]; regions: string[] }) {
  const api = useApi();
  const { query } = useLocation();
  const key = ["category", "type", "node", "region", "route", "client", "window"]
    .map((k) => query.get(`ev_${k}`) ?? "")
    .join("|");
  // biome-ignore lint/correctness/useExhaustiveDependencies: the filter changes with its URL key only
  const filter = useMemo(() => filterFromQuery(query), [key]);
  const [rows, setRows] = useState<SecurityEventItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<Error>();
  const summary = usePoll(`security:summary:${key}`, (s) => api.securityEventSummary(filter, s), 10_000);

  useEffect(() => {
    const ctrl = new AbortController();
    setRows([]);
    setCursor(null);
    setError(undefined);
    api
      .securityEvents({ ...filter, limit: 100 }, ctrl.signal)
      .then((page) => {
        setRows((r) => mergeEvents(r, page.items));
        setCursor(page.next_cursor);
        // The stream resumes after the newest event listed, so nothing between is lost.
        const newest = Math.max(0, ...page.items.map((i) => i.seq));
        let first = true;
        void followEvents(
          (last) => {
            const from = first && newest > 0 ? newest : last;
            first = false;
            return api.securityEventStream(filter, from, ctrl.signal);
          },
          (e) => {
            if (e.event !== "security-event") return;
            setRows((r) => mergeEvents(r, [JSON.parse(e.data) as SecurityEventItem]));
          },
          setLive,
          ctrl.signal,
        );
      })
      .catch((err: Error) => {
        if (!ctrl.signal.aborted) setError(err);
      });
    return () => {
      ctrl.abort();
      setLive(false);
    };
  }, [api, filter]);

  const older = async () => {
    if (!cursor) return;
    const page = await api.securityEvents({ ...filter, limit: 100, cursor });
    setRows((r) => [...r, ...page.items.filter((i) => !r.some((x) => x.seq === i.seq))]);
    setCursor(page.next_cursor);
  };
  const set = (k: string, v: string) => setQuery({ [`ev_${k}`]: v || undefined });
  const counts = summary.data?.by_category ?? {};

  return (
    <section className="panel" aria-label="Security events">
      <div className="panel-head">
        <h2>Security events</h2>
        <Badge tone={live ? "ok" : "warn"} title="Server-Sent Events stream of new events">
          {live ? "live" : "connecting…"}
        </Badge>
        <span className="muted">{summary.data ? `${summary.data.total} in the window` : ""}</span>
      </div>
      <div className="panel-body">
        <fieldset className="chips">
          <legend className="visually-hidden">Events by category</legend>
          {CATEGORIES.map((c) => (
            <button
              key={c}
              type="button"
              className={`btn small ${filter.category === c ? "primary" : ""}`}
              data-category={c}
              aria-pressed={filter.category === c}
              onClick={() => set("category", filter.category === c ? "" : c)}
            >
              {c.replace("_", " ")} <span className="mono">{counts[c] ?? 0}</span>
            </button>
          ))}
        </fieldset>
        <div className="filters">
          <FilterSelect
            label="Window"
            value={query.get("ev_window") ?? "24h"}
            options={Object.keys(WINDOWS)}
            onChange={(v) => set("window", v)}
          />
          <FilterSelect
            label="Node"
            value={filter.node ?? ""}
            options={["", ...nodes]}
            onChange={(v) => set("node", v)}
          />
          <FilterSelect
            label="Region"
            value={filter.region ?? ""}
            options={["", ...regions]}
            onChange={(v) => set("region", v)}
          />
          <FilterText
            label="Type"
            value={filter.type ?? ""}
            placeholder="waf_blocked"
            onChange={(v) => set("type", v)}
          />
          <FilterText
            label="Route"
            value={filter.route ?? ""}
            placeholder="route id"
            onChange={(v) => set("route", v)}
          />
          <FilterText
            label="Client"
            value={filter.client ?? ""}
            placeholder="203.0.113.7"
            onChange={(v) => set("client", v)}
          />
        </div>
        <ErrorAlert error={error ?? summary.error} title="Security events" />
      </div>
      <div className="table-wrap">
        <table className="grid" aria-label="Security events">
          <thead>
            <tr>
              <th>Time</th>
              <th>Category</th>
              <th>Type</th>
              <th>Node</th>
              <th>Route</th>
              <th>Client</th>
              <th>Rule</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.seq} data-event={r.event.event.id} data-category={r.event.palisade.category}>
                <td className="mono">{stamp(r.event["@timestamp"])}</td>
                <td>
                  <Badge tone={severityTone(r.event.event.severity)} title={r.event.log.level}>
                    {r.event.palisade.category}
                  </Badge>
                </td>
                <td className="mono">{r.event.event.action}</td>
                <td className="mono">{r.event.labels.node}</td>
                <td className="mono">{r.event.labels.route ?? ""}</td>
                <td className="mono">{r.event.source?.ip ?? ""}</td>
                <td className="mono" title={r.event.rule?.name}>
                  {r.event.rule?.id ?? ""}
                </td>
                <td>{r.event.message}</td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted" data-testid="no-events">
                  No security events match. New ones appear here as nodes send them.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {cursor ? (
        <div className="panel-body">
          <button type="button" className="btn small" onClick={() => void older()}>
            Older events
          </button>
        </div>
      ) : null}
    </section>
  );
}

function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: string[];
  onChange: (v: string) => void;
}) {
  const id = `ev-${label.toLowerCase()}`;
  return (
    <label htmlFor={id}>
      {label}{" "}
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o || "all"}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A text filter applied on Enter or when it loses focus (not on every key). */
function FilterText({
  label,
  value,
  placeholder,
  onChange,
}: {
  label: string;
  value: string;
  placeholder: string;
  onChange: (v: string) => void;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const id = `ev-${label.toLowerCase()}`;
  return (
    <label htmlFor={id}>
      {label}{" "}
      <input
        id={id}
        className="input mono"
        value={text}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => setText(e.target.value)}
        onBlur={() => onChange(text.trim())}
        onKeyDown={(e) => {
          if (e.key === "Enter") onChange(text.trim());
        }}
      />
    </label>
  );
}
