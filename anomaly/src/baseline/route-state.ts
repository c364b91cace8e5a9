import type { DetectorThresholds } from "../detect/thresholds.js";
import { HyperLogLog } from "../sketch/hyperloglog.js";
import { SizeSketch } from "../sketch/size-sketch.js";
import { SpaceSaving } from "../sketch/space-saving.js";
import { SUMMARY_HLL_P } from "../summary/summary.js";
import { CounterSeries, SERIES_COUNTERS } from "./counter-series.js";

/** Learning time of a route's body sizes and content types before they can fire, ms. */
export const ROUTE_WARMUP_MS = 300_000;
/** Length of one generation of the window sketches (failing clients, contributors), ms. */
export const WINDOW_GENERATION_MS = 30_000;
/** Rotation of the per-client norm sketches, ms. */
export const NORM_GENERATION_MS = 1_800_000;

/**
 * A node's state for one route (or one upstream: only `series` and `interval` are used): 1 s
 * buckets over 120 s with a 15 min half-life baseline and a 5 min warm-up; the window's failing
 * clients (HyperLogLog, two 30 s generations) and top failing clients (Space-Saving, 32);
 * learned body sizes (DDSketch) and content types; the route's per-client norms (p99 of the
 * clients' per-minute requests, new paths and failures, from DDSketches of two 30 min
 * generations); counts since the last summary.
 */
export class RouteState {
  readonly index: number;
  id: string;
  thresholds: DetectorThresholds;
  readonly series = new CounterSeries(1_000, 120, 900, 300);
  readonly interval = new Float64Array(SERIES_COUNTERS);
  readonly createdMs: number;
  readonly intervalFailing = new HyperLogLog(SUMMARY_HLL_P);
  readonly failingCur = new HyperLogLog(10);
  readonly failingPrev = new HyperLogLog(10);
  readonly failTopCur = new SpaceSaving(32);
  readonly failTopPrev = new SpaceSaving(32);
  generationMs: number;
  readonly sizes = new SizeSketch();
  intervalSizes = new SizeSketch();
  sizeP99 = 0;
  /** Content-type ids learned (256-bit set) and their counts while learning. */
  readonly knownTypes = new Uint32Array(8);
  readonly typeCounts = new Float64Array(256);
  lastNewType = 0;
  /** Per-client norms: p99 per minute of requests, new paths, failures. */
  readonly norm = new Float64Array(3);
  normCur = [new SizeSketch(), new SizeSketch(), new SizeSketch()];
  normPrev = [new SizeSketch(), new SizeSketch(), new SizeSketch()];
  normGenerationMs: number;
  /** Open detection kinds (bits) and until when, ms. */
  open = 0;
  openUntil = 0;
  /** True when the route saw a request since the last summary. */
  active = false;

  constructor(index: number, id: string, thresholds: DetectorThresholds, now: number) {
    this.index = index;
    this.id = id;
    this.thresholds = thresholds;
    this.createdMs = now;
    this.generationMs = now;
    this.normGenerationMs = now;
  }

  /** Distinct failing clients over the last 30–60 s. */
  failingClients(): number {
    const u = new HyperLogLog(10, this.failingCur.registers.slice());
    u.merge(this.failingPrev);
    return u.estimate();
  }

  /** Rotates the window sketches every {@link WINDOW_GENERATION_MS}. */
  rotateWindow(now: number): void {
    if (now - this.generationMs < WINDOW_GENERATION_MS) return;
    const stale = now - this.generationMs >= 2 * WINDOW_GENERATION_MS;
    this.failingPrev.clear();
    if (!stale) this.failingPrev.merge(this.failingCur);
    this.failingCur.clear();
    this.failTopPrev.clear();
    if (!stale) for (const [k, c] of this.failTopCur.top()) this.failTopPrev.add(k, c);
    this.failTopCur.clear();
    this.generationMs = now;
  }

  /** True when content type `id` is learned (or the route is still learning, which learns it). */
  knowsType(id: number, now: number): boolean {
    const bit = (this.knownTypes[id >>> 5]! >>> (id & 31)) & 1;
    if (bit === 1) return true;
    const c = ++this.typeCounts[id]!;
    // Learned while warming up, or once common (a type rolled out on purpose).
    if (now - this.createdMs < ROUTE_WARMUP_MS || c >= 500) {
      this.knownTypes[id >>> 5]! |= 1 << (id & 31);
      return true;
    }
    this.lastNewType = id;
    return false;
  }

  /** Adds one client's per-minute figures to the norms. */
  addNorm(requests: number, novel: number, failures: number): void {
    this.normCur[0]!.accept(requests);
    this.normCur[1]!.accept(novel);
    this.normCur[2]!.accept(failures);
  }

  /** Recomputes the cached norms (p99 over both generations) and rotates them when due. */
  refreshNorms(now: number): void {
    for (let c = 0; c < 3; c++) {
      const a = this.normCur[c]!;
      const b = this.normPrev[c]!;
      this.norm[c] = Math.max(a.count >= 50 ? a.quantile(0.99) : 0, b.count >= 50 ? b.quantile(0.99) : 0);
    }
    if (now - this.normGenerationMs >= NORM_GENERATION_MS) {
      this.normPrev = this.normCur;
      this.normCur = [new SizeSketch(), new SizeSketch(), new SizeSketch()];
      this.normGenerationMs = now;
    }
  }
}
