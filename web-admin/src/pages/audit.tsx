/**
 * Audit log: every change made through the API or this UI, newest first, with
 * filters (kind, resource, time) kept in the URL, and each entry's before/after diff.
 */
import { Fragment, useEffect, useState } from "react";
import type { AuditEntry } from "../api/types.ts";
import { DiffLines } from "../components/diff-view.tsx";
import { Badge, Empty, ErrorAlert, Loading, PageHead } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { jsonDiff } from "../lib/diff.ts";
import { ago, stamp } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";
import { Link, setQuery, useLocation } from "../lib/router.tsx";
import { isKind } from "./config/kinds.ts";

const KIND_FILTERS: Array<[string, string]> = [
  ["", "All kinds"],
  ["routes", "Routes"],
  ["upstreams", "Upstreams"],
  ["policies", "Policies"],
  ["consumers", "Consumers"],
  ["certificates", "Certificates"],
  ["config/versions", "Publishes"],
  ["rollouts", "Rollouts"],
  ["nodes", "Nodes"],
];
const SINCE: Array<[string, string, number]> = [
  ["", "Any time", 0],
  ["15m", "Last 15 minutes", 15 * 60],
  ["1h", "Last hour", 3600],
  ["24h", "Last 24 hours", 86_400],
  ["7d", "Last 7 days", 7 * 86_400],
];
const PAGE = 50;

/** "created", "updated", "deleted", "published", or the action's last path segment. */
export function verb(e: AuditEntry): string {
  if (e.kind === "config/versions" && e.method === "POST") return "published";
  const sub = e.kind.split("/");
  if (e.method === "POST" && sub.length > 1 && sub[0] === "rollouts") return sub.at(-1)!;
  return { POST: "created", PUT: "updated", PATCH: "updated", DELETE: "deleted" }[e.method] ?? e.method;
}

const TONE: Record<string, "ok" | "warn" | "bad" | "info"> = {
  created: "ok",
  updated: "warn",
  deleted: "bad",
  published: "info",
};

function Resource({ e }: { e: AuditEntry }) {
  const label = e.kind === "config/versions" ? `v${e.resource_id}` : (e.resource_name ?? e.resource_id ?? "—");
  if (e.kind === "config/versions") return <Link to={`/config/history?to=${e.resource_id}`}>{label}</Link>;
  if (isKind(e.kind) && e.method !== "DELETE" && e.resource_id)
    return <Link to={`/config/${e.kind}/${encodeURIComponent(e.resource_id)}`}>{label}</Link>;
  if (e.kind.startsWith("rollouts") && e.resource_id)
    return <Link to={`/rollouts/${encodeURIComponent(e.resource_id)}`}>{label}</Link>;
  return <span>{label}</span>;
}

export function AuditPage() {
  const api = useApi();
  const { query } = useLocation();
  const kind = query.get("kind") ?? "";
  const resource = query.get("resource") ?? "";
  const sinceKey = query.get("since") ?? "";
  const [resourceText, setResourceText] = useState(resource);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<number | null | undefined>(undefined);
  const sinceS = SINCE.find(([k]) => k === sinceKey)?.[2] ?? 0;
  const filterKey = `${kind}|${resource}|${sinceKey}`;

  const first = usePoll(
    `audit:${filterKey}`,
    (s) =>
      api.audit(
        {
          ...(kind ? { kind } : {}),
          ...(resource ? { resource } : {}),
          ...(sinceS ? { since: new Date(Date.now() - sinceS * 1000).toISOString() } : {}),
          limit: PAGE,
        },
        s,
      ),
    5000,
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts from the first page
  useEffect(() => {
    setOlder([]);
    setCursor(undefined);
  }, [filterKey]);

  const next = cursor === undefined ? first.data?.next_before_id : cursor;
  async function loadOlder() {
    if (!next) return;
    const page = await api.audit({
      ...(kind ? { kind } : {}),
      ...(resource ? { resource } : {}),
      ...(sinceS ? { since: new Date(Date.now() - sinceS * 1000).toISOString() } : {}),
      limit: PAGE,
      before_id: next,
    });
    setOlder((xs) => [...xs, ...page.items]);
    setCursor(page.next_before_id ?? null);
  }

  const items = [...(first.data?.items ?? []), ...older.filter((o) => !first.data?.items.some((x) => x.id === o.id))];
  const toggle = (id: number) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <>
      <PageHead title="Audit log" sub="every change made through the API or this console" />
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ resource: resourceText.trim() });
        }}
      >
        <label className="visually-hidden" htmlFor="audit-kind">
          Kind
        </label>
        <select id="audit-kind" className="input" value={kind} onChange={(e) => setQuery({ kind: e.target.value })}>
          {KIND_FILTERS.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
        <label className="visually-hidden" htmlFor="audit-resource">
          Resource name or id
        </label>
        <input
          id="audit-resource"
          className="input search"
          type="search"
          placeholder="Resource name or id (Enter)"
          value={resourceText}
          onChange={(e) => setResourceText(e.target.value)}
        />
        <label className="visually-hidden" htmlFor="audit-since">
          Time
        </label>
        <select
          id="audit-since"
          className="input"
          value={sinceKey}
          onChange={(e) => setQuery({ since: e.target.value })}
        >
          {SINCE.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
        <button type="submit" className="btn">
          Filter
        </button>
        {kind || resource || sinceKey ? (
          <button
            type="button"
            className="btn ghost"
            onClick={() => {
              setResourceText("");
              setQuery({ kind: undefined, resource: undefined, since: undefined });
            }}
          >
            Clear
          </button>
        ) : null}
      </form>
      <ErrorAlert error={first.error} title="Audit log" />
      {first.loading && !first.data ? (
        <Loading what="the audit log" />
      ) : (
        <section className="panel">
          {items.length === 0 ? (
            <Empty title="No entry matches">Changes appear here as soon as they are made.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="grid" aria-label="Audit entries">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Who</th>
                    <th>Action</th>
                    <th>Kind</th>
                    <th>Resource</th>
                    <th>Path</th>
                    <th>
                      <span className="visually-hidden">Details</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((e) => {
                    const v = verb(e);
                    const isOpen = open.has(e.id);
                    return (
                      <Fragment key={e.id}>
                        <tr data-audit-id={e.id} data-kind={e.kind} data-resource={e.resource_name ?? ""}>
                          <td className="nowrap" title={e.at}>
                            {stamp(e.at)} <span className="cell-sub">{ago(e.at)}</span>
                          </td>
                          <td className="nowrap">
                            {e.actor.label} {e.source === "ui" ? <Badge tone="info">UI</Badge> : <Badge>API</Badge>}
                            <span className="cell-sub mono">
                              token {e.actor.id} · {e.actor.fingerprint}
                            </span>
                          </td>
                          <td>
                            <Badge tone={TONE[v] ?? "idle"}>{v}</Badge>
                          </td>
                          <td className="muted">{e.kind}</td>
                          <td>
                            <Resource e={e} />
                          </td>
                          <td className="mono faint wrap">
                            {e.method} {e.path}
                          </td>
                          <td className="actions">
                            <button
                              type="button"
                              className="btn small ghost"
                              aria-expanded={isOpen}
                              aria-controls={`audit-${e.id}`}
                              onClick={() => toggle(e.id)}
                            >
                              {isOpen ? "Hide" : "Changes"}
                            </button>
                          </td>
                        </tr>
                        {isOpen ? (
                          <tr id={`audit-${e.id}`}>
                            <td colSpan={7} style={{ padding: 0 }}>
                              <div className="change-head">
                                <span className="muted">before → after</span>
                                <span className="faint">status {e.status}</span>
                              </div>
                              <DiffLines lines={jsonDiff(e.before, e.after)} full />
                            </td>
                          </tr>
                        ) : null}
                      </Fragment>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          {next ? (
            <div className="panel-body">
              <button type="button" className="btn" onClick={loadOlder}>
                Load older entries
              </button>
            </div>
          ) : null}
        </section>
      )}
    </>
  );
}
