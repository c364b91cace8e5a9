/**
 * The security page's event table as data: the filter its URL asks for, how live events merge
 * into the rows, and how a severity reads.
 */
import type { SecurityEventItem, SecurityEventQuery } from "../api/types.ts";
import type { Tone } from "../components/ui.tsx";

/** The event categories (@palisade/events), in the schema's order. */
export const CATEGORIES = ["policy_denial", "waf", "anomaly", "config", "siem"] as const;

/** Time windows the page offers, in ms. */
export const WINDOWS: Record<string, number> = {
  "15m": 15 * 60_000,
  "1h": 3600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
};

/** Most rows kept on screen (older ones are a click away). */
export const MAX_ROWS = 300;

/** The filter the URL asks for (`ev_` prefix: the page's other controls use `scope`). */
export function filterFromQuery(q: URLSearchParams, now = Date.now()): SecurityEventQuery {
  const f: SecurityEventQuery = {};
  for (const k of ["category", "type", "node", "region", "route", "client"] as const) {
    const v = q.get(`ev_${k}`)?.trim();
    if (v) f[k] = v;
  }
  const w = WINDOWS[q.get("ev_window") ?? "24h"];
  if (w) f.since = new Date(now - w).toISOString();
  return f;
}

/** Colour of an event by its syslog severity (0 emergency … 7 debug). */
export function severityTone(severity: number): Tone {
  if (severity <= 3) return "bad";
  if (severity === 4) return "warn";
  if (severity === 5) return "info";
  return "idle";
}

/** Keeps `items` newest first without repeats (by seq), at most MAX_ROWS. */
export function mergeEvents(current: SecurityEventItem[], incoming: SecurityEventItem[]): SecurityEventItem[] {
  const seen = new Set(current.map((e) => e.seq));
  const fresh = incoming.filter((e) => !seen.has(e.seq));
  const all = [...fresh, ...current];
  all.sort((a, b) => Date.parse(b.event["@timestamp"]) - Date.parse(a.event["@timestamp"]) || b.seq - a.seq);
  return all.slice(0, MAX_ROWS);
}
