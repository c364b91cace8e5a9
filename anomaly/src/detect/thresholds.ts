import { AnomalyError } from "../errors.js";

/**
 * Detector thresholds: fleet-wide defaults, overridden per route (`routes[routeId]`). Counts are
 * per minute for client rules (exponentially decayed counts with a 60 s time constant, which read
 * as "about the last minute"), per window for route rules. A route rule fires only when all its
 * bounds hold: an absolute floor (`min…`), a ratio over the learned baseline (`ratio`), and a
 * significance bound (`sigma` standard deviations above the baseline, variance taken from the
 * learned bucket variance plus 25 % model error), as Envoy's outlier detection combines a
 * minimum request volume with a standard-deviation factor (`success_rate_stdev_factor`).
 */
export interface DetectorThresholds {
  /** One client failing authentication (401, or 403 when `countDenied`). CrowdSec's ssh-bf bucket: capacity 5, leak 10 s. */
  readonly bruteForce: {
    readonly enabled: boolean;
    /** Failed authentications per minute from one client, at least. */
    readonly minPerMin: number;
    /** Times the client's own baseline (or the route's per-client p99) at least. */
    readonly ratio: number;
  };
  /** Failures per route across many clients (the distributed form). */
  readonly credentialStuffing: {
    readonly enabled: boolean;
    /** Failures in the window, at least. */
    readonly minFailures: number;
    /** Times the route's baseline failures in the window. */
    readonly ratio: number;
    /** Standard deviations above the baseline. */
    readonly sigma: number;
    /** Distinct failing clients in the window, at least (fewer is brute force, not stuffing). */
    readonly minClients: number;
  };
  /** Distinct paths (object ids) per client. */
  readonly enumeration: {
    readonly enabled: boolean;
    /** New distinct paths per minute from one client, at least. */
    readonly minPerMin: number;
    /** Times the client's own baseline or the route's per-client p99. */
    readonly ratio: number;
    /** Consecutive requests whose object id moved by 1–3 (a sequential walk): fires with half of minPerMin. */
    readonly sequentialRun: number;
  };
  /** Request bursts per client and per route. */
  readonly volumetric: {
    readonly enabled: boolean;
    /** Requests per minute from one client, at least. */
    readonly clientMinPerMin: number;
    /** Times the client's own baseline or the route's per-client p99. */
    readonly clientRatio: number;
    /** Requests to the route in the window, at least. */
    readonly routeMin: number;
    /** Times the route's baseline. */
    readonly routeRatio: number;
    /** Standard deviations above the route's baseline. */
    readonly routeSigma: number;
  };
  /** Error-rate jumps per route and per upstream. */
  readonly errorRate: {
    readonly enabled: boolean;
    /** 5xx responses in the window, at least. */
    readonly min5xx: number;
    /** 4xx responses (other than 401/403) in the window, at least. */
    readonly min4xx: number;
    /** Share of the window's requests that are 5xx, at least. */
    readonly minFraction5xx: number;
    /** Share of the window's requests that are 4xx, at least. */
    readonly minFraction4xx: number;
    /** Times the baseline. */
    readonly ratio: number;
    /** Standard deviations above the baseline. */
    readonly sigma: number;
  };
  /** Request bodies beyond the route's learned p99, and content types the route has not seen. */
  readonly payload: {
    readonly enabled: boolean;
    /** A body is oversized above `sizeFactor` × the route's learned p99 … */
    readonly sizeFactor: number;
    /** … and above this many bytes. */
    readonly minBytes: number;
    /** Oversized or new-content-type requests from one client per minute, at least. */
    readonly minPerMin: number;
  };
  /** One consumer or credential from many addresses or user agents at once. */
  readonly fingerprintChurn: {
    readonly enabled: boolean;
    /** Distinct client addresses within 5–10 min, at least. */
    readonly minAddresses: number;
    /** Distinct user agents within 5–10 min, at least. */
    readonly minUserAgents: number;
    /** Times the consumer's own largest earlier count. */
    readonly ratio: number;
  };
}

/** The defaults (tuned on the evaluation harness: anomaly/README.md has the figures). */
export const DEFAULT_THRESHOLDS: DetectorThresholds = Object.freeze({
  bruteForce: Object.freeze({ enabled: true, minPerMin: 10, ratio: 4 }),
  credentialStuffing: Object.freeze({ enabled: true, minFailures: 30, ratio: 4, sigma: 8, minClients: 8 }),
  enumeration: Object.freeze({ enabled: true, minPerMin: 60, ratio: 6, sequentialRun: 20 }),
  volumetric: Object.freeze({
    enabled: true,
    clientMinPerMin: 240,
    clientRatio: 8,
    routeMin: 300,
    routeRatio: 3,
    routeSigma: 8,
  }),
  errorRate: Object.freeze({
    enabled: true,
    min5xx: 20,
    min4xx: 60,
    minFraction5xx: 0.05,
    minFraction4xx: 0.15,
    ratio: 4,
    sigma: 8,
  }),
  payload: Object.freeze({ enabled: true, sizeFactor: 4, minBytes: 4096, minPerMin: 3 }),
  fingerprintChurn: Object.freeze({ enabled: true, minAddresses: 10, minUserAgents: 8, ratio: 3 }),
});

/** Detector names, as in {@link DetectorThresholds}. */
export type DetectorName = keyof DetectorThresholds;

/** Defaults plus per-route overrides, as configured. */
export interface ThresholdConfig {
  readonly defaults?: ThresholdOverride;
  readonly routes?: Readonly<Record<string, ThresholdOverride>>;
}

/** Any subset of the thresholds. */
export type ThresholdOverride = { readonly [D in DetectorName]?: Partial<DetectorThresholds[D]> };

/** Bounds of each numeric threshold: [min, max, integer?]. */
const BOUNDS: { readonly [D in DetectorName]: Readonly<Record<string, readonly [number, number, boolean]>> } = {
  bruteForce: { minPerMin: [1, 1e6, false], ratio: [1, 1e6, false] },
  credentialStuffing: {
    minFailures: [1, 1e9, true],
    ratio: [1, 1e6, false],
    sigma: [0, 100, false],
    minClients: [1, 1e9, true],
  },
  enumeration: { minPerMin: [1, 1e6, false], ratio: [1, 1e6, false], sequentialRun: [3, 1e6, true] },
  volumetric: {
    clientMinPerMin: [1, 1e9, false],
    clientRatio: [1, 1e6, false],
    routeMin: [1, 1e9, true],
    routeRatio: [1, 1e6, false],
    routeSigma: [0, 100, false],
  },
  errorRate: {
    min5xx: [1, 1e9, true],
    min4xx: [1, 1e9, true],
    minFraction5xx: [0, 1, false],
    minFraction4xx: [0, 1, false],
    ratio: [1, 1e6, false],
    sigma: [0, 100, false],
  },
  payload: { sizeFactor: [1, 1e6, false], minBytes: [0, 2 ** 32, true], minPerMin: [1, 1e6, false] },
  fingerprintChurn: { minAddresses: [2, 64, true], minUserAgents: [2, 64, true], ratio: [1, 1e6, false] },
};

/** Most per-route overrides accepted (bounded config). */
export const MAX_ROUTE_OVERRIDES = 10_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkOverride(o: unknown, at: string): void {
  if (!isRecord(o)) throw new AnomalyError("THRESHOLD_INVALID", at, "must be an object");
  for (const [det, body] of Object.entries(o)) {
    const bounds = (BOUNDS as Record<string, Record<string, readonly [number, number, boolean]>>)[det];
    if (bounds === undefined) throw new AnomalyError("THRESHOLD_INVALID", `${at}.${det}`, "unknown detector");
    if (!isRecord(body)) throw new AnomalyError("THRESHOLD_INVALID", `${at}.${det}`, "must be an object");
    for (const [k, v] of Object.entries(body)) {
      const f = `${at}.${det}.${k}`;
      if (k === "enabled") {
        if (typeof v !== "boolean") throw new AnomalyError("THRESHOLD_INVALID", f, "must be a boolean");
        continue;
      }
      const b = bounds[k];
      if (b === undefined) throw new AnomalyError("THRESHOLD_INVALID", f, "unknown threshold");
      if (typeof v !== "number" || !Number.isFinite(v) || v < b[0] || v > b[1] || (b[2] && !Number.isInteger(v))) {
        throw new AnomalyError(
          "THRESHOLD_INVALID",
          f,
          `must be ${b[2] ? "an integer" : "a number"} in ${b[0]}..${b[1]}`,
        );
      }
    }
  }
}

function apply(base: DetectorThresholds, o: ThresholdOverride | undefined): DetectorThresholds {
  if (o === undefined) return base;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(base) as DetectorName[]) out[k] = Object.freeze({ ...base[k], ...(o[k] ?? {}) });
  return Object.freeze(out) as unknown as DetectorThresholds;
}

/**
 * A validated threshold config: `forRoute(id)` gives the defaults merged with the route's
 * override. Built once per config version (the control plane validates at publish with the
 * same constructor, so a bad config is refused there, not on the node).
 */
export class Thresholds {
  readonly defaults: DetectorThresholds;
  readonly #routes = new Map<string, DetectorThresholds>();

  /**
   * @throws AnomalyError THRESHOLD_INVALID naming the field (`routes.login.bruteForce.ratio`)
   *   for an unknown detector or threshold, a value of the wrong type or out of bounds, or more
   *   than {@link MAX_ROUTE_OVERRIDES} routes
   */
  constructor(config: ThresholdConfig = {}) {
    if (!isRecord(config)) throw new AnomalyError("THRESHOLD_INVALID", "", "must be an object");
    for (const k of Object.keys(config)) {
      if (k !== "defaults" && k !== "routes") throw new AnomalyError("THRESHOLD_INVALID", k, "unknown field");
    }
    if (config.defaults !== undefined) checkOverride(config.defaults, "defaults");
    this.defaults = apply(DEFAULT_THRESHOLDS, config.defaults as ThresholdOverride | undefined);
    if (config.routes !== undefined) {
      if (!isRecord(config.routes)) throw new AnomalyError("THRESHOLD_INVALID", "routes", "must be an object");
      const entries = Object.entries(config.routes);
      if (entries.length > MAX_ROUTE_OVERRIDES) {
        throw new AnomalyError("THRESHOLD_INVALID", "routes", `at most ${MAX_ROUTE_OVERRIDES} routes`);
      }
      for (const [id, o] of entries) {
        checkOverride(o, `routes.${id}`);
        this.#routes.set(id, apply(this.defaults, o as ThresholdOverride));
      }
    }
  }

  /** Thresholds of the route `id` (the defaults when it has no override). */
  forRoute(id: string): DetectorThresholds {
    return this.#routes.get(id) ?? this.defaults;
  }
}
