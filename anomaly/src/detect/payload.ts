import { type Detection, type DetectionLevel, detection, fmt, type Subject } from "./detection.js";
import type { DetectorThresholds } from "./thresholds.js";

/**
 * Unusual payloads from one client: request bodies above `sizeFactor` × the route's learned p99
 * (and above `minBytes`), or content types the route has not learned, at `minPerMin` or more per
 * minute (decayed). One odd body is noise; a client sending them repeatedly is probing.
 * @param p99Bytes the route's learned p99 body size (for the explanation)
 * @returns the detection, or null
 */
export function payload(
  th: DetectorThresholds["payload"],
  level: DetectionLevel,
  scope: string,
  now: number,
  subject: Subject,
  route: string,
  oversizedPerMin: number,
  newTypePerMin: number,
  p99Bytes: number,
  newTypeName: string,
): Detection | null {
  if (!th.enabled) return null;
  const n = oversizedPerMin + newTypePerMin;
  if (n < th.minPerMin) return null;
  const why =
    oversizedPerMin >= newTypePerMin
      ? `bodies over ${fmt(th.sizeFactor)} × the route's p99 of ${fmt(p99Bytes)} bytes`
      : `content type ${newTypeName} new to the route`;
  return detection(
    "payload",
    level,
    scope,
    now,
    subject,
    route,
    n,
    0,
    th.minPerMin,
    "unusual requests/min",
    `${fmt(n)} unusual requests/min from ${subject.id} on route ${route}: ${why}`,
  );
}
