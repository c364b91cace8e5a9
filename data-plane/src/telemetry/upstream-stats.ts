import type { CompiledUpstream } from "../config/runtime-table.js";
import type { TargetState } from "../upstream/target-health.js";

/**
 * One upstream's health and breaker figures (`palisade_upstream_*`, upstream-metrics.ts), read
 * from the live table when scraped or sent to a cluster primary: plain data, mergeable across
 * workers with {@link mergeUpstreamStats}. Counters are cumulative since the upstream appeared in
 * the process's config; gauges are now.
 */
export interface UpstreamStatsRow {
  /** Upstream id (the `upstream` label, as on the per-route metrics). */
  readonly upstream: string;
  /**
   * Each target's state, by origin (`http://host:port`): the key merges workers' views of one
   * target and never becomes a label (targets are counted per state).
   */
  readonly targets: Readonly<Record<string, TargetState>>;
  /** 1 while the breaker refuses requests (in-flight or pending at its limit), else 0. */
  readonly breakerOpen: number;
  /** Requests in flight in the upstream client. */
  readonly active: number;
  readonly retried: number;
  readonly overflows: number;
  readonly ejections: number;
  readonly checksOk: number;
  readonly checksFailed: number;
}

/** The figures of a table's upstreams, in the table's order (none before the first table). */
export function upstreamStatsOf(upstreams: Iterable<CompiledUpstream> | undefined): UpstreamStatsRow[] {
  const out: UpstreamStatsRow[] = [];
  for (const u of upstreams ?? []) {
    const c = u.counters;
    const targets: Record<string, TargetState> = {};
    for (const t of u.targets) targets[t.origin] = t.health.state;
    out.push({
      upstream: u.id,
      targets,
      breakerOpen: c.active >= u.breaker.maxRequests || c.pending >= u.breaker.maxPending ? 1 : 0,
      active: c.active,
      retried: c.retried,
      overflows: c.overflows,
      ejections: c.ejections,
      checksOk: c.checksOk,
      checksFailed: c.checksFailed,
    });
  }
  return out;
}

const RANK: Readonly<Record<TargetState, number>> = { healthy: 0, ejected: 1, unhealthy: 2 };

/**
 * The node's figures from several processes' (cluster workers): counters and in-flight requests
 * added, the breaker open when it is open in any process, and each target in the worst state any
 * process sees it in (`unhealthy` over `ejected` over `healthy`) — every worker checks and ejects
 * on its own, so a target one worker holds out is counted out. `retired` rows (workers that
 * exited) give their counters only, so counters never go backwards.
 */
export function mergeUpstreamStats(
  live: readonly (readonly UpstreamStatsRow[])[],
  retired: readonly UpstreamStatsRow[] = [],
): UpstreamStatsRow[] {
  const byId = new Map<string, UpstreamStatsRow>();
  const add = (r: UpstreamStatsRow, gauges: boolean) => {
    const p = byId.get(r.upstream);
    const targets: Record<string, TargetState> = { ...(p?.targets ?? {}) };
    if (gauges)
      for (const [origin, state] of Object.entries(r.targets)) {
        const held = targets[origin];
        if (held === undefined || RANK[state] > RANK[held]) targets[origin] = state;
      }
    byId.set(r.upstream, {
      upstream: r.upstream,
      targets,
      breakerOpen: Math.max(p?.breakerOpen ?? 0, gauges ? r.breakerOpen : 0),
      active: (p?.active ?? 0) + (gauges ? r.active : 0),
      retried: (p?.retried ?? 0) + r.retried,
      overflows: (p?.overflows ?? 0) + r.overflows,
      ejections: (p?.ejections ?? 0) + r.ejections,
      checksOk: (p?.checksOk ?? 0) + r.checksOk,
      checksFailed: (p?.checksFailed ?? 0) + r.checksFailed,
    });
  };
  for (const r of retired) add(r, false);
  for (const rows of live) for (const r of rows) add(r, true);
  return [...byId.values()];
}

/** Where `/metrics` reads upstream figures: a process's live table, or a cluster primary's merge. */
export interface UpstreamSource {
  upstreamStats(): UpstreamStatsRow[];
}
