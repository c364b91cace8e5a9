import { bitmapDistinct, ClientKind, ClientTable, FINGERPRINT_GENERATION_MS } from "../baseline/client-table.js";
import { CounterSeries, SERIES, type SurgeTest } from "../baseline/counter-series.js";
import { bruteForce } from "../detect/brute-force.js";
import type { Contributor, Detection, DetectionKind, DetectionLevel, Subject } from "../detect/detection.js";
import { enumeration } from "../detect/enumeration.js";
import { OpenDetections } from "../detect/episodes.js";
import { fingerprintChurn } from "../detect/fingerprint-churn.js";
import { errorRules, type RouteRuleInput, routeRules } from "../detect/route-rules.js";
import { Thresholds } from "../detect/thresholds.js";
import { clientBurst } from "../detect/volumetric.js";
import { packAddress } from "../record/address.js";
import { CountMinSketch } from "../sketch/count-min.js";
import { HyperLogLog } from "../sketch/hyperloglog.js";
import { SizeSketch } from "../sketch/size-sketch.js";
import {
  type NodeSummary,
  SUMMARY_CMS_DEPTH,
  SUMMARY_CMS_WIDTH,
  SUMMARY_FAILING_CLIENTS,
  SUMMARY_HLL_P,
} from "./summary.js";

/** Fleet bucket length (one node summary interval), ms. */
export const FLEET_BUCKET_MS = 5_000;
/** Buckets in the longest window (60 s). */
const WINDOW = 12;
const SHORT = 2;
const TAU_MS = 60_000;
const SLOW_TAU_MS = 1_800_000;
const MATURE_MS = 600_000;

/** Options of a {@link FleetView}. */
export interface FleetViewOptions {
  /** Called with each new detection of a region or the fleet. */
  readonly onDetection: (d: Detection) => void;
  readonly thresholds?: Thresholds;
  /** Clients tracked per scope at most; default 100,000. */
  readonly maxClients?: number;
  /** Routes and upstreams per scope at most; default 4,096. */
  readonly maxRoutes?: number;
  readonly rearmMs?: number;
}

class FleetRoute {
  readonly series = new CounterSeries(FLEET_BUCKET_MS, 24, 180, 60);
  readonly failing: HyperLogLog[] = Array.from({ length: WINDOW }, () => new HyperLogLog(SUMMARY_HLL_P));
  readonly sizes = new SizeSketch();
}

class FleetClient {
  route = "";
  lastMs = 0;
  firstMs = 0;
  requests = 0;
  novel = 0;
  failures = 0;
  slowRequests = 0;
  slowNovel = 0;
  sequentialRun = 0;
  /** Fingerprint bitmaps: current and previous 5 min generation (lo, hi each). */
  readonly prints = new Uint32Array(8);
  printsMs = 0;
  lo = 0;
  hi = 0;

  constructor(now: number) {
    this.firstMs = now;
    this.lastMs = now;
    this.printsMs = now;
  }

  /** ORs a node's bitmaps into the current generation (rotating every 5 min). */
  addPrints(ua: readonly [number, number], addr: readonly [number, number], now: number): void {
    const p = this.prints;
    if (now - this.printsMs >= FINGERPRINT_GENERATION_MS) {
      const stale = now - this.printsMs >= 2 * FINGERPRINT_GENERATION_MS;
      for (let k = 0; k < 4; k++) p[4 + k] = stale ? 0 : p[k]!;
      p.fill(0, 0, 4);
      this.printsMs = now;
    }
    p[0] = (p[0]! | ua[0]) >>> 0;
    p[1] = (p[1]! | ua[1]) >>> 0;
    p[2] = (p[2]! | addr[0]) >>> 0;
    p[3] = (p[3]! | addr[1]) >>> 0;
  }

  /** Distinct user agents and addresses over both generations. */
  distinct(): [userAgents: number, addresses: number] {
    const p = this.prints;
    return [
      bitmapDistinct((p[0]! | p[4]!) >>> 0, (p[1]! | p[5]!) >>> 0),
      bitmapDistinct((p[2]! | p[6]!) >>> 0, (p[3]! | p[7]!) >>> 0),
    ];
  }

  decay(now: number): void {
    const dt = now - this.lastMs;
    if (dt <= 0) return;
    const f = Math.exp(-dt / TAU_MS);
    this.requests *= f;
    this.novel *= f;
    this.failures *= f;
    const s = Math.exp(-dt / SLOW_TAU_MS);
    this.slowRequests *= s;
    this.slowNovel *= s;
    this.lastMs = now;
  }

  /** Own baseline per minute (see ClientTable.baseline), -1 while not mature. */
  baseline(slow: number, now: number): number {
    const age = now - this.firstMs;
    if (age < MATURE_MS) return -1;
    return slow / ((SLOW_TAU_MS / 60_000) * (1 - Math.exp(-age / SLOW_TAU_MS)));
  }
}

/** One scope: the fleet, or one region. */
class Scope {
  readonly level: DetectionLevel;
  readonly name: string;
  readonly routes = new Map<string, FleetRoute>();
  readonly upstreams = new Map<string, CounterSeries>();
  readonly clients = new Map<string, FleetClient>();
  readonly failures: CountMinSketch[] = Array.from(
    { length: WINDOW },
    () => new CountMinSketch(SUMMARY_CMS_WIDTH, SUMMARY_CMS_DEPTH),
  );
  bucket = -1;
  /** Until when some node's failing-client list was cut at its limit (then count-min estimates fill in). */
  truncatedUntil = 0;

  constructor(level: DetectionLevel, name: string) {
    this.level = level;
    this.name = name;
  }
}

/**
 * The control plane's view of the fleet: node summaries (validated) merged per route, per region
 * and for the whole fleet, in 5 s buckets. It runs the same rules as a node (detect/*.ts) on the
 * merged figures, so an attack spread over many nodes and addresses — each under every node's
 * threshold — is still one detection: route counts add, failing-client HyperLogLogs union,
 * failures per address add through the merged count-min sketches, client candidates add per
 * client. Memory is bounded: `maxRoutes` routes and `maxClients` clients per scope (the least
 * recently seen client goes first), 12 buckets of sketches.
 */
export class FleetView {
  readonly #onDetection: (d: Detection) => void;
  #thresholds: Thresholds;
  readonly #maxClients: number;
  readonly #maxRoutes: number;
  readonly #open: OpenDetections;
  readonly #rearmMs: number;
  readonly #pausedUntil = new WeakMap<CounterSeries, number>();
  readonly #fleet = new Scope("fleet", "fleet");
  readonly #regions = new Map<string, Scope>();
  readonly #test: SurgeTest = { observed: 0, expected: 0, threshold: 0, windowMs: 0 };
  readonly #words = new Uint32Array(4);
  #summaries = 0;

  constructor(o: FleetViewOptions) {
    this.#onDetection = o.onDetection;
    this.#thresholds = o.thresholds ?? new Thresholds();
    this.#maxClients = o.maxClients ?? 100_000;
    this.#maxRoutes = o.maxRoutes ?? 4096;
    this.#rearmMs = o.rearmMs ?? 120_000;
    this.#open = new OpenDetections({ rearmMs: this.#rearmMs });
  }

  /** Replaces the thresholds (a new config version). */
  setThresholds(t: Thresholds): void {
    this.#thresholds = t;
  }

  /** Summaries merged so far. */
  get summaries(): number {
    return this.#summaries;
  }

  /**
   * Merges one node summary (already validated by decodeSummary / summaryFromJson) received at
   * `nowMs` (the control plane's clock: node clocks are not compared with each other).
   */
  add(s: NodeSummary, nowMs: number): void {
    this.advance(nowMs);
    this.#summaries++;
    let region = this.#regions.get(s.region);
    if (region === undefined && this.#regions.size < 1024) {
      region = new Scope("region", s.region);
      region.bucket = this.#fleet.bucket;
      this.#regions.set(s.region, region);
    }
    for (const scope of region === undefined ? [this.#fleet] : [this.#fleet, region]) this.#merge(scope, s, nowMs);
  }

  #merge(scope: Scope, s: NodeSummary, now: number): void {
    const slot = scope.bucket % WINDOW;
    for (const r of s.routes) {
      let fr = scope.routes.get(r.route);
      if (fr === undefined) {
        if (scope.routes.size >= this.#maxRoutes) continue;
        fr = new FleetRoute();
        fr.series.advance(now);
        scope.routes.set(r.route, fr);
      }
      fr.series.add(SERIES.requests, r.requests);
      fr.series.add(SERIES.authFailures, r.authFailures);
      fr.series.add(SERIES.authDenied, r.authDenied);
      fr.series.add(SERIES.status4xx, r.status4xx);
      fr.series.add(SERIES.status5xx, r.status5xx);
      fr.series.add(SERIES.oversized, r.oversized);
      fr.series.add(SERIES.newContentType, r.newContentType);
      fr.failing[slot]!.merge(new HyperLogLog(SUMMARY_HLL_P, r.failingClients));
      if (r.sizes.keys.length > 0 || r.sizes.zeros > 0) fr.sizes.merge(SizeSketch.fromBins(r.sizes));
    }
    for (const u of s.upstreams) {
      let us = scope.upstreams.get(u.upstream);
      if (us === undefined) {
        if (scope.upstreams.size >= this.#maxRoutes) continue;
        us = new CounterSeries(FLEET_BUCKET_MS, 24, 180, 60);
        us.advance(now);
        scope.upstreams.set(u.upstream, us);
      }
      us.add(SERIES.requests, u.requests);
      us.add(SERIES.status4xx, u.status4xx);
      us.add(SERIES.status5xx, u.status5xx);
    }
    scope.failures[slot]!.merge(new CountMinSketch(SUMMARY_CMS_WIDTH, SUMMARY_CMS_DEPTH, s.failures));
    let failing = 0;
    for (const c of s.clients) if (c.authFailures > 0) failing++;
    if (failing >= SUMMARY_FAILING_CLIENTS) scope.truncatedUntil = now + WINDOW * FLEET_BUCKET_MS;
    for (const c of s.clients) {
      const key = `${c.type}:${c.id}`;
      let fc = scope.clients.get(key);
      if (fc === undefined) {
        if (scope.clients.size >= this.#maxClients) {
          // Least recently seen first: Map iteration is insertion order and updates re-insert.
          scope.clients.delete(scope.clients.keys().next().value!);
        }
        fc = new FleetClient(now);
        if (c.type === "address" && packAddress(c.id, this.#words, 0)) {
          const w = this.#words;
          fc.lo = ClientTable.hashLo(ClientKind.address, w[0]!, w[1]!, w[2]!, w[3]!);
          fc.hi = ClientTable.hashHi(ClientKind.address, w[0]!, w[1]!, w[2]!, w[3]!);
        }
      } else {
        scope.clients.delete(key);
      }
      scope.clients.set(key, fc);
      fc.decay(now);
      fc.route = c.route;
      fc.requests += c.requests;
      fc.novel += c.novelPaths;
      fc.failures += c.authFailures;
      fc.slowRequests += c.requests;
      fc.slowNovel += c.novelPaths;
      fc.sequentialRun = Math.max(c.sequentialRun, fc.sequentialRun * 0.5);
      fc.addPrints(c.userAgents, c.addresses, now);
      this.#clientRules(scope, { type: c.type, id: c.id }, fc, now);
    }
  }

  /**
   * Failures of a client address over the last minute, fleet-wide: the nodes' exact counts for
   * it (decayed, τ = 60 s) while every node's failing-client list is complete; when one was cut
   * (a flood of failing clients), the merged count-min sketches' estimate over the 12 buckets
   * (never below the truth) fills in for the nodes that left it out.
   */
  #windowFailures(scope: Scope, fc: FleetClient, now: number): number {
    if (now >= scope.truncatedUntil) return fc.failures;
    let n = 0;
    for (const cms of scope.failures) n += cms.estimate(fc.lo, fc.hi);
    return Math.max(n, fc.failures);
  }

  #clientRules(scope: Scope, subject: Subject, fc: FleetClient, now: number): void {
    const th = this.#thresholds.forRoute(fc.route);
    const lv = scope.level;
    const name = scope.name;
    const at = { type: subject.type, id: `${name}/${subject.id}` };
    const run = (kind: DetectionKind, d: Detection | null) => {
      if (d === null) this.#open.miss(kind, at, now);
      else if (this.#open.hit(kind, at, now)) this.#emit(d);
    };
    if (subject.type === "address" && fc.failures > 0) {
      run(
        "brute_force",
        bruteForce(th.bruteForce, lv, name, now, subject, fc.route, this.#windowFailures(scope, fc, now), -1, 0),
      );
    }
    run(
      "volumetric",
      clientBurst(th.volumetric, lv, name, now, subject, fc.route, fc.requests, fc.baseline(fc.slowRequests, now), 0),
    );
    run(
      "enumeration",
      enumeration(
        th.enumeration,
        lv,
        name,
        now,
        subject,
        fc.route,
        fc.novel,
        fc.sequentialRun,
        fc.baseline(fc.slowNovel, now),
        0,
      ),
    );
    if (subject.type !== "address") {
      const [userAgents, addresses] = fc.distinct();
      run(
        "fingerprint_churn",
        fingerprintChurn(th.fingerprintChurn, lv, name, now, subject, fc.route, addresses, userAgents, 0, 0),
      );
    }
  }

  #emit(d: Detection): void {
    try {
      this.#onDetection(d);
    } catch {
      // A failing listener must not stop detection.
    }
  }

  /** Moves the view's clock to `nowMs`: closes buckets and runs the route and upstream rules. */
  advance(nowMs: number): void {
    const b = Math.floor(nowMs / FLEET_BUCKET_MS);
    for (const scope of [this.#fleet, ...this.#regions.values()]) {
      if (scope.bucket === -1) {
        scope.bucket = b;
        continue;
      }
      if (b <= scope.bucket) continue;
      const steps = Math.min(b - scope.bucket, WINDOW);
      for (let k = 1; k <= steps; k++) {
        const slot = (scope.bucket + k) % WINDOW;
        scope.failures[slot]!.clear();
        for (const r of scope.routes.values()) r.failing[slot]!.clear();
      }
      scope.bucket = b;
      for (const [id, r] of scope.routes) {
        this.#resume(r.series, nowMs);
        if (r.series.advance(nowMs) > 0 && r.series.warm) {
          const at = { type: "route" as const, id: `${scope.name}/${id}` };
          for (const k of ["credential_stuffing", "volumetric", "error_rate"] as const) this.#open.miss(k, at, nowMs);
          routeRules(this.#ruleInput(scope, id, r.series, nowMs, r), this.#test);
        }
      }
      for (const [id, u] of scope.upstreams) {
        this.#resume(u, nowMs);
        this.#open.miss("error_rate", { type: "upstream", id: `${scope.name}/${id}` }, nowMs);
        if (u.advance(nowMs) > 0 && u.warm) {
          errorRules({ ...this.#ruleInput(scope, "", u, nowMs), route: "" }, { type: "upstream", id }, this.#test);
        }
      }
      if (b % 12 === 0) this.#open.prune(nowMs);
    }
  }

  #ruleInput(scope: Scope, route: string, s: CounterSeries, now: number, r?: FleetRoute): RouteRuleInput {
    return {
      level: scope.level,
      scope: scope.name,
      now,
      route,
      series: s,
      thresholds: this.#thresholds.forRoute(route),
      windows: [SHORT, WINDOW],
      failingClients: () => {
        const hll = new HyperLogLog(SUMMARY_HLL_P);
        for (const h of r?.failing ?? []) hll.merge(h);
        return hll.estimate();
      },
      contributors: () => this.#contributors(scope, route, now),
      fire: (_kind, counters, d) => this.#routeEmit(s, counters, d, scope.name, now),
    };
  }

  #routeEmit(s: CounterSeries, counters: number, d: Detection, scope: string, now: number): void {
    s.paused |= counters;
    this.#pausedUntil.set(s, now + this.#rearmMs);
    if (this.#open.hit(d.kind, { type: d.subject.type, id: `${scope}/${d.subject.id}` }, now, d.score)) this.#emit(d);
  }

  /** Resumes learning of a series whose episode is over. */
  #resume(s: CounterSeries, now: number): void {
    if (s.paused !== 0 && (this.#pausedUntil.get(s) ?? 0) <= now) s.paused = 0;
  }

  #contributors(scope: Scope, route: string, now: number): Contributor[] {
    const out: Contributor[] = [];
    for (const [key, fc] of scope.clients) {
      if (fc.route !== route || fc.failures < 0.5 || now - fc.lastMs > 60_000) continue;
      const colon = key.indexOf(":");
      out.push({
        subject: { type: key.slice(0, colon) as Subject["type"], id: key.slice(colon + 1) },
        count: Math.round(this.#windowFailures(scope, fc, now)),
      });
    }
    return out.sort((a, b) => b.count - a.count).slice(0, 32);
  }

  /** A route's merged body-size p99 in a scope (`fleet` or a region name), bytes; 0 when unknown. */
  sizeP99(scope: string, route: string): number {
    const s = scope === "fleet" ? this.#fleet : this.#regions.get(scope);
    return s?.routes.get(route)?.sizes.quantile(0.99) ?? 0;
  }
}
