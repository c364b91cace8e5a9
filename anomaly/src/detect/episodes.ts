import type { Contributor, DetectionKind, Subject } from "./detection.js";

/** Contributors remembered per episode at most (the attack's address set). */
const MAX_MEMBERS = 4096;
/** Weight of the latest evaluation in an episode's running newcomer share. */
const SHARE_ALPHA = 0.3;

interface Episode {
  /** Last time the rule held, ms. */
  last: number;
  /** The rule was false at its latest evaluation. */
  quiet: boolean;
  /** When the rule went false (valid while `quiet`), ms. */
  quietSince: number;
  /** When this episode was last reported, ms. */
  reported: number;
  /** Contributors seen while the episode held (`type:id`), at most MAX_MEMBERS. */
  members: Set<string> | undefined;
  /** Running share of contributors new to the episode per evaluation (exponentially weighted). */
  newShare: number;
}

/** When a firing rule opens a new episode of its subject, ms (see {@link OpenDetections}). */
export interface EpisodeTimes {
  /** Quiet time after which any rule opens a new episode; default 120,000. */
  readonly rearmMs?: number;
  /**
   * Route and upstream rules (windows over closed buckets): the rule false this long and true
   * again is a new rise; default 60,000 (a whole 60 s window below the threshold).
   */
  readonly dropMs?: number;
  /** A new set of attacking clients is reported at most this often per subject; default 30,000. */
  readonly newSetMs?: number;
}

/**
 * Open detections by (kind, subject), bounded: a subject fires once per episode, so one long
 * attack is one detection, while a new attack on the same subject during an open episode is
 * reported again. The episode continues while the rule holds; a firing rule starts a new one when
 *
 * - the rule was false ({@link OpenDetections.miss}) and `rearmMs` passed since it last held (a
 *   rule still true when evaluated again, however late, continues the episode, so slowly fading
 *   evidence — a 10-minute fingerprint window — does not fire twice);
 * - for a route or upstream subject, the rule was false for `dropMs` and holds again (a new rise
 *   after a drop);
 * - its contributors are a new set of clients: at least half of them were never contributors of
 *   the episode, and that share is ≥ 0.3 above the episode's running share of newcomers (so an
 *   attacker who rotates addresses steadily, or never reuses one, stays one episode), at most
 *   once per `newSetMs`. Contributors are remembered per episode (≤ 4,096).
 */
export class OpenDetections {
  readonly #open = new Map<string, Episode>();
  readonly #rearmMs: number;
  readonly #dropMs: number;
  readonly #newSetMs: number;
  readonly #max: number;

  constructor(times: EpisodeTimes = {}, max = 50_000) {
    this.#rearmMs = times.rearmMs ?? 120_000;
    this.#dropMs = Math.min(times.dropMs ?? 60_000, this.#rearmMs);
    this.#newSetMs = times.newSetMs ?? 30_000;
    this.#max = max;
  }

  /**
   * Notes that (kind, subject) is above threshold at `now` (ms), with the detection's
   * contributors (route-level rules; none for client rules).
   * @returns true when this starts a new episode (report it)
   */
  hit(kind: DetectionKind, subject: Subject, now: number, contributors: readonly Contributor[] = []): boolean {
    const key = `${kind}|${subject.type}|${subject.id}`;
    let e = this.#open.get(key);
    this.#open.delete(key);
    let fresh = e === undefined;
    if (e !== undefined) {
      const windowed = subject.type === "route" || subject.type === "upstream";
      if (e.quiet && (now - e.last > this.#rearmMs || (windowed && now - e.quietSince >= this.#dropMs))) fresh = true;
      else if (contributors.length > 0 && this.#newSet(e, contributors, now)) fresh = true;
    }
    if (fresh || e === undefined) {
      e = { last: now, quiet: false, quietSince: 0, reported: now, members: undefined, newShare: 0 };
    }
    e.last = now;
    e.quiet = false;
    if (contributors.length > 0) {
      e.members ??= new Set();
      for (const c of contributors) {
        if (e.members.size >= MAX_MEMBERS) break;
        e.members.add(`${c.subject.type}:${c.subject.id}`);
      }
    }
    this.#open.set(key, e);
    if (this.#open.size > this.#max) this.#open.delete(this.#open.keys().next().value!);
    return fresh;
  }

  /** Updates the episode's newcomer share with `contributors`: true when they are a new set. */
  #newSet(e: Episode, contributors: readonly Contributor[], now: number): boolean {
    const members = e.members;
    if (members === undefined || members.size === 0) return false;
    let unseen = 0;
    for (const c of contributors) if (!members.has(`${c.subject.type}:${c.subject.id}`)) unseen++;
    const share = unseen / contributors.length;
    const isNew = now - e.reported >= this.#newSetMs && share >= 0.5 && share >= e.newShare + 0.3;
    e.newShare += SHARE_ALPHA * (share - e.newShare);
    return isNew;
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
