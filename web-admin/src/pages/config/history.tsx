/**
 * History: every published version with who published it (from the audit log),
 * when, its message, what it changed against the one before, how many nodes run
 * it, and a diff between any two versions (or a version and the draft).
 */
import { useMemo } from "react";
import type { AuditEntry } from "../../api/types.ts";
import { ChangeList } from "../../components/diff-view.tsx";
import { Badge, Empty, ErrorAlert, Loading, PageHead } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { snapshotDiff, summarize } from "../../lib/diff.ts";
import { ago, shortHash, stamp } from "../../lib/format.ts";
import { usePoll } from "../../lib/poll.ts";
import { setQuery, useLocation } from "../../lib/router.tsx";
import { useVersionDetails } from "../../lib/versions.ts";
import { ConfigTabs, useDraft } from "./config-nav.tsx";

const SHOW = 50;

function who(e: AuditEntry | undefined): string {
  if (!e) return "—";
  return `${e.actor.label}${e.source === "ui" ? " (UI)" : ""}`;
}

export function HistoryPage() {
  const api = useApi();
  const draft = useDraft();
  const { query } = useLocation();
  const versions = usePoll("versions", (s) => api.versionList(200, s), 10_000);
  const publishes = usePoll("audit:publishes", (s) => api.audit({ kind: "config/versions", limit: 1000 }, s), 10_000);
  const nodes = usePoll("history:nodes", (s) => api.nodes(s), 5000);

  const list = versions.data?.items ?? [];
  // What nodes outside a rollout run (the latest unless it was published without deploying).
  const stable = versions.data?.stable_version;
  const latest = list[0]?.version ?? 0;
  const toParam = query.get("to");
  const to: number | "draft" = toParam === "draft" ? "draft" : Number(toParam) || latest;
  const fromParam = Number(query.get("from"));
  const from = fromParam || (typeof to === "number" ? to - 1 : latest);

  const visible = list.slice(0, SHOW).map((v) => v.version);
  const wanted = [...new Set([...visible, ...visible.map((n) => n - 1), from, typeof to === "number" ? to : 0])].filter(
    (n) => n > 0 && n <= latest,
  );
  const details = useVersionDetails(api, wanted);

  const byVersion = useMemo(() => {
    const m = new Map<string, AuditEntry>();
    for (const e of publishes.data?.items ?? []) if (e.resource_id && !m.has(e.resource_id)) m.set(e.resource_id, e);
    return m;
  }, [publishes.data]);
  const running = useMemo(() => {
    const m = new Map<number, number>();
    for (const n of nodes.data ?? []) if (n.connected) m.set(n.applied_version, (m.get(n.applied_version) ?? 0) + 1);
    return m;
  }, [nodes.data]);

  const fromSnap = from > 0 ? details.get(from)?.snapshot : null;
  const toSnap = to === "draft" ? draft.data?.snapshot : details.get(to)?.snapshot;
  const ready = (from === 0 || fromSnap) && toSnap;
  const diff = useMemo(() => (ready ? snapshotDiff(fromSnap ?? null, toSnap) : null), [ready, fromSnap, toSnap]);

  if (versions.loading && !versions.data) return <Loading what="the history" />;
  return (
    <>
      <ConfigTabs draft={draft.data} />
      <PageHead title="History" sub={`${list.length} version${list.length === 1 ? "" : "s"}`} />
      <ErrorAlert error={versions.error} />
      {list.length === 0 ? (
        <div className="panel">
          <Empty title="Nothing published yet">Publish the draft from the Changes tab to make version v1.</Empty>
        </div>
      ) : (
        <>
          <section className="panel">
            <div className="table-wrap">
              <table className="grid" aria-label="Versions">
                <thead>
                  <tr>
                    <th title="Compare from">From</th>
                    <th title="Compare to">To</th>
                    <th>Version</th>
                    <th>Message</th>
                    <th>Changes</th>
                    <th>Published by</th>
                    <th>When</th>
                    <th className="num">Nodes</th>
                    <th>Hash</th>
                  </tr>
                </thead>
                <tbody>
                  <tr className={to === "draft" ? "selected" : undefined}>
                    <td />
                    <td>
                      <input
                        type="radio"
                        name="to"
                        aria-label="Compare to the draft"
                        checked={to === "draft"}
                        onChange={() => setQuery({ to: "draft", from: String(latest) })}
                      />
                    </td>
                    <td>
                      <Badge tone={draft.data?.changed ? "warn" : "idle"}>draft</Badge>
                    </td>
                    <td className="muted" colSpan={6}>
                      {draft.data?.changed ? "unpublished changes" : "same as the latest version"}
                    </td>
                  </tr>
                  {list.slice(0, SHOW).map((v) => {
                    const e = byVersion.get(String(v.version));
                    const prev = details.get(v.version - 1);
                    const cur = details.get(v.version);
                    const what =
                      cur && (v.version === 1 || prev)
                        ? summarize(snapshotDiff(prev?.snapshot ?? null, cur.snapshot))
                        : "…";
                    const selected = v.version === from || v.version === to;
                    return (
                      <tr key={v.version} className={selected ? "selected" : undefined} data-version={v.version}>
                        <td>
                          <input
                            type="radio"
                            name="from"
                            aria-label={`Compare from v${v.version}`}
                            checked={from === v.version}
                            disabled={typeof to === "number" && v.version >= to}
                            onChange={() => setQuery({ from: String(v.version), to: String(to) })}
                          />
                        </td>
                        <td>
                          <input
                            type="radio"
                            name="to"
                            aria-label={`Compare to v${v.version}`}
                            checked={to === v.version}
                            onChange={() =>
                              setQuery({ to: String(v.version), from: String(Math.min(from, v.version - 1)) })
                            }
                          />
                        </td>
                        <td className="mono nowrap">
                          v{v.version} {v.version === latest ? <Badge tone="info">latest</Badge> : null}{" "}
                          {v.version === stable ? (
                            <Badge tone="ok" title="What every node outside a rollout runs">
                              stable
                            </Badge>
                          ) : null}
                        </td>
                        <td className="wrap">{v.message || <span className="faint">no message</span>}</td>
                        <td className="muted nowrap">{what}</td>
                        <td className="nowrap">{who(e)}</td>
                        <td className="nowrap muted" title={stamp(v.created_at)}>
                          {ago(v.created_at)}
                        </td>
                        <td className="num">{running.get(v.version) ?? 0}</td>
                        <td className="mono faint">{shortHash(v.hash)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
          <section className="panel" aria-label="Version diff">
            <div className="panel-head">
              <h2>
                {from > 0 ? `v${from}` : "empty"} → {to === "draft" ? "draft" : `v${to}`}
              </h2>
              <span className="muted">{diff ? summarize(diff) : ""}</span>
            </div>
            {!diff ? (
              <Loading what="the versions" />
            ) : diff.length === 0 ? (
              <Empty title="No differences" />
            ) : (
              <ChangeList changes={diff} />
            )}
          </section>
        </>
      )}
    </>
  );
}
