import { create } from "@bufbuild/protobuf";
import { decodeSummary, type NodeSummary } from "@palisade/anomaly";
import { AnomalyClientKind, type AnomalySummary, AnomalySummarySchema } from "@palisade/proto";

const KIND = {
  address: AnomalyClientKind.ADDRESS,
  consumer: AnomalyClientKind.CONSUMER,
  credential: AnomalyClientKind.CREDENTIAL,
} as const;

/**
 * A detector worker's summary (the binary form `DetectorHost.onSummary` hands over) as the
 * `AnomalySummary` message of the node stream (proto/palisade/sync/v1/anomaly.proto): the same
 * figures field for field; the count-min counters travel sparse (non-zero cells only).
 * @throws AnomalyError SUMMARY_MALFORMED when the bytes are not a summary (a worker bug)
 */
export function summaryMessage(bytes: Uint8Array): AnomalySummary {
  return toMessage(decodeSummary(bytes));
}

/** {@link summaryMessage} of a decoded summary. */
export function toMessage(s: NodeSummary): AnomalySummary {
  const failureIndex: number[] = [];
  const failureCount: number[] = [];
  const f = s.failures;
  for (let i = 0; i < f.length; i++)
    if (f[i] !== 0) {
      failureIndex.push(i);
      failureCount.push(f[i]!);
    }
  return create(AnomalySummarySchema, {
    version: s.version,
    seq: BigInt(s.seq),
    startMs: s.startMs,
    endMs: s.endMs,
    records: BigInt(s.records),
    dropped: BigInt(s.dropped),
    routes: s.routes.map((r) => ({
      routeId: r.route,
      requests: BigInt(r.requests),
      authFailures: BigInt(r.authFailures),
      authDenied: BigInt(r.authDenied),
      status4xx: BigInt(r.status4xx),
      status5xx: BigInt(r.status5xx),
      oversized: BigInt(r.oversized),
      newContentType: BigInt(r.newContentType),
      failingClientsHll: r.failingClients,
      sizeZeros: BigInt(r.sizes.zeros),
      sizeBinKeys: [...r.sizes.keys],
      sizeBinCounts: r.sizes.counts.map(BigInt),
    })),
    upstreams: s.upstreams.map((u) => ({
      upstreamId: u.upstream,
      requests: BigInt(u.requests),
      status4xx: BigInt(u.status4xx),
      status5xx: BigInt(u.status5xx),
    })),
    clients: s.clients.map((c) => ({
      kind: KIND[c.type],
      id: c.id,
      routeId: c.route,
      requests: BigInt(c.requests),
      authFailures: BigInt(c.authFailures),
      novelPaths: BigInt(c.novelPaths),
      sequentialRun: c.sequentialRun,
      userAgentsLo: c.userAgents[0],
      userAgentsHi: c.userAgents[1],
      addressesLo: c.addresses[0],
      addressesHi: c.addresses[1],
    })),
    failureIndex,
    failureCount,
  });
}
