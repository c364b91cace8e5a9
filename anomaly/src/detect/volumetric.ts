import type { SurgeTest } from "../baseline/counter-series.js";
import { clientThreshold } from "./client-threshold.js";
import {
  type Contributor,
  type Detection,
  type DetectionLevel,
  detection,
  fmt,
  type Subject,
  windowDetection,
} from "./detection.js";
import type { DetectorThresholds } from "./thresholds.js";

/**
 * Volumetric burst of one client: requests/min ≥ max(`clientMinPerMin`, `clientRatio` ×
 * reference) (the client's own baseline, or the route's per-client p99).
 * @returns the detection, or null
 */
export function clientBurst(
  th: DetectorThresholds["volumetric"],
  level: DetectionLevel,
  scope: string,
  now: number,
  subject: Subject,
  route: string,
  requestsPerMin: number,
  own: number,
  norm: number,
): Detection | null {
  if (!th.enabled) return null;
  const [threshold, ref] = clientThreshold(own, norm, th.clientMinPerMin, th.clientRatio);
  if (requestsPerMin < threshold) return null;
  return detection(
    "volumetric",
    level,
    scope,
    now,
    subject,
    route,
    requestsPerMin,
    ref,
    threshold,
    "requests/min",
    `${fmt(requestsPerMin)} requests/min from ${subject.id} on route ${route}, baseline ${fmt(ref)}`,
  );
}

/**
 * Volumetric burst against a route's baseline: the route's requests pass the surge test
 * (≥ `routeMin`, ≥ `routeRatio` × baseline, ≥ baseline + `routeSigma` σ) over 10 s or 60 s.
 * @returns the detection, or null
 */
export function routeBurst(
  th: DetectorThresholds["volumetric"],
  level: DetectionLevel,
  scope: string,
  now: number,
  route: string,
  test: SurgeTest,
  contributors: readonly Contributor[],
): Detection | null {
  if (!th.enabled || test.observed < test.threshold) return null;
  return windowDetection(
    "volumetric",
    level,
    scope,
    now,
    { type: "route", id: route },
    route,
    test,
    "requests/min",
    (perMin, base) => `${fmt(perMin)} requests/min on route ${route}, baseline ${fmt(base)}`,
    contributors,
  );
}
