/**
 * The list of one config kind: search (in the URL, so a filtered view can be
 * shared), a kind-specific filter, sortable columns, edit and delete (with
 * confirmation). A kind this control plane does not serve says so.
 */
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../../api/client.ts";
import type {
  Certificate,
  Consumer,
  PathSpec,
  Policy,
  ResourceKind,
  ResourceOf,
  Route,
  Upstream,
} from "../../api/types.ts";
import { useConfirm } from "../../components/confirm.tsx";
import { useToast } from "../../components/toast.tsx";
import { Badge, Empty, ErrorAlert, Loading, PageHead } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { ago, stamp } from "../../lib/format.ts";
import { usePoll } from "../../lib/poll.ts";
import { Link, setQuery, useLocation } from "../../lib/router.tsx";
import { ConfigFrame } from "./config-nav.tsx";
import { KINDS } from "./kinds.ts";

type Any = ResourceOf[ResourceKind];

export function pathText(p: PathSpec): string {
  if (typeof p === "string") return `${p}*`;
  if ("exact" in p) return p.exact;
  if ("template" in p) return p.template;
  if ("regex" in p) return `~${p.regex}`;
  return `${p.prefix}*`;
}

/** Days until an ISO date (negative when past). */
function daysUntil(iso: string | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.floor((t - Date.now()) / 86_400_000);
}

interface Column {
  head: string;
  cell: (r: Any) => ReactNode;
  sort?: (r: Any) => string | number;
  className?: string;
}

interface Lookups {
  upstreams: Map<string, string>;
  policies: Map<string, string>;
  routes: Route[];
}

function usedBy(routes: Route[], pred: (r: Route) => boolean): ReactNode {
  const users = routes.filter(pred);
  if (users.length === 0) return <span className="faint">unused</span>;
  return (
    <span title={users.map((u) => u.name).join(", ")}>
      {users.length} route{users.length === 1 ? "" : "s"}
    </span>
  );
}

function columns(kind: ResourceKind, l: Lookups): Column[] {
  const updated: Column = {
    head: "Updated",
    cell: (r) => <span title={stamp(r.updated_at)}>{ago(r.updated_at)}</span>,
    sort: (r) => r.updated_at,
    className: "nowrap muted",
  };
  switch (kind) {
    case "routes":
      return [
        {
          head: "Match",
          cell: (x) => {
            const r = x as Route;
            return (
              <>
                {(r.methods ?? []).map((m) => (
                  <span key={m} className="method">
                    {m}
                  </span>
                ))}
                {(r.hosts ?? []).map((h) => (
                  <span key={h} className="chip">
                    {h}
                  </span>
                ))}
                {(r.paths ?? []).map((p) => (
                  <span key={pathText(p)} className="chip">
                    {pathText(p)}
                  </span>
                ))}
              </>
            );
          },
          className: "wrap",
        },
        {
          head: "Upstream",
          cell: (x) => {
            const r = x as Route;
            if (r.redirect) return `redirect ${r.redirect.status ?? 301}`;
            if (r.direct_response) return `answers ${r.direct_response.status}`;
            const name = l.upstreams.get(r.upstream ?? "");
            return name ? <Link to={`/config/upstreams/${encodeURIComponent(name)}`}>{name}</Link> : "—";
          },
          sort: (x) => l.upstreams.get((x as Route).upstream ?? "") ?? "",
        },
        {
          head: "Policies",
          cell: (x) =>
            (x as Route).policies?.length ? (
              (x as Route).policies!.map((p, i) => (
                <span key={p} className="chip" title={`runs ${i + 1}.`}>
                  {l.policies.get(p) ?? p}
                </span>
              ))
            ) : (
              <span className="faint">none</span>
            ),
        },
        {
          head: "Priority",
          cell: (x) => (x as Route).priority ?? 0,
          sort: (x) => (x as Route).priority ?? 0,
          className: "num",
        },
        updated,
      ];
    case "upstreams":
      return [
        {
          head: "Targets",
          cell: (x) => (
            <>
              {(x as Upstream).targets.slice(0, 4).map((t) => (
                <span key={`${t.host}:${t.port}`} className="chip" title={`weight ${t.weight ?? 100}`}>
                  {t.host}:{t.port}
                </span>
              ))}
              {(x as Upstream).targets.length > 4 ? (
                <span className="faint">+{(x as Upstream).targets.length - 4}</span>
              ) : null}
            </>
          ),
          sort: (x) => (x as Upstream).targets.length,
          className: "wrap",
        },
        {
          head: "Balancing",
          cell: (x) => ((x as Upstream).load_balancing ?? "round_robin").replace("_", " "),
          className: "nowrap",
        },
        { head: "Scheme", cell: (x) => (x as Upstream).scheme ?? "http" },
        { head: "Used by", cell: (x) => usedBy(l.routes, (r) => r.upstream === x.id) },
        updated,
      ];
    case "policies":
      return [
        { head: "Type", cell: (x) => <Badge tone="info">{(x as Policy).type}</Badge>, sort: (x) => (x as Policy).type },
        {
          head: "Settings",
          cell: (x) => {
            const p = x as Policy;
            const c = p.config as { jwks_url?: string; issuers?: string[]; algorithms?: string[]; jwks?: unknown };
            if (p.type === "jwt")
              return (
                <span className="muted">
                  {(c.algorithms ?? []).join(", ")} · {c.jwks_url ? c.jwks_url : c.jwks ? "inline JWKS" : "no keys"}
                  {c.issuers?.length ? ` · iss ${c.issuers.join(", ")}` : ""}
                </span>
              );
            return <span className="muted mono">{JSON.stringify(p.config).slice(0, 80)}</span>;
          },
          className: "wrap",
        },
        { head: "Used by", cell: (x) => usedBy(l.routes, (r) => (r.policies ?? []).includes(x.id)) },
        updated,
      ];
    case "consumers":
      return [
        {
          head: "Status",
          cell: (x) =>
            (x as Consumer).disabled ? <Badge tone="bad">disabled</Badge> : <Badge tone="ok">enabled</Badge>,
          sort: (x) => ((x as Consumer).disabled ? 1 : 0),
        },
        {
          head: "Tags",
          cell: (x) =>
            ((x as Consumer).tags ?? []).map((t) => (
              <span key={t} className="chip">
                {t}
              </span>
            )),
        },
        updated,
      ];
    case "certificates":
      return [
        {
          head: "SNI names",
          cell: (x) =>
            ((x as Certificate).snis ?? []).map((s) => (
              <span key={s} className="chip">
                {s}
              </span>
            )),
          className: "wrap",
        },
        {
          head: "Expires",
          cell: (x) => {
            const c = x as Certificate;
            const d = daysUntil(c.not_after);
            if (d === null) return <span className="faint">—</span>;
            const tone = d < 0 ? "bad" : d < 30 ? "warn" : "ok";
            return (
              <span title={stamp(c.not_after)}>
                <Badge tone={tone}>{d < 0 ? "expired" : `${d} d`}</Badge>
              </span>
            );
          },
          sort: (x) => (x as Certificate).not_after ?? "",
        },
        {
          head: "Fingerprint",
          cell: (x) => <span className="mono faint">{(x as Certificate).fingerprint_sha256?.slice(0, 16) ?? "—"}</span>,
        },
        updated,
      ];
  }
}

interface FilterSpec {
  label: string;
  options: Array<[string, string]>;
  keep: (r: Any, v: string) => boolean;
}

function filterOf(kind: ResourceKind, l: Lookups, items: Any[]): FilterSpec | null {
  switch (kind) {
    case "routes":
      return {
        label: "Upstream or policy",
        options: [
          ...[...l.upstreams].map(([id, n]) => [`u:${id}`, `upstream ${n}`] as [string, string]),
          ...[...l.policies].map(([id, n]) => [`p:${id}`, `policy ${n}`] as [string, string]),
        ],
        keep: (r, v) =>
          v.startsWith("u:")
            ? (r as Route).upstream === v.slice(2)
            : ((r as Route).policies ?? []).includes(v.slice(2)),
      };
    case "policies":
      return {
        label: "Type",
        options: [...new Set(items.map((p) => (p as Policy).type))].sort().map((t) => [t, t]),
        keep: (r, v) => (r as Policy).type === v,
      };
    case "consumers":
      return {
        label: "Status",
        options: [
          ["enabled", "enabled"],
          ["disabled", "disabled"],
        ],
        keep: (r, v) => !!(r as Consumer).disabled === (v === "disabled"),
      };
    case "certificates":
      return {
        label: "Expiry",
        options: [
          ["soon", "expires within 30 days"],
          ["expired", "expired"],
        ],
        keep: (r, v) => {
          const d = daysUntil((r as Certificate).not_after);
          return d !== null && (v === "expired" ? d < 0 : d < 30);
        },
      };
    default:
      return null;
  }
}

/** The list page of `kind`. */
export function ResourceListPage({ kind }: { kind: ResourceKind }) {
  const api = useApi();
  const confirm = useConfirm();
  const toast = useToast();
  const meta = KINDS[kind];
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const f = query.get("filter") ?? "";
  const highlight = query.get("highlight");
  const [search, setSearch] = useState(q);
  const [sort, setSort] = useState<{ col: number; dir: 1 | -1 } | null>(null);

  const items = usePoll(`list:${kind}`, (s) => api.list(kind, s), 5000);
  const needsRefs = kind === "routes" || kind === "upstreams" || kind === "policies";
  const upstreams = usePoll(
    `refs:upstreams:${needsRefs}`,
    (s) => (needsRefs ? api.list("upstreams", s) : Promise.resolve([])),
    needsRefs ? 5000 : 0,
  );
  const policies = usePoll(
    `refs:policies:${needsRefs}`,
    (s) => (needsRefs ? api.list("policies", s) : Promise.resolve([])),
    needsRefs ? 5000 : 0,
  );
  const routes = usePoll(
    `refs:routes:${needsRefs}`,
    (s) => (needsRefs ? api.list("routes", s) : Promise.resolve([])),
    needsRefs ? 5000 : 0,
  );

  const lookups = useMemo<Lookups>(
    () => ({
      upstreams: new Map((upstreams.data ?? []).map((u) => [u.id, u.name])),
      policies: new Map((policies.data ?? []).map((p) => [p.id, p.name])),
      routes: routes.data ?? [],
    }),
    [upstreams.data, policies.data, routes.data],
  );
  const all = (items.data ?? []) as Any[];
  // A reference the name lists do not know yet (created since they were last polled, e.g. the
  // policy made just before this route) would show as a bare id until the next poll: ask once
  // per set of unknown ids (a dangling id must not refetch on every render).
  const unknownRefs = [
    ...all.flatMap((r) => {
      const up = (r as Route).upstream;
      return up && upstreams.data !== undefined && !lookups.upstreams.has(up) ? [`u:${up}`] : [];
    }),
    ...all.flatMap((r) =>
      policies.data === undefined ? [] : ((r as Route).policies ?? []).filter((p) => !lookups.policies.has(p)),
    ),
  ].join(",");
  const askedFor = useRef("");
  useEffect(() => {
    if (unknownRefs === "" || unknownRefs === askedFor.current) return;
    askedFor.current = unknownRefs;
    upstreams.refresh();
    policies.refresh();
  }, [unknownRefs, upstreams, policies]);
  const cols = columns(kind, lookups);
  const filter = filterOf(kind, lookups, all);
  const shown = useMemo(() => {
    const needle = q.toLowerCase();
    let xs = all.filter((r) => !needle || JSON.stringify(r).toLowerCase().includes(needle));
    if (filter && f) xs = xs.filter((r) => filter.keep(r, f));
    if (sort) {
      const key = sort.col < 0 ? (r: Any) => r.name : cols[sort.col]!.sort!;
      xs = [...xs].sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        return (ka < kb ? -1 : ka > kb ? 1 : 0) * sort.dir;
      });
    }
    return xs;
  }, [all, q, f, filter, sort, cols]);

  async function remove(r: Any) {
    const ok = await confirm({
      title: `Delete ${meta.noun} ${r.name}?`,
      body: <p>The draft loses it at once; nodes keep it until the next version is published.</p>,
      confirm: `Delete ${meta.noun}`,
      danger: true,
    });
    if (!ok) return;
    try {
      await api.remove(kind, r.id);
      toast(`Deleted ${meta.noun} ${r.name}. Publish to apply it to the fleet.`);
      items.refresh();
    } catch (err) {
      toast((err as Error).message, "bad");
    }
  }

  const sortHead = (label: string, col: number) => (
    <button
      type="button"
      className="sort"
      onClick={() => setSort((s) => (s?.col === col ? { col, dir: s.dir === 1 ? -1 : 1 } : { col, dir: 1 }))}
      aria-label={`Sort by ${label}`}
    >
      {label}
      {sort?.col === col ? (sort.dir === 1 ? " ▲" : " ▼") : ""}
    </button>
  );

  const unavailable = items.error instanceof ApiError && items.error.unavailable;
  return (
    <ConfigFrame>
      <PageHead title={meta.title} sub={items.data ? `${all.length}` : undefined}>
        {!unavailable ? (
          <Link to={`/config/${kind}/new`} className="btn primary">
            New {meta.noun}
          </Link>
        ) : null}
      </PageHead>
      {unavailable ? (
        <div className="panel">
          <Empty title={`${meta.title} are not available on this control plane`}>
            This control plane does not serve <code>/v1/{kind}</code> yet.
          </Empty>
        </div>
      ) : items.loading && !items.data ? (
        <Loading what={meta.title.toLowerCase()} />
      ) : (
        <>
          <ErrorAlert error={items.error} title={meta.title} />
          <form
            className="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              setQuery({ q: search });
            }}
          >
            <label className="visually-hidden" htmlFor="list-search">
              Search {meta.title.toLowerCase()}
            </label>
            <input
              id="list-search"
              className="input search"
              type="search"
              placeholder={`Search ${meta.title.toLowerCase()}…`}
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setQuery({ q: e.target.value });
              }}
            />
            {filter?.options.length ? (
              <>
                <label className="visually-hidden" htmlFor="list-filter">
                  {filter.label}
                </label>
                <select
                  id="list-filter"
                  className="input"
                  value={f}
                  onChange={(e) => setQuery({ filter: e.target.value })}
                >
                  <option value="">{`Any ${filter.label.toLowerCase()}`}</option>
                  {filter.options.map(([v, label]) => (
                    <option key={v} value={v}>
                      {label}
                    </option>
                  ))}
                </select>
              </>
            ) : null}
            <span className="grow" />
            <span className="faint">
              {shown.length === all.length
                ? `${all.length} ${meta.title.toLowerCase()}`
                : `${shown.length} of ${all.length}`}
            </span>
          </form>
          <div className="panel">
            {all.length === 0 ? (
              <Empty title={`No ${meta.title.toLowerCase()} yet`}>
                <p>{meta.blurb}</p>
                <Link to={`/config/${kind}/new`} className="btn primary">
                  New {meta.noun}
                </Link>
              </Empty>
            ) : shown.length === 0 ? (
              <Empty title={`No ${meta.noun} matches`} />
            ) : (
              <div className="table-wrap">
                <table className="grid" aria-label={meta.title}>
                  <thead>
                    <tr>
                      <th>{sortHead("Name", -1)}</th>
                      {cols.map((c, i) => (
                        <th key={c.head} className={c.className?.includes("num") ? "num" : undefined}>
                          {c.sort ? sortHead(c.head, i) : c.head}
                        </th>
                      ))}
                      <th>
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((r) => (
                      <tr key={r.id} className={highlight === r.name ? "selected" : undefined} data-name={r.name}>
                        <td className="nowrap">
                          <Link to={`/config/${kind}/${encodeURIComponent(r.name)}`}>
                            <strong>{r.name}</strong>
                          </Link>
                        </td>
                        {cols.map((c) => (
                          <td key={c.head} className={c.className}>
                            {c.cell(r)}
                          </td>
                        ))}
                        <td className="actions">
                          <Link to={`/config/${kind}/${encodeURIComponent(r.name)}`} className="btn small ghost">
                            Edit
                          </Link>
                          <button
                            type="button"
                            className="btn small ghost danger-text"
                            onClick={() => remove(r)}
                            aria-label={`Delete ${meta.noun} ${r.name}`}
                          >
                            Delete
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        </>
      )}
    </ConfigFrame>
  );
}
