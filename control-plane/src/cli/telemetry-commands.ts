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
    palisade: { category: string };
  };
}

const EVENT_COLUMNS: readonly Column[] = [
  { head: "time", cell: (r) => (r as unknown as EventItem).event["@timestamp"] },
  { head: "category", cell: (r) => (r as unknown as EventItem).event.palisade.category },
  { head: "type", cell: (r) => (r as unknown as EventItem).event.event.action },
  { head: "node", cell: (r) => (r as unknown as EventItem).event.labels.node },
  { head: "route", cell: (r) => (r as unknown as EventItem).event.labels.route },
  { head: "client", cell: (r) => (r as unknown as EventItem).event.source?.ip },
  { head: "rule", cell: (r) => (r as unknown as EventItem).event.rule?.id },
  { head: "message", cell: (r) => (r as unknown as EventItem).event.message },
];

function usage(message: string): CliError {
  return new CliError("USAGE", message);
}

/**
 * `palisadectl events [filter=value ...] [--limit N]`: the newest security events, filtered as
 * `GET /v1/security-events` filters them (`category=waf,anomaly node=edge-1 since=2026-…`).
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
  if (json) io.out(JSON.stringify(page, null, 2));
  else io.out(table(page.items as unknown as Record<string, unknown>[], EVENT_COLUMNS));
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
