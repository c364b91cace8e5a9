import { type CounterSeries, SERIES, type SurgeTest } from "../baseline/counter-series.js";
import { credentialStuffing } from "./credential-stuffing.js";
import type { Contributor, Detection, DetectionKind, DetectionLevel, Subject } from "./detection.js";
import { errorRate } from "./error-rate.js";
import type { DetectorThresholds } from "./thresholds.js";
import { routeBurst } from "./volumetric.js";

/**
 * The route and upstream rules over a {@link CounterSeries}, shared by a node (1 s buckets,
 * windows 5 s and 60 s) and the control plane's fleet view (5 s buckets, windows 10 s and 60 s):
 * credential stuffing, route bursts, error-rate jumps. Floors are per minute, scaled to the
 * window (never below their 10 s share); a quiet series is assumed to have at least 1 event per
 * minute (1 per 10 min for errors).
 */
export interface RouteRuleInput {
  readonly level: DetectionLevel;
  readonly scope: string;
  readonly now: number;
  readonly route: string;
  readonly series: CounterSeries;
  readonly thresholds: DetectorThresholds;
  /** The fast and the slow window, in buckets. */
  readonly windows: readonly [number, number];
  /** Distinct failing clients in the window (HyperLogLog). */
  readonly failingClients: () => number;
  readonly contributors: () => Contributor[];
  /** Called with a firing rule's detection and the series counters whose learning it pauses. */
  readonly fire: (kind: DetectionKind, counters: number, d: Detection) => void;
}

function floorScale(x: RouteRuleInput, w: number): number {
  return Math.max((w * x.series.bucketMs) / 1000, 10) / 60;
}

/** Runs the credential-stuffing, burst and error-rate rules of a route. */
export function routeRules(x: RouteRuleInput, test: SurgeTest): void {
  const s = x.series;
  const perBucket = s.bucketMs / 60_000;
  const cs = x.thresholds.credentialStuffing;
  if (cs.enabled) {
    for (const w of x.windows) {
      s.test(SERIES.authFailures, w, cs.minFailures * floorScale(x, w), cs.ratio, cs.sigma, perBucket, test);
      if (test.observed < test.threshold) continue;
      const d = credentialStuffing(cs, x.level, x.scope, x.now, x.route, test, x.failingClients(), x.contributors());
      if (d !== null) {
        x.fire("credential_stuffing", 1 << SERIES.authFailures, d);
        break;
      }
    }
  }
  const v = x.thresholds.volumetric;
  if (v.enabled) {
    for (const w of x.windows) {
      s.test(SERIES.requests, w, v.routeMin * floorScale(x, w), v.routeRatio, v.routeSigma, perBucket, test);
      const d = routeBurst(v, x.level, x.scope, x.now, x.route, test, []);
      if (d !== null) {
        x.fire("volumetric", 1 << SERIES.requests, d);
        break;
      }
    }
  }
  errorRules(x, { type: "route", id: x.route }, test);
}

/** Runs the error-rate rule (5xx, then 4xx other than 401/403) of a route or an upstream. */
export function errorRules(x: RouteRuleInput, subject: Subject, test: SurgeTest): void {
  const e = x.thresholds.errorRate;
  if (!e.enabled) return;
  const s = x.series;
  for (const w of x.windows) {
    const requests = s.sum(SERIES.requests, w);
    for (const [klass, counter, min] of [
      ["5xx", SERIES.status5xx, e.min5xx],
      ["4xx", SERIES.status4xx, e.min4xx],
    ] as const) {
      s.test(counter, w, min * floorScale(x, w), e.ratio, e.sigma, s.bucketMs / 600_000, test);
      const d = errorRate(e, x.level, x.scope, x.now, subject, x.route, klass, test, requests);
      if (d !== null) {
        x.fire("error_rate", 1 << counter, d);
        return;
      }
    }
  }
}
