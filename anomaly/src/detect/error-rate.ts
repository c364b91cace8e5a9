import type { SurgeTest } from "../baseline/counter-series.js";
import { type Detection, type DetectionLevel, fmt, type Subject, windowDetection } from "./detection.js";
import type { DetectorThresholds } from "./thresholds.js";

/**
 * Error-rate jump of a route or an upstream, for 5xx and for 4xx other than 401/403 (after
 * Envoy's outlier detection, which ejects a host whose success rate falls `stdev_factor` σ below
 * the mean with a minimum request volume): errors in the window pass the surge test (≥ `min5xx`
 * / `min4xx`, ≥ `ratio` × baseline, ≥ baseline + `sigma` σ) and make up at least
 * `minFraction5xx` / `minFraction4xx` of the window's requests (so a traffic surge with a steady
 * error share is not an error-rate jump).
 * @param requests the window's requests
 * @returns the detection, or null
 */
export function errorRate(
  th: DetectorThresholds["errorRate"],
  level: DetectionLevel,
  scope: string,
  now: number,
  subject: Subject,
  route: string,
  klass: "5xx" | "4xx",
  test: SurgeTest,
  requests: number,
): Detection | null {
  if (!th.enabled || test.observed < test.threshold || requests <= 0) return null;
  const share = test.observed / requests;
  if (share < (klass === "5xx" ? th.minFraction5xx : th.minFraction4xx)) return null;
  const what = subject.type === "upstream" ? `upstream ${subject.id}` : `route ${route}`;
  return windowDetection(
    "error_rate",
    level,
    scope,
    now,
    subject,
    route,
    test,
    `${klass}/min`,
    (perMin, base) =>
      `${fmt(perMin)} ${klass} responses/min on ${what} (${fmt(share * 100)} % of requests), baseline ${fmt(base)}`,
  );
}
