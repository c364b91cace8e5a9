import { type AdminClient, CliError } from "./admin-client.js";
import { type CliIo, type Column, table, yamlOf } from "./output.js";

const TARGET_TYPES = new Set(["address", "consumer", "credential"]);

const DECISION_COLUMNS: readonly Column[] = [
  { head: "target", cell: (r) => `${r.target_type}:${r.target_id}` },
  { head: "action", cell: (r) => r.action },
  { head: "expires", cell: (r) => r.expires_at },
  { head: "source", cell: (r) => r.kind },
  { head: "why", cell: (r) => r.explanation },
];

const DETECTION_COLUMNS: readonly Column[] = [
  { head: "time", cell: (r) => r.detected_at },
  { head: "kind", cell: (r) => r.kind },
  { head: "scope", cell: (r) => `${r.level}:${r.scope}` },
  { head: "score", cell: (r) => r.score },
  { head: "explanation", cell: (r) => r.explanation },
];

function usage(message: string): CliError {
  return new CliError("USAGE", message);
}

/** The text after `anomalies` in `palisadectl --help`. */
export const ANOMALY_USAGE = `  anomalies [status]                      anomaly detection: mode and counters
  anomalies detections [--limit N]        newest detections (with their explanation)
  anomalies decisions                     the deny list: decisions in force on every node
  anomalies block <address|consumer> <id> [--ttl SECONDS] [--throttle RATE]
                  [-m REASON]             deny (or throttle to RATE requests/s) a client on
                                          every node (default 900 s)
  anomalies unblock <address|consumer|credential> <id>
                                          lift the decision on a client on every node`;

/**
 * `palisadectl anomalies …`: the `/v1/anomalies` admin API (control-plane README "Anomaly
 * detection"): status, detections, the deny list, manual block and unblock.
 */
export async function anomaliesCommand(
  api: AdminClient,
  args: readonly string[],
  o: {
    ttl?: string | undefined;
    throttle?: string | undefined;
    message?: string | undefined;
    limit?: string | undefined;
  },
  json: boolean,
  io: CliIo,
): Promise<void> {
  const print = (v: unknown) => io.out(json ? JSON.stringify(v, null, 2) : yamlOf(v));
  const sub = args[0] ?? "status";
  switch (sub) {
    case "status":
      print(await api.request("GET", "/v1/anomalies"));
      return;
    case "detections": {
      const q = o.limit ? `?limit=${encodeURIComponent(o.limit)}` : "";
      const r = await api.request<{ items: Record<string, unknown>[] }>("GET", `/v1/anomalies/detections${q}`);
      io.out(json ? JSON.stringify(r, null, 2) : table(r.items, DETECTION_COLUMNS));
      return;
    }
    case "decisions": {
      const r = await api.request<{ items: Record<string, unknown>[] }>("GET", "/v1/anomalies/decisions");
      io.out(json ? JSON.stringify(r, null, 2) : table(r.items, DECISION_COLUMNS));
      return;
    }
    case "block": {
      const [type, id] = [args[1], args[2]];
      if (!type || (type !== "address" && type !== "consumer") || !id)
        throw usage("anomalies block <address|consumer> <id>");
      const body: Record<string, unknown> = { target_type: type, target_id: id };
      if (o.ttl !== undefined) {
        const ttl = Number(o.ttl);
        if (!Number.isInteger(ttl) || ttl < 1) throw usage("--ttl must be a whole number of seconds");
        body.ttl_s = ttl;
      }
      if (o.throttle !== undefined) {
        const rate = Number(o.throttle);
        if (!(rate > 0)) throw usage("--throttle must be a rate in requests/s");
        body.action = "throttle";
        body.rate_per_s = rate;
      }
      if (o.message) body.reason = o.message;
      const d = await api.request<Record<string, unknown>>("POST", "/v1/anomalies/decisions", body);
      if (json) print(d);
      else io.out(`${d.action} ${type}:${id} on every node until ${d.expires_at}`);
      return;
    }
    case "unblock": {
      const [type, id] = [args[1], args[2]];
      if (!type || !TARGET_TYPES.has(type) || !id) throw usage("anomalies unblock <address|consumer|credential> <id>");
      await api.request("DELETE", `/v1/anomalies/decisions/${type}/${encodeURIComponent(id)}`);
      if (json) print({ unblocked: `${type}:${id}` });
      else io.out(`${type}:${id} unblocked on every node`);
      return;
    }
    default:
      throw usage("anomalies takes: status, detections, decisions, block, unblock");
  }
}
