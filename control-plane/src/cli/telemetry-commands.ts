import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type AdminClient, CliError } from "./admin-client.js";
import { type CliIo, type Column, table, yamlOf } from "./output.js";

/** Query names `palisadectl events` passes through (`GET /v1/security-events`). */
const EVENT_FILTERS = new Set([
  "category",
  "type",
  "route",
  "node",
  "region",
  "client",
  "consumer",
  "rule_id",
  "since",
  "until",
]);

interface EventItem {
  seq: number;
  event: {
    "@timestamp": string;
    message: string;
    event: { action: string };
    labels: { node: string; route?: string };
    source?: { ip?: string };
    rule?: { id?: string };
    palisade: { category: string; waf?: { rule_ids?: number[] } };
  };
}

/** One table row: the event and its route's name (the event carries the route's id). */
interface EventRow {
  readonly item: EventItem;
  readonly route: string | undefined;
}

/**
 * CRS's evaluation and reporting rules (949/959 blocking evaluation, 980 correlation): the rule
 * that decides a block, never the attack. The table shows the matched attack rules instead.
 */
const EVALUATION_RULE = /^9(49|59|80)\d{3}$/;
/** Matched rules shown per WAF event before "+N". */
const RULES_SHOWN = 3;

/** The rule column: a WAF event's attack rules (`942100,942190 +2`), else the event's rule id. */
function ruleCell(e: EventItem["event"]): string | undefined {
  const ids = e.palisade.waf?.rule_ids?.map(String).filter((id) => !EVALUATION_RULE.test(id));
  if (ids === undefined || ids.length === 0) return e.rule?.id;
  const more = ids.length > RULES_SHOWN ? ` +${ids.length - RULES_SHOWN}` : "";
  return ids.slice(0, RULES_SHOWN).join(",") + more;
}

const row = (r: Record<string, unknown>) => r as unknown as EventRow;
const EVENT_COLUMNS: readonly Column[] = [
  { head: "time", cell: (r) => row(r).item.event["@timestamp"] },
  { head: "category", cell: (r) => row(r).item.event.palisade.category },
  { head: "type", cell: (r) => row(r).item.event.event.action },
  { head: "node", cell: (r) => row(r).item.event.labels.node },
  { head: "route", cell: (r) => row(r).route },
  { head: "client", cell: (r) => row(r).item.event.source?.ip },
  { head: "rule", cell: (r) => ruleCell(row(r).item.event) },
  { head: "message", cell: (r) => row(r).item.event.message },
];

/**
 * Route names for the route ids events carry, one `GET /v1/routes/{id}` per distinct id; an id
 * whose route is gone (or unreadable with this token) stays as it is.
 */
async function routeNames(api: AdminClient, items: readonly EventItem[]): Promise<Map<string, string>> {
  const ids = [...new Set(items.map((i) => i.event.labels.route).filter((id): id is string => !!id))];
  const names = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        const r = await api.request<{ name?: string }>("GET", `/v1/routes/${encodeURIComponent(id)}`);
        if (typeof r.name === "string") names.set(id, r.name);
      } catch {
        // deleted since, or not readable: the id is shown
      }
    }),
  );
  return names;
}

function usage(message: string): CliError {
  return new CliError("USAGE", message);
}

/**
 * `palisadectl events [filter=value ...] [--limit N]`: the newest security events, filtered as
 * `GET /v1/security-events` filters them (`category=waf,anomaly node=edge-1 since=2026-…`). The
 * table names routes (events carry ids) and shows a WAF event's matched attack rules rather than
 * CRS's blocking evaluation 949110; `-o json` prints the events as the API returns them.
 */
export async function eventsCommand(
  api: AdminClient,
  args: readonly string[],
  limit: string | undefined,
  json: boolean,
  io: CliIo,
): Promise<void> {
  const q = new URLSearchParams();
  for (const a of args) {
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(0, eq) : "";
    if (!EVENT_FILTERS.has(key))
      throw usage(
        `events takes filters as name=value, names: ${[...EVENT_FILTERS].join(", ")}; not ${JSON.stringify(a)}`,
      );
    q.set(key, a.slice(eq + 1));
  }
  if (limit !== undefined) q.set("limit", limit);
  const page = await api.request<{ items: EventItem[]; next_cursor: string | null }>(
    "GET",
    `/v1/security-events${q.size > 0 ? `?${q}` : ""}`,
  );
  if (json) {
    io.out(JSON.stringify(page, null, 2));
    return;
  }
  const names = await routeNames(api, page.items);
  const rows: EventRow[] = page.items.map((item) => {
    const id = item.event.labels.route;
    return { item, route: id === undefined ? undefined : (names.get(id) ?? id) };
  });
  io.out(table(rows as unknown as Record<string, unknown>[], EVENT_COLUMNS));
}

/**
 * `palisadectl telemetry` shows the telemetry config (secrets `[redacted]`);
 * `palisadectl telemetry set -f FILE [--publish] [-m MSG]` replaces it with the file's (YAML or
 * JSON, the `PUT /v1/telemetry` body; `[redacted]` keeps a stored secret).
 */
export async function telemetryCommand(
  api: AdminClient,
  args: readonly string[],
  o: { file?: string | undefined; publish?: boolean | undefined; message?: string | undefined },
  json: boolean,
  io: CliIo,
): Promise<void> {
  const print = (v: unknown) => io.out(json ? JSON.stringify(v, null, 2) : yamlOf(v));
  if (args.length === 0) {
    print(await api.request("GET", "/v1/telemetry"));
    return;
  }
  if (args[0] !== "set") throw usage("telemetry takes no argument, or: telemetry set -f <file>");
  if (!o.file) throw usage("telemetry set needs -f <file> (or -f - for standard input)");
  let body: unknown;
  try {
    body = parseYaml(readFileSync(o.file === "-" ? 0 : o.file, "utf8"));
  } catch (err) {
    throw usage(`cannot read ${o.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const saved = await api.request("PUT", "/v1/telemetry", body ?? {});
  if (!json) io.out("telemetry configured");
  if (o.publish) {
    const pub = await api.request<{ version: number }>("POST", "/v1/config/versions", { message: o.message ?? "" });
    if (json) io.out(JSON.stringify({ telemetry: saved, published: pub }, null, 2));
    else io.out(`published v${pub.version}`);
  } else if (json) print(saved);
}
