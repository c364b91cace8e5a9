/**
 * The threshold of a per-client rule: the larger of an absolute floor and `ratio` × a reference,
 * where the reference is the client's own baseline once it is mature (a NAT address or a busy
 * partner integration is judged against itself) and otherwise the route's per-client p99 (a new
 * client is judged against the route's norm), after CrowdSec's leaky buckets (a fixed capacity
 * per client) combined with API Shield's per-endpoint learned rates.
 * @param own the client's own baseline per minute, or -1 while not mature
 * @param norm the route's per-client p99 per minute (0 while not learned)
 * @returns `[threshold, reference]` per minute
 */
export function clientThreshold(own: number, norm: number, min: number, ratio: number): [number, number] {
  const ref = own >= 0 ? Math.max(own, norm * 0.5) : norm;
  return [Math.max(min, ratio * ref), ref];
}
