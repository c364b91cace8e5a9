import { ClientKind, type ClientTable } from "../baseline/client-table.js";
import { SERIES } from "../baseline/counter-series.js";
import type { RouteState } from "../baseline/route-state.js";
import type { Subject } from "../detect/detection.js";
import type { CountMinSketch } from "../sketch/count-min.js";
import { SizeSketch } from "../sketch/size-sketch.js";
import {
  type ClientSummary,
  type NodeSummary,
  type RouteSummary,
  SUMMARY_FAILING_CLIENTS,
  SUMMARY_LIMITS,
  SUMMARY_VERSION,
  type UpstreamSummary,
} from "./summary.js";

/** What {@link buildSummary} reads from the engine: the summary's header fields, and the engine's state. */
export interface SummaryInput
  extends Pick<NodeSummary, "nodeId" | "region" | "seq" | "startMs" | "endMs" | "records" | "dropped"> {
  readonly routes: ReadonlyArray<RouteState | undefined>;
  readonly upstreams: ReadonlyArray<RouteState | undefined>;
  readonly table: ClientTable;
  /** Client entries touched in the interval. */
  readonly touched: Int32Array;
  readonly failures: CountMinSketch;
  readonly subject: (entry: number) => Subject;
  readonly routeId: (index: number) => string;
}

/** Clients sent per other criterion at most. */
const PER_CRITERION = 64;

function top(entries: number[], score: (i: number) => number, min: number, n: number): number[] {
  return entries
    .filter((i) => score(i) >= min)
    .sort((a, b) => score(b) - score(a))
    .slice(0, n);
}

/**
 * Builds a node summary from the engine's interval counters and zeroes them. Client candidates
 * (the heavy hitters the control plane adds up per client): the {@link SUMMARY_FAILING_CLIENTS} touched clients
 * with the most authentication failures, and the top {@link PER_CRITERION} by new paths (≥ 2), by
 * requests (≥ 3) and, for consumers and credentials, by distinct addresses (≥ 2); at most
 * SUMMARY_LIMITS.maxClients.
 */
export function buildSummary(x: SummaryInput): NodeSummary {
  const routes: RouteSummary[] = [];
  for (const r of x.routes) {
    if (r === undefined || !r.active) continue;
    const c = r.interval;
    routes.push({
      route: r.id,
      requests: c[SERIES.requests]!,
      authFailures: c[SERIES.authFailures]!,
      authDenied: c[SERIES.authDenied]!,
      status4xx: c[SERIES.status4xx]!,
      status5xx: c[SERIES.status5xx]!,
      oversized: c[SERIES.oversized]!,
      newContentType: c[SERIES.newContentType]!,
      failingClients: r.intervalFailing.registers.slice(),
      sizes: r.intervalSizes.toBins(),
    });
    c.fill(0);
    r.intervalFailing.clear();
    r.intervalSizes = new SizeSketch();
    r.active = false;
  }
  const upstreams: UpstreamSummary[] = [];
  for (const u of x.upstreams) {
    if (u === undefined || !u.active) continue;
    const c = u.interval;
    upstreams.push({
      upstream: u.id,
      requests: c[SERIES.requests]!,
      status4xx: c[SERIES.status4xx]!,
      status5xx: c[SERIES.status5xx]!,
    });
    c.fill(0);
    u.active = false;
  }
  const t = x.table;
  const counts = new Uint32Array(x.touched.length * 3);
  const entries: number[] = [];
  const row = new Map<number, number>();
  const take = new Uint32Array(3);
  for (let k = 0; k < x.touched.length; k++) {
    const i = x.touched[k]!;
    t.takeInterval(i, take);
    counts.set(take, k * 3);
    row.set(i, k);
    entries.push(i);
  }
  const of = (i: number, c: number) => counts[row.get(i)! * 3 + c]!;
  const identities = entries.filter((i) => t.kind[i] !== ClientKind.address);
  const chosen = new Set<number>([
    ...top(entries, (i) => of(i, 1), 1, SUMMARY_FAILING_CLIENTS),
    ...top(entries, (i) => of(i, 2), 2, PER_CRITERION),
    ...top(entries, (i) => of(i, 0), 3, PER_CRITERION),
    ...top(identities, (i) => t.distinctPrints(i).addresses, 2, PER_CRITERION),
  ]);
  const clients: ClientSummary[] = [];
  for (const i of chosen) {
    if (clients.length >= SUMMARY_LIMITS.maxClients) break;
    const s = x.subject(i);
    if (s.type === "route" || s.type === "upstream") continue;
    const p = i * 8;
    const pr = t.prints;
    clients.push({
      type: s.type,
      id: s.id,
      route: x.routeId(t.route[i]!),
      requests: of(i, 0),
      authFailures: of(i, 1),
      novelPaths: of(i, 2),
      sequentialRun: t.maxSeqRun[i]!,
      userAgents: [(pr[p]! | pr[p + 2]!) >>> 0, (pr[p + 1]! | pr[p + 3]!) >>> 0],
      addresses: [(pr[p + 4]! | pr[p + 6]!) >>> 0, (pr[p + 5]! | pr[p + 7]!) >>> 0],
    });
    t.maxSeqRun[i] = t.seqRun[i]!;
  }
  return {
    version: SUMMARY_VERSION,
    nodeId: x.nodeId,
    region: x.region,
    seq: x.seq,
    startMs: x.startMs,
    endMs: x.endMs,
    records: x.records,
    dropped: x.dropped,
    routes,
    upstreams,
    clients,
    failures: x.failures.counters.slice(),
  };
}
