import type { SurgeTest } from "../baseline/counter-series.js";
import { type Contributor, type Detection, type DetectionLevel, fmt, windowDetection } from "./detection.js";
import type { DetectorThresholds } from "./thresholds.js";

/**
 * Credential stuffing, the distributed form: a route's authentication failures surge while they
 * come from many clients (each may stay under the brute-force rule). Rule: failures in the
 * window pass the surge test (counter-series.ts: ≥ `minFailures`, ≥ `ratio` × baseline,
 * ≥ baseline + `sigma` σ) and the distinct failing clients (HyperLogLog) ≥ `minClients`.
 * Windows: 10 s (fast runs) and 60 s (slow runs).
 * @returns the detection, or null
 */
export function credentialStuffing(
  th: DetectorThresholds["credentialStuffing"],
  level: DetectionLevel,
  scope: string,
  now: number,
  route: string,
  test: SurgeTest,
  failingClients: number,
  contributors: readonly Contributor[],
): Detection | null {
  if (!th.enabled || test.observed < test.threshold || failingClients < th.minClients) return null;
  return windowDetection(
    "credential_stuffing",
    level,
    scope,
    now,
    { type: "route", id: route },
    route,
    test,
    "failed logins/min",
    (perMin, base) =>
      `${fmt(perMin)} failed logins/min on route ${route} from about ${fmt(failingClients)} clients, baseline ${fmt(base)}`,
    contributors,
  );
}
