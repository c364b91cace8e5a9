import { clientThreshold } from "./client-threshold.js";
import { type Detection, type DetectionLevel, detection, fmt, type Subject } from "./detection.js";
import type { DetectorThresholds } from "./thresholds.js";

/**
 * Enumeration / scraping: one client asking for far more distinct paths (object ids) than its
 * own history or the route's typical client. "New distinct path" = a (client, path hash) pair a
 * two-generation Bloom filter has not seen; counted in a decayed per-minute counter. Rule:
 * new paths/min ≥ max(`minPerMin`, `ratio` × reference), or a sequential id walk of at least
 * `sequentialRun` steps (object ids moving by 1–3 per request) with new paths/min ≥ half that.
 * @returns the detection, or null
 */
export function enumeration(
  th: DetectorThresholds["enumeration"],
  level: DetectionLevel,
  scope: string,
  now: number,
  subject: Subject,
  route: string,
  novelPerMin: number,
  sequentialRun: number,
  own: number,
  norm: number,
): Detection | null {
  if (!th.enabled) return null;
  const [threshold, ref] = clientThreshold(own, norm, th.minPerMin, th.ratio);
  const walk = sequentialRun >= th.sequentialRun && novelPerMin >= threshold / 2;
  if (novelPerMin < threshold && !walk) return null;
  const how = walk ? `, a sequential id walk of ${sequentialRun} steps` : "";
  return detection(
    "enumeration",
    level,
    scope,
    now,
    subject,
    route,
    novelPerMin,
    ref,
    walk ? threshold / 2 : threshold,
    "new paths/min",
    `${fmt(novelPerMin)} new distinct paths/min from ${subject.id} on route ${route}${how}, baseline ${fmt(ref)}`,
  );
}
