import { AnomalyError, type NodeSummary, SUMMARY_LIMITS, validateSummary } from "@palisade/anomaly";
import { AnomalyClientKind, type AnomalySummary } from "@palisade/proto";

/** Count-min cells of a summary (depth 4 × width 1,024: anomaly/src/summary/summary.ts). */
const CMS_CELLS = 4 * 1024;

const KIND: Record<number, string> = {
  [AnomalyClientKind.ADDRESS]: "address",
  [AnomalyClientKind.CONSUMER]: "consumer",
  [AnomalyClientKind.CREDENTIAL]: "credential",
};

/** A uint64 as a number: beyond 2^53 it is refused by the validation (not a safe integer). */
function n(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(v);
}

/**
 * A node's `AnomalySummary` (proto/palisade/sync/v1/anomaly.proto) as the @palisade/anomaly
 * `NodeSummary` the FleetView merges, validated field by field (`validateSummary`). The node's
 * id and region are the stream's (its certificate and hello), never the message's. The message
 * is already bounded by the stream's 4 MiB limit; list lengths are checked before any work.
 * @throws AnomalyError SUMMARY_MALFORMED / SUMMARY_TOO_LARGE naming the field
 */
export function summaryFromMessage(
  m: AnomalySummary,
  node: { readonly id: string; readonly region: string },
): NodeSummary {
  if (m.routes.length > SUMMARY_LIMITS.maxRoutes) throw new AnomalyError("SUMMARY_TOO_LARGE", "routes", "too many");
  if (m.upstreams.length > SUMMARY_LIMITS.maxUpstreams)
    throw new AnomalyError("SUMMARY_TOO_LARGE", "upstreams", "too many");
  if (m.clients.length > SUMMARY_LIMITS.maxClients) throw new AnomalyError("SUMMARY_TOO_LARGE", "clients", "too many");
  if (m.failureIndex.length !== m.failureCount.length || m.failureIndex.length > CMS_CELLS)
    throw new AnomalyError("SUMMARY_MALFORMED", "failure_index", "index and count lists must pair, at most 4096");
  const failures = new Uint32Array(CMS_CELLS);
  let last = -1;
  for (let i = 0; i < m.failureIndex.length; i++) {
    const at = m.failureIndex[i]!;
    if (at <= last || at >= CMS_CELLS)
      throw new AnomalyError("SUMMARY_MALFORMED", `failure_index[${i}]`, "must ascend below 4096");
    failures[at] = m.failureCount[i]!;
    last = at;
  }
  return validateSummary({
    version: m.version,
    nodeId: node.id,
    region: node.region,
    seq: n(m.seq),
    startMs: m.startMs,
    endMs: m.endMs,
    records: n(m.records),
    dropped: n(m.dropped),
    routes: m.routes.map((r) => ({
      route: r.routeId,
      requests: n(r.requests),
      authFailures: n(r.authFailures),
      authDenied: n(r.authDenied),
      status4xx: n(r.status4xx),
      status5xx: n(r.status5xx),
      oversized: n(r.oversized),
      newContentType: n(r.newContentType),
      failingClients: r.failingClientsHll,
      sizes: { zeros: n(r.sizeZeros), keys: r.sizeBinKeys, counts: r.sizeBinCounts.map(n) },
    })),
    upstreams: m.upstreams.map((u) => ({
      upstream: u.upstreamId,
      requests: n(u.requests),
      status4xx: n(u.status4xx),
      status5xx: n(u.status5xx),
    })),
    clients: m.clients.map((c) => ({
      type: KIND[c.kind],
      id: c.id,
      route: c.routeId,
      requests: n(c.requests),
      authFailures: n(c.authFailures),
      novelPaths: n(c.novelPaths),
      sequentialRun: c.sequentialRun,
      userAgents: [c.userAgentsLo, c.userAgentsHi],
      addresses: [c.addressesLo, c.addressesHi],
    })),
    failures,
  });
}
