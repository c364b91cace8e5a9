import { dump } from "js-yaml";

/** Where the CLI writes: stdout for results, stderr for errors (tests capture both). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** A column of a table: its heading and how to read the cell from a row. */
export interface Column {
  readonly head: string;
  readonly cell: (row: Record<string, unknown>) => unknown;
}

/** Renders rows as an aligned plain-text table (kubectl style); `-` for an absent cell. */
export function table(rows: readonly Record<string, unknown>[], columns: readonly Column[]): string {
  const cells = rows.map((r) => columns.map((c) => show(c.cell(r))));
  const widths = columns.map((c, i) => Math.max(c.head.length, ...cells.map((r) => r[i]!.length)));
  const line = (xs: readonly string[]) =>
    xs
      .map((x, i) => (i === xs.length - 1 ? x : x.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.head.toUpperCase())), ...cells.map(line)].join("\n");
}

/** A value as YAML (the human form of `get <kind> <name>`, `dump`): block style, no line folding. */
export function yamlOf(value: unknown): string {
  return dump(value, { noRefs: true, lineWidth: -1 }).trimEnd();
}

function show(v: unknown): string {
  if (v === undefined || v === null || v === "") return "-";
  if (Array.isArray(v)) return v.length === 0 ? "-" : v.map(show).join(",");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const col = (head: string, cell: Column["cell"]): Column => ({ head, cell });
const field = (head: string, key: string): Column => col(head, (r) => r[key]);
const fixed = (n: unknown, digits: number) => (typeof n === "number" ? n.toFixed(digits) : undefined);
const report = (r: Record<string, unknown>) => (r.report ?? {}) as Record<string, unknown>;

/** Columns of `palisadectl get <kind>` per kind; other kinds print name and id. */
export const COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  upstreams: [
    field("name", "name"),
    col("targets", (r) => ((r.targets as { host: string; port: number }[]) ?? []).map((t) => `${t.host}:${t.port}`)),
    col("load balancing", (r) => r.load_balancing ?? "round_robin"),
  ],
  routes: [
    field("name", "name"),
    field("hosts", "hosts"),
    col("paths", (r) => ((r.paths as Record<string, string>[]) ?? []).map((p) => Object.values(p).join(""))),
    field("upstream", "upstream"),
    field("policies", "policies"),
  ],
  policies: [field("name", "name"), field("type", "type")],
  consumers: [field("name", "name"), field("id", "id")],
  certificates: [field("name", "name"), field("snis", "snis"), field("not after", "not_after")],
  nodes: [
    field("id", "id"),
    field("region", "region"),
    field("status", "status"),
    field("version", "applied_version"),
    field("lag", "lag"),
    col("req/s", (r) => fixed(report(r).requests_per_s, 1)),
    col("5xx/s", (r) => fixed(report(r).status_5xx_per_s, 1)),
    col("p99 ms", (r) => fixed(report(r).latency_p99_ms, 1)),
    col("last nack", (r) => {
      const n = r.last_nack as { code?: string; kind?: string } | null;
      return n ? `${n.code} (${n.kind === "node_fault" ? "node fault" : "config"})` : undefined;
    }),
  ],
  regions: [
    field("region", "region"),
    field("nodes", "nodes"),
    field("connected", "connected"),
    col("req/s", (r) => fixed(report(r).requests_per_s, 1)),
    col("error rate", (r) => fixed(report(r).error_rate, 4)),
  ],
  versions: [
    field("version", "version"),
    field("created", "created_at"),
    col("hash", (r) => String(r.hash ?? "").slice(0, 12)),
    field("message", "message"),
  ],
  rollouts: [
    field("id", "id"),
    field("version", "version"),
    field("from", "previous_version"),
    field("state", "state"),
    col("stage", (r) => {
      const stages = (r.stages as { name: string }[] | undefined) ?? [];
      const i = r.current_stage;
      return typeof i === "number" && stages[i] ? `${i + 1}/${stages.length} ${stages[i]!.name}` : undefined;
    }),
    field("created", "created_at"),
  ],
  tokens: [
    field("id", "id"),
    field("name", "name"),
    field("role", "role"),
    field("state", "state"),
    field("regions", "regions"),
    field("route prefixes", "route_prefixes"),
    field("expires", "expires_at"),
    field("last used", "last_used_at"),
  ],
  roles: [field("name", "name"), col("builtin", (r) => (r.builtin ? "yes" : "")), field("permissions", "permissions")],
  "rule-sets": [
    col("name", (r) => `${r.name}${r.default ? " (default)" : ""}`),
    field("crs", "crs_version"),
    field("rules", "rules"),
    field("bytes", "bytes"),
    col("hash", (r) => String(r.content_hash ?? "").slice(0, 12)),
    field("used by", "used_by"),
  ],
  audit: [
    field("at", "at"),
    col("who", (r) => (r.actor as { label?: string } | undefined)?.label),
    col("role", (r) => (r.actor as { role?: string } | undefined)?.role),
    col("action", (r) => `${r.method} ${r.path}`),
    field("status", "status"),
    field("resource", "resource_name"),
  ],
};

/** What `POST /v1/config/versions` answers besides the version row. */
export interface PublishAnswer {
  readonly version: number;
  readonly created?: boolean;
  readonly warnings?: readonly { code: string; message: string }[];
  readonly warnings_total?: number;
  readonly warnings_complete?: boolean;
}

/** A publish answer's warnings, one line each on standard error. */
export function printPublishWarnings(io: CliIo, answer: PublishAnswer): void {
  const list = answer.warnings ?? [];
  for (const w of list) io.err(`warning: ${w.code}: ${w.message}`);
  const more = (answer.warnings_total ?? list.length) - list.length;
  const atLeast = answer.warnings_complete === false ? "at least " : "";
  if (more > 0) io.err(`warning: ${atLeast}${more} more route pairs like these`);
}
