/**
 * Fleet view logic: a node's state, region summaries, and time series from node
 * reports. Reports come from the API (`report`, `history` on nodes; `/v1/regions`);
 * while a page is open every polled `report` is also kept here (a bounded ring per
 * node), so charts fill in even where the API keeps no history. Everything
 * degrades to "no reports" when the control plane sends none.
 */
import type { FleetNode, Region, Report } from "../api/types.ts";
import type { Tone } from "../components/ui.tsx";

/** How a node stands with the control plane. */
export function nodeState(n: FleetNode): { label: string; tone: Tone } {
  if (n.revoked) return { label: "revoked", tone: "bad" };
  if (!n.connected) return { label: "disconnected", tone: "bad" };
  if (n.stale) return { label: "stale", tone: "warn" };
  return { label: "connected", tone: "ok" };
}

/**
 * Whether a node runs the version it should: its `desired_version` (the stable version, or its
 * rollout assignment) when the control plane serves rollouts, else the latest version.
 */
export function onDesired(n: FleetNode): boolean {
  return n.desired_version !== undefined ? n.applied_version === n.desired_version : n.in_sync;
}

/**
 * Whether a node is on the version it should run, moving to another (a rollout, a rollback,
 * a publish to all), held back, refused it (the config is at fault), or could not apply it
 * (a node fault: a resync may help).
 */
export function syncState(n: FleetNode): { label: string; tone: Tone } {
  if (n.latest_version === 0) return { label: "no version yet", tone: "idle" };
  if (n.last_nack && n.last_nack.version > n.applied_version)
    return n.last_nack.kind === "node_fault" ? { label: "node fault", tone: "bad" } : { label: "refused", tone: "bad" };
  if (onDesired(n)) return { label: "in sync", tone: "ok" };
  if (n.held_back) return { label: "held back", tone: "warn" };
  if (n.desired_version !== undefined)
    return n.desired_version > n.applied_version
      ? { label: "rolling out", tone: "info" }
      : { label: "rolling back", tone: "warn" };
  return { label: `${n.lag} behind`, tone: "warn" };
}

const MAX_POINTS = 360;
const samples = new Map<string, Report[]>();

/** Appends a report; each change makes a new array, so memoised charts see new data. */
function push(key: string, r: Report): void {
  const list = samples.get(key) ?? [];
  const last = list.at(-1);
  if (last && Date.parse(last.at) >= Date.parse(r.at)) return;
  samples.set(key, [...list.slice(-(MAX_POINTS - 1)), r]);
}

/** Keeps each node's latest report (called on every poll of the fleet). */
export function recordNodeReports(nodes: FleetNode[]): void {
  for (const n of nodes) if (n.report?.at) push(`node:${n.id}`, n.report);
}

/** Keeps each region's latest report. */
export function recordRegionReports(regions: Region[]): void {
  for (const r of regions) if (r.report?.at) push(`region:${r.region}`, r.report);
}

function merged(history: Report[] | undefined, key: string): Report[] {
  const mine = samples.get(key) ?? [];
  if (!history?.length) return mine;
  const lastServer = Date.parse(history.at(-1)!.at);
  return [...history, ...mine.filter((r) => Date.parse(r.at) > lastServer)];
}

/** A node's reports, oldest first: the API's history, then what this page saw since. */
export function nodeSeries(n: FleetNode): Report[] {
  return merged(n.history, `node:${n.id}`);
}

/** A region's reports, oldest first. */
export function regionSeries(r: Region): Report[] {
  return merged(r.history, `region:${r.region}`);
}

/** Whether any node has sent a report. */
export function hasReports(nodes: FleetNode[]): boolean {
  return nodes.some((n) => n.report || n.history?.length);
}

/** Times (s) and one field of reports, for a chart. */
export function column(reports: Report[], pick: (r: Report) => number | undefined): [number[], Array<number | null>] {
  return [reports.map((r) => Date.parse(r.at) / 1000), reports.map((r) => pick(r) ?? null)];
}

/** Denials per second by reason of one report (security events over its interval). */
export function eventRates(r: Report): Record<string, number> {
  const out: Record<string, number> = {};
  const interval = r.interval_s && r.interval_s > 0 ? r.interval_s : 1;
  for (const [k, v] of Object.entries(r.security_events ?? {})) out[k] = v / interval;
  return out;
}

/**
 * Sums node reports into one report per time bucket (`bucketS` seconds): each
 * node's reports in a bucket are first merged (a node reporting every 2 s has
 * several), then the nodes are added up (see sumReports).
 */
export function aggregate(series: Report[][], bucketS = 5): Report[] {
  const buckets = new Map<number, Report[]>();
  for (const list of series) {
    const mine = new Map<number, Report[]>();
    for (const r of list) {
      const b = Math.floor(Date.parse(r.at) / 1000 / bucketS) * bucketS;
      mine.set(b, [...(mine.get(b) ?? []), r]);
    }
    for (const [b, xs] of mine) buckets.set(b, [...(buckets.get(b) ?? []), mergeInTime(xs)]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([b, xs]) => sumReports(xs, new Date(b * 1000).toISOString()));
}

function weightedBy(xs: Report[], pick: (r: Report) => number | undefined): number | undefined {
  const known = xs.filter((r) => pick(r) !== undefined);
  if (known.length === 0) return undefined;
  const w = known.reduce((s, r) => s + (r.rps ?? 0), 0);
  return w > 0
    ? known.reduce((s, r) => s + pick(r)! * (r.rps ?? 0), 0) / w
    : known.reduce((s, r) => s + pick(r)!, 0) / known.length;
}

function addEvents(xs: Report[]): Record<string, number> {
  const events: Record<string, number> = {};
  for (const r of xs) for (const [k, v] of Object.entries(r.security_events ?? {})) events[k] = (events[k] ?? 0) + v;
  return events;
}

function withRates(out: Report, xs: Report[]): Report {
  const e4 = weightedBy(xs, (r) => r.error_rate_4xx);
  const e5 = weightedBy(xs, (r) => r.error_rate_5xx);
  const p50 = weightedBy(xs, (r) => r.p50_ms);
  const p99 = weightedBy(xs, (r) => r.p99_ms);
  if (e4 !== undefined) out.error_rate_4xx = e4;
  if (e5 !== undefined) out.error_rate_5xx = e5;
  if (p50 !== undefined) out.p50_ms = p50;
  if (p99 !== undefined) out.p99_ms = p99;
  return out;
}

/** One node's consecutive reports as one: mean rates, events added up over the summed interval. */
function mergeInTime(xs: Report[]): Report {
  if (xs.length === 1) return xs[0]!;
  const rps = xs.reduce((s, r) => s + (r.rps ?? 0), 0) / xs.length;
  const interval_s = xs.reduce((s, r) => s + (r.interval_s ?? 1), 0);
  return withRates({ at: xs.at(-1)!.at, interval_s, rps, security_events: addEvents(xs) }, xs);
}

/**
 * Reports of several nodes over the same period as one: requests/s and event
 * counts add up; error rates and latencies are weighted by requests/s (p99 is
 * so an estimate: percentiles do not add).
 */
export function sumReports(xs: Report[], at: string): Report {
  const rps = xs.reduce((s, r) => s + (r.rps ?? 0), 0);
  const interval_s = xs.length ? xs.reduce((s, r) => s + (r.interval_s ?? 1), 0) / xs.length : 1;
  return withRates({ at, interval_s, rps, security_events: addEvents(xs) }, xs);
}

/** A region as the fleet page shows it. */
export interface RegionSummary {
  region: string;
  nodes: FleetNode[];
  connected: number;
  stale: number;
  /** Nodes on the version they should run (see onDesired). */
  inSync: number;
  nacks: number;
  report: Report | null;
  series: Report[];
}

/**
 * Groups nodes by region with a summary each; uses `/v1/regions` figures where the
 * control plane has them, otherwise sums the nodes' latest reports.
 */
export function summarizeRegions(nodes: FleetNode[], regions: Region[] | undefined): RegionSummary[] {
  const byRegion = new Map<string, FleetNode[]>();
  for (const n of nodes) byRegion.set(n.region, [...(byRegion.get(n.region) ?? []), n]);
  for (const r of regions ?? []) if (!byRegion.has(r.region)) byRegion.set(r.region, []);
  return [...byRegion.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([region, ns]) => {
      const api = regions?.find((r) => r.region === region);
      const reports = ns.map((n) => n.report).filter((r): r is Report => !!r);
      const series = api ? regionSeries(api) : aggregate(ns.map(nodeSeries));
      return {
        region,
        nodes: ns,
        connected: ns.filter((n) => n.connected).length,
        stale: ns.filter((n) => n.connected && n.stale).length,
        inSync: ns.filter(onDesired).length,
        nacks: ns.filter((n) => n.last_nack && n.last_nack.version > n.applied_version).length,
        report: api?.report ?? (reports.length ? sumReports(reports, new Date().toISOString()) : null),
        series,
      };
    });
}
