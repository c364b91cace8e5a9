import { clientThreshold } from "./client-threshold.js";
import { type Detection, type DetectionLevel, detection, fmt, type Subject } from "./detection.js";
import type { DetectorThresholds } from "./thresholds.js";

/**
 * Brute force: one client failing authentication far more than it (or the route's typical
 * client) does. Rule: decayed failures per minute ≥ max(`minPerMin`, `ratio` × reference);
 * reference as in clientThreshold. A failure is a 401 (or an auth policy's "failed" outcome).
 * @returns the detection, or null when the rule does not fire
 */
export function bruteForce(
  th: DetectorThresholds["bruteForce"],
  level: DetectionLevel,
  scope: string,
  now: number,
  subject: Subject,
  route: string,
  failuresPerMin: number,
  own: number,
  norm: number,
): Detection | null {
  if (!th.enabled) return null;
  const [threshold, ref] = clientThreshold(own, norm, th.minPerMin, th.ratio);
  if (failuresPerMin < threshold) return null;
  return detection(
    "brute_force",
    level,
    scope,
    now,
    subject,
    route,
    failuresPerMin,
    ref,
    threshold,
    "failed logins/min",
    `${fmt(failuresPerMin)} failed logins/min from ${subject.id} on route ${route}, baseline ${fmt(ref)}`,
  );
}
