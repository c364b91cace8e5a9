import { ClientKind, ClientTable, FAST } from "./baseline/client-table.js";
import { DetectorClock } from "./baseline/clock.js";
import { SERIES, type SurgeTest } from "./baseline/counter-series.js";
import { RouteState } from "./baseline/route-state.js";
import { bruteForce } from "./detect/brute-force.js";
import { type Contributor, type Detection, type DetectionKind, KIND_BIT, type Subject } from "./detect/detection.js";
import { enumeration } from "./detect/enumeration.js";
import { OpenDetections } from "./detect/episodes.js";
import { fingerprintChurn } from "./detect/fingerprint-churn.js";
import { payload } from "./detect/payload.js";
import { errorRules, type RouteRuleInput, routeRules } from "./detect/route-rules.js";
import { Thresholds } from "./detect/thresholds.js";
import { clientBurst } from "./detect/volumetric.js";
import { AnomalyError } from "./errors.js";
import { formatAddress } from "./record/address.js";
import { contentTypeName } from "./record/content-type.js";
import { AuthOutcome, NO_OBJECT_ID } from "./record/layout.js";
import type { RecordView } from "./record/record-reader.js";
import { TwoGenerationBloom } from "./sketch/bloom.js";
import { CountMinSketch } from "./sketch/count-min.js";
import { buildSummary } from "./summary/build.js";
import { type NodeSummary, SUMMARY_CMS_DEPTH, SUMMARY_CMS_WIDTH } from "./summary/summary.js";

/** Ids by interned index (index 0 = none), as the data plane's Interners give them. */
export interface EngineNames {
  readonly routes: readonly string[];
  readonly upstreams: readonly string[];
  readonly consumers: readonly string[];
}

/** Options of a {@link DetectorEngine}. */
export interface EngineOptions {
  /** This node's id and region (scope of its detections and summaries). */
  readonly nodeId: string;
  readonly region: string;
  /** Called with each new detection (once per episode and subject). */
  readonly onDetection: (d: Detection) => void;
  readonly thresholds?: Thresholds;
  readonly names?: EngineNames;
  /** Tracked clients (a power of two); default 131,072 (≈ 22 MiB). */
  readonly clientCapacity?: number;
  /** Routes and upstreams tracked at most (more share the last slot); default 4,096. */
  readonly maxRoutes?: number;
  /** An open episode closes after this long without the rule firing, ms; default 120,000. */
  readonly rearmMs?: number;
}

/** Counters of the engine itself (for metrics and the bench). */
export interface EngineStats {
  records: number;
  detections: number;
  clockJumps: number;
  lateRecords: number;
  clientsTracked: number;
  clientsEvicted: number;
  clientsRefused: number;
  /** Typed-array bytes held by the tracked clients, Bloom filter and routes (estimate). */
  memoryBytes: number;
}

/** Route rule windows, in 1 s buckets: 5 s (fast runs) and 60 s (slow runs). */
const WINDOWS = [5, 60] as const;
const ROUTE_KINDS = ["credential_stuffing", "volumetric", "error_rate"] as const;
const KIND_NAMES: Record<number, Subject["type"]> = { 1: "address", 2: "consumer", 3: "credential" };

/**
 * The detector engine of one node: reads records (record-reader.ts), keeps the baselines (a
 * {@link RouteState} per route and upstream, a {@link ClientTable} of clients, a two-generation
 * Bloom filter of (client, path) pairs), runs the client rules as each record arrives and the
 * route rules once per second, and builds the node's summary for the control plane. Runs in the
 * detector worker (worker/worker-main.ts) or in-process (the evaluation harness, tests). All
 * times are the record times, through a {@link DetectorClock} (clock jumps are re-anchored).
 */
export class DetectorEngine {
  readonly nodeId: string;
  readonly region: string;
  readonly #onDetection: (d: Detection) => void;
  #thresholds: Thresholds;
  #names: EngineNames;
  readonly #clock = new DetectorClock();
  readonly #table: ClientTable;
  readonly #bloom = new TwoGenerationBloom(23, 800_000, 4);
  readonly #routes: Array<RouteState | undefined> = [];
  readonly #upstreams: Array<RouteState | undefined> = [];
  readonly #maxRoutes: number;
  readonly #rearmMs: number;
  /** Episodes of the route and upstream rules. */
  readonly #routeEpisodes: OpenDetections;
  readonly #failures = new CountMinSketch(SUMMARY_CMS_WIDTH, SUMMARY_CMS_DEPTH);
  readonly #touched: Int32Array;
  #touchedCount = 0;
  readonly #touchedMark: Uint32Array;
  #summarySeq = 1;
  #intervalStart = Number.NaN;
  #intervalRecords = 0;
  #dropped = 0;
  #second = -1;
  #minute = -1;
  readonly #test: SurgeTest = { observed: 0, expected: 0, threshold: 0, windowMs: 0 };
  readonly #stats: EngineStats = {
    records: 0,
    detections: 0,
    clockJumps: 0,
    lateRecords: 0,
    clientsTracked: 0,
    clientsEvicted: 0,
    clientsRefused: 0,
    memoryBytes: 0,
  };

  /** @throws AnomalyError ENGINE_OPTIONS_INVALID for a bad capacity or limit */
  constructor(o: EngineOptions) {
    this.nodeId = o.nodeId;
    this.region = o.region;
    this.#onDetection = o.onDetection;
    this.#thresholds = o.thresholds ?? new Thresholds();
    this.#names = o.names ?? { routes: [], upstreams: [], consumers: [] };
    try {
      this.#table = new ClientTable(o.clientCapacity ?? 131_072);
    } catch (e) {
      throw new AnomalyError("ENGINE_OPTIONS_INVALID", "clientCapacity", (e as Error).message);
    }
    this.#maxRoutes = o.maxRoutes ?? 4096;
    if (!Number.isInteger(this.#maxRoutes) || this.#maxRoutes < 1 || this.#maxRoutes > 65_536) {
      throw new AnomalyError("ENGINE_OPTIONS_INVALID", "maxRoutes", "an integer in 1..65536");
    }
    this.#rearmMs = o.rearmMs ?? 120_000;
    this.#routeEpisodes = new OpenDetections({ rearmMs: this.#rearmMs });
    this.#touched = new Int32Array(this.#table.capacity);
    this.#touchedMark = new Uint32Array(this.#table.capacity);
  }

  /** Replaces the thresholds (a new config version); routes pick them up at once. */
  setThresholds(t: Thresholds): void {
    this.#thresholds = t;
    for (const r of this.#routes) if (r !== undefined) r.thresholds = t.forRoute(r.id);
  }

  /** Replaces the id tables (after the data plane interned a new config). */
  setNames(n: EngineNames): void {
    this.#names = n;
    for (const r of this.#routes) if (r !== undefined) r.id = this.#routeId(r.index);
    this.setThresholds(this.#thresholds);
  }

  /** Notes the ring's drop counter (reported in summaries). */
  setDropped(n: number): void {
    this.#dropped = n;
  }

  /** A route's id; index 0 (a request refused before routing) is `(no route)`, never "" (summaries refuse empty ids). */
  #routeId(i: number): string {
    return this.#names.routes[i] || (i === 0 ? "(no route)" : `#${i}`);
  }

  #route(i: number, now: number): RouteState {
    const at = i < this.#maxRoutes ? i : this.#maxRoutes - 1;
    let r = this.#routes[at];
    if (r === undefined) {
      const id = this.#routeId(at);
      r = new RouteState(at, id, this.#thresholds.forRoute(id), now);
      r.series.advance(now);
      this.#routes[at] = r;
    }
    return r;
  }

  #upstream(i: number, now: number): RouteState {
    const at = i < this.#maxRoutes ? i : this.#maxRoutes - 1;
    let u = this.#upstreams[at];
    if (u === undefined) {
      u = new RouteState(
        at,
        this.#names.upstreams[at] || (at === 0 ? "(no upstream)" : `#${at}`),
        this.#thresholds.defaults,
        now,
      );
      u.series.advance(now);
      this.#upstreams[at] = u;
    }
    return u;
  }

  /** Moves the engine's time to `t` (ms, the records' clock) with no record: runs the per-second rules. */
  advance(t: number): void {
    const now = this.#clock.at(t);
    if (Math.floor(now / 1000) !== this.#second) this.#tick(now);
  }

  /** Reads one record: updates baselines, runs the client rules. */
  ingest(r: RecordView): void {
    const now = this.#clock.at(r.timeMs);
    if (Math.floor(now / 1000) !== this.#second) this.#tick(now);
    if (Number.isNaN(this.#intervalStart)) this.#intervalStart = now;
    this.#stats.records++;
    this.#intervalRecords++;
    const route = this.#route(r.route, now);
    const th = route.thresholds;
    route.active = true;
    const s = route.series;
    const st = r.status;
    const failed = r.auth === AuthOutcome.failed || st === 401;
    const denied = !failed && (r.auth === AuthOutcome.denied || st === 403);
    s.add(SERIES.requests);
    route.interval[SERIES.requests]!++;
    if (failed) {
      s.add(SERIES.authFailures);
      route.interval[SERIES.authFailures]!++;
    } else if (denied) {
      s.add(SERIES.authDenied);
      route.interval[SERIES.authDenied]!++;
    } else if (st >= 500) {
      s.add(SERIES.status5xx);
      route.interval[SERIES.status5xx]!++;
    } else if (st >= 400) {
      s.add(SERIES.status4xx);
      route.interval[SERIES.status4xx]!++;
    }
    let oversized = false;
    if (r.requestBytes > 0) {
      const limit = Math.max(th.payload.minBytes, th.payload.sizeFactor * route.sizeP99);
      if (route.sizeP99 > 0 && r.requestBytes > limit) {
        oversized = true;
        s.add(SERIES.oversized);
        route.interval[SERIES.oversized]!++;
      } else {
        route.sizes.accept(r.requestBytes);
      }
      route.intervalSizes.accept(r.requestBytes);
    }
    let newType = false;
    if (r.contentType !== 0 && !route.knowsType(r.contentType, now)) {
      newType = true;
      s.add(SERIES.newContentType);
      route.interval[SERIES.newContentType]!++;
    }
    if (r.upstream !== 0) {
      const u = this.#upstream(r.upstream, now);
      u.active = true;
      u.series.add(SERIES.requests);
      u.interval[SERIES.requests]!++;
      if (st >= 500) {
        u.series.add(SERIES.status5xx);
        u.interval[SERIES.status5xx]!++;
      } else if (st >= 400 && !failed && !denied) {
        u.series.add(SERIES.status4xx);
        u.interval[SERIES.status4xx]!++;
      }
    }
    const t = this.#table;
    const addressHash = (r.a3 ^ Math.imul(r.a2 ^ r.a1 ^ r.a0, 0x9e3779b1)) >>> 0;
    if (r.addressValid) {
      const i = t.touch(ClientKind.address, r.a0, r.a1, r.a2, r.a3, now);
      if (failed) {
        this.#failures.add(
          ClientTable.hashLo(ClientKind.address, r.a0, r.a1, r.a2, r.a3),
          ClientTable.hashHi(ClientKind.address, r.a0, r.a1, r.a2, r.a3),
        );
        route.failingCur.add(addressHash);
        route.intervalFailing.add(addressHash);
      }
      if (i >= 0) {
        if (failed) route.failTopCur.add(i);
        this.#client(i, route, r, now, failed, oversized, newType, false, 0);
      }
    }
    if (r.consumer !== 0) {
      const i = t.touch(ClientKind.consumer, r.consumer, 0, 0, 0, now);
      if (i >= 0) this.#client(i, route, r, now, failed, oversized, newType, true, addressHash);
    }
    if (r.credential !== 0) {
      const i = t.touch(ClientKind.credential, r.credential, 0, 0, 0, now);
      if (i >= 0) this.#client(i, route, r, now, failed, oversized, newType, true, addressHash);
    }
  }

  /** Updates client entry `i` with the record and runs the client rules whose counter moved. */
  #client(
    i: number,
    route: RouteState,
    r: RecordView,
    now: number,
    failed: boolean,
    oversized: boolean,
    newType: boolean,
    identity: boolean,
    addressHash: number,
  ): void {
    const t = this.#table;
    const th = route.thresholds;
    t.route[i] = route.index;
    if (this.#touchedMark[i] !== this.#summarySeq) {
      this.#touchedMark[i] = this.#summarySeq;
      if (this.#touchedCount < this.#touched.length) this.#touched[this.#touchedCount++] = i;
    }
    const req = t.count(i, FAST.requests);
    if (req >= th.volumetric.clientMinPerMin) {
      this.#fire(i, "volumetric", now, () =>
        clientBurst(
          th.volumetric,
          "node",
          this.nodeId,
          now,
          this.#subject(i),
          route.id,
          req,
          t.baseline(i, FAST.requests, now),
          route.norm[0]!,
        ),
      );
    }
    if (failed) {
      const f = t.count(i, FAST.failures);
      if (f >= th.bruteForce.minPerMin) {
        this.#fire(i, "brute_force", now, () =>
          bruteForce(
            th.bruteForce,
            "node",
            this.nodeId,
            now,
            this.#subject(i),
            route.id,
            f,
            t.baseline(i, FAST.failures, now),
            route.norm[2]!,
          ),
        );
      }
    }
    if (r.objectId !== NO_OBJECT_ID) t.walk(i, r.objectId);
    if (!failed && this.#bloom.insert(t.lo[i]!, r.pathHash ^ Math.imul(route.index, 0x2545f491))) {
      const n = t.count(i, FAST.novel);
      if (n >= th.enumeration.minPerMin / 2) {
        this.#fire(i, "enumeration", now, () =>
          enumeration(
            th.enumeration,
            "node",
            this.nodeId,
            now,
            this.#subject(i),
            route.id,
            n,
            t.seqRun[i]!,
            t.baseline(i, FAST.novel, now),
            route.norm[1]!,
          ),
        );
      }
    }
    if (oversized || newType) {
      const o = oversized ? t.count(i, FAST.oversized) : t.rate(i, FAST.oversized);
      const n = newType ? t.count(i, FAST.newContentType) : t.rate(i, FAST.newContentType);
      if (o + n >= th.payload.minPerMin) {
        this.#fire(i, "payload", now, () =>
          payload(
            th.payload,
            "node",
            this.nodeId,
            now,
            this.#subject(i),
            route.id,
            o,
            n,
            route.sizeP99,
            contentTypeName(route.lastNewType),
          ),
        );
      }
    }
    if (identity) {
      t.fingerprint(i, r.uaHash, addressHash);
      const p = t.distinctPrints(i);
      const fc = th.fingerprintChurn;
      if (p.addresses >= fc.minAddresses || p.userAgents >= fc.minUserAgents) {
        this.#fire(i, "fingerprint_churn", now, () =>
          fingerprintChurn(
            fc,
            "node",
            this.nodeId,
            now,
            this.#subject(i),
            route.id,
            p.addresses,
            p.userAgents,
            t.printMax[i * 2]!,
            t.printMax[i * 2 + 1]!,
          ),
        );
      }
    }
  }

  /**
   * Runs a client rule. While an episode of `kind` is open on entry `i` a firing rule only keeps
   * it open; the episode ends when the rule is false and `rearmMs` passed since it last fired.
   */
  #fire(i: number, kind: DetectionKind, now: number, rule: () => Detection | null): void {
    const t = this.#table;
    const bit = KIND_BIT[kind];
    if ((t.openKinds[i]! & bit) !== 0) {
      // Open: re-check at most once per half re-arm time (a check builds the explanation).
      if (now < t.alertUntil[i]! - this.#rearmMs / 2) return;
      if (rule() !== null) t.alertUntil[i] = now + this.#rearmMs;
      else if (t.alertUntil[i]! <= now) t.openKinds[i]! &= ~bit;
      return;
    }
    const d = rule();
    if (d === null) return;
    t.openKinds[i]! |= bit;
    t.alertUntil[i] = now + this.#rearmMs;
    this.#emit(d);
  }

  #emit(d: Detection): void {
    this.#stats.detections++;
    try {
      this.#onDetection(d);
    } catch {
      // A failing listener must not stop detection.
    }
  }

  /** The subject of client entry `i`. */
  #subject(i: number): Subject {
    const t = this.#table;
    const k = t.kind[i]!;
    const k0 = t.keys[i * 4]!;
    if (k === ClientKind.address) {
      return { type: "address", id: formatAddress(k0, t.keys[i * 4 + 1]!, t.keys[i * 4 + 2]!, t.keys[i * 4 + 3]!) };
    }
    if (k === ClientKind.consumer) return { type: "consumer", id: this.#names.consumers[k0] ?? `#${k0}` };
    return { type: KIND_NAMES[k] ?? "credential", id: `cred:${k0.toString(16).padStart(8, "0")}` };
  }

  /** Per-second work: close buckets, run the route and upstream rules; per minute: the norms. */
  #tick(now: number): void {
    this.#second = Math.floor(now / 1000);
    for (const r of this.#routes) {
      if (r === undefined) continue;
      const closed = r.series.advance(now);
      r.rotateWindow(now);
      if (r.open !== 0 && r.openUntil <= now) {
        r.open = 0;
        r.series.paused = 0;
      }
      if (closed > 0 && r.series.warm) {
        const at = { type: "route" as const, id: r.id };
        for (const k of ROUTE_KINDS) this.#routeEpisodes.miss(k, at, now);
        routeRules(this.#ruleInput(r, now), this.#test);
      }
      if (closed > 0 && r.sizes.count >= 200) r.sizeP99 = r.sizes.quantile(0.99);
    }
    for (const u of this.#upstreams) {
      if (u === undefined) continue;
      const closed = u.series.advance(now);
      if (u.open !== 0 && u.openUntil <= now) {
        u.open = 0;
        u.series.paused = 0;
      }
      if (closed > 0 && u.series.warm) {
        this.#routeEpisodes.miss("error_rate", { type: "upstream", id: u.id }, now);
        errorRules({ ...this.#ruleInput(u, now), route: "" }, { type: "upstream", id: u.id }, this.#test);
      }
    }
    const minute = Math.floor(now / 60_000);
    if (minute !== this.#minute) {
      this.#minute = minute;
      this.#refreshNorms(now);
      this.#routeEpisodes.prune(now);
    }
  }

  #ruleInput(r: RouteState, now: number): RouteRuleInput {
    return {
      level: "node",
      scope: this.nodeId,
      now,
      route: r.id,
      series: r.series,
      thresholds: r.thresholds,
      windows: WINDOWS,
      failingClients: () => r.failingClients(),
      contributors: () => this.#contributors(r),
      fire: (kind, counters, d) => this.#routeFire(r, kind, counters, now, d),
    };
  }

  /**
   * Emits a route-level detection when it starts an episode (detect/episodes.ts: the first one,
   * or a new rise after a drop); pauses learning of `counters`.
   */
  #routeFire(r: RouteState, kind: DetectionKind, counters: number, now: number, d: Detection): void {
    const bit = KIND_BIT[kind];
    r.series.paused |= counters;
    r.open |= bit;
    r.openUntil = now + this.#rearmMs;
    if (this.#routeEpisodes.hit(kind, d.subject, now, d.score)) this.#emit(d);
  }

  #contributors(r: RouteState): Contributor[] {
    const counts = new Map<number, number>();
    for (const [k, c] of r.failTopPrev.top()) counts.set(k, c);
    for (const [k, c] of r.failTopCur.top()) counts.set(k, (counts.get(k) ?? 0) + c);
    return [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 32)
      .map(([i, count]) => ({ subject: this.#subject(i), count }));
  }

  #refreshNorms(now: number): void {
    const t = this.#table;
    const n = t.size;
    for (let i = 0; i < n; i++) {
      if (now - t.lastMs[i]! > 60_000 || t.openKinds[i] !== 0 || t.kind[i] !== ClientKind.address) continue;
      const r = this.#routes[t.route[i]!];
      if (r === undefined) continue;
      const f = Math.exp(-(now - t.lastMs[i]!) / 60_000);
      r.addNorm(t.rate(i, FAST.requests) * f, t.rate(i, FAST.novel) * f, t.rate(i, FAST.failures) * f);
    }
    for (const r of this.#routes) r?.refreshNorms(now);
  }

  /**
   * The node's summary of the interval since the last call (then starts a new interval): see
   * summary/summary.ts. Call every 5 s (worker) or at each simulated interval (evaluation).
   */
  takeSummary(): NodeSummary {
    const now = this.#clock.now === Number.NEGATIVE_INFINITY ? 0 : this.#clock.now;
    const summary = buildSummary({
      nodeId: this.nodeId,
      region: this.region,
      seq: this.#summarySeq,
      startMs: Number.isNaN(this.#intervalStart) ? now : this.#intervalStart,
      endMs: now,
      records: this.#intervalRecords,
      dropped: this.#dropped,
      routes: this.#routes,
      upstreams: this.#upstreams,
      table: this.#table,
      touched: this.#touched.subarray(0, this.#touchedCount),
      failures: this.#failures,
      subject: (i) => this.#subject(i),
      routeId: (i) => this.#routeId(i),
    });
    this.#summarySeq = (this.#summarySeq + 1) >>> 0 || 1;
    this.#touchedCount = 0;
    this.#intervalStart = now;
    this.#intervalRecords = 0;
    this.#failures.clear();
    return summary;
  }

  /** The engine's counters now. */
  stats(): EngineStats {
    const s = this.#stats;
    s.clockJumps = this.#clock.jumps;
    s.lateRecords = this.#clock.late;
    s.clientsTracked = this.#table.size;
    s.clientsEvicted = this.#table.evicted;
    s.clientsRefused = this.#table.refused;
    let routes = 0;
    for (const r of this.#routes) if (r !== undefined) routes++;
    for (const u of this.#upstreams) if (u !== undefined) routes++;
    s.memoryBytes =
      this.#table.bytes +
      this.#bloom.bytes +
      this.#touched.byteLength +
      this.#touchedMark.byteLength +
      routes * 48 * 1024;
    return { ...s };
  }
}
