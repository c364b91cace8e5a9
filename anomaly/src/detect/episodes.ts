import type { DetectionKind, Subject } from "./detection.js";

interface Episode {
  /** Last time the rule held, ms. */
  last: number;
  /** The rule was false at its latest evaluation. */
  quiet: boolean;
  /** When the rule went false (valid while `quiet`), ms. */
  quietSince: number;
  /** When the rule held again after a drop of at least `dropMs` (0: no such rise), ms. */
  rising: number;
}

/** When a firing rule opens a new episode of its subject, ms (see {@link OpenDetections}). */
export interface EpisodeTimes {
  /** Quiet time after which any rule opens a new episode; default 120,000. */
  readonly rearmMs?: number;
  /**
   * Route and upstream rules (windows over closed buckets): a drop at least this long, then a
   * rise that reaches `riseScore`, is a new attack; default 10,000.
   */
  readonly dropMs?: number;
  /** How long after the drop the rise may take to reach `riseScore`; default 60,000. */
  readonly riseMs?: number;
  /** Score (observed ÷ threshold) a rise after a drop must reach; default 2. */
  readonly riseScore?: number;
}

/**
 * Open detections by (kind, subject), bounded: a subject fires once per episode, so one long
 * attack is one detection, while a new attack on the same subject during an open episode is
 * reported again. The episode continues while the rule holds; a firing rule starts a new one when
 *
 * - the rule was false ({@link OpenDetections.miss}) and `rearmMs` passed since it last held (a
 *   rule still true when evaluated again, however late, continues the episode, so slowly fading
 *   evidence — a 10-minute fingerprint window — does not fire twice);
 * - for a route or upstream subject (windows over closed buckets, so a drop is the evidence
 *   leaving the window), the rule was false for at least `dropMs` and, within `riseMs` of holding
 *   again, reaches `riseScore` × its threshold: a new rise after a drop — the next credential
 *   stuffing run from new addresses while the first one's window has barely drained. An attack
 *   hovering at the threshold, whose window flaps above and below it, never reaches the score,
 *   and a steady one never drops, so neither is reported twice.
 */
export class OpenDetections {
  readonly #open = new Map<string, Episode>();
  readonly #rearmMs: number;
  readonly #dropMs: number;
  readonly #riseMs: number;
  readonly #riseScore: number;
  readonly #max: number;

  constructor(times: EpisodeTimes = {}, max = 50_000) {
    this.#rearmMs = times.rearmMs ?? 120_000;
    this.#dropMs = Math.min(times.dropMs ?? 10_000, this.#rearmMs);
    this.#riseMs = times.riseMs ?? 60_000;
    this.#riseScore = times.riseScore ?? 2;
    this.#max = max;
  }

  /**
   * Notes that (kind, subject) is above threshold at `now` (ms) with `score` (observed ÷
   * threshold, ≥ 1; the rise test uses it).
   * @returns true when this starts a new episode (report it)
   */
  hit(kind: DetectionKind, subject: Subject, now: number, score = 1): boolean {
    const key = `${kind}|${subject.type}|${subject.id}`;
    let e = this.#open.get(key);
    this.#open.delete(key);
    let fresh = e === undefined || (e.quiet && now - e.last > this.#rearmMs);
    if (!fresh && e !== undefined && (subject.type === "route" || subject.type === "upstream")) {
      if (e.quiet && now - e.quietSince >= this.#dropMs) e.rising = now;
      if (e.rising !== 0 && now - e.rising > this.#riseMs) e.rising = 0;
      if (e.rising !== 0 && score >= this.#riseScore) fresh = true;
    }
    if (fresh || e === undefined) e = { last: now, quiet: false, quietSince: 0, rising: 0 };
    e.last = now;
    e.quiet = false;
    this.#open.set(key, e);
    if (this.#open.size > this.#max) this.#open.delete(this.#open.keys().next().value!);
    return fresh;
  }

  /** Notes that the rule of (kind, subject) was evaluated at `now` (ms) and did not fire. */
  miss(kind: DetectionKind, subject: Subject, now: number): void {
    const e = this.#open.get(`${kind}|${subject.type}|${subject.id}`);
    if (e === undefined || e.quiet) return;
    e.quiet = true;
    e.quietSince = now;
  }

  /** Forgets episodes quiet for longer than the re-arm time. */
  prune(now: number): void {
    for (const [k, e] of this.#open) if (e.quiet && now - e.last > this.#rearmMs) this.#open.delete(k);
  }
}
