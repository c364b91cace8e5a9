import type { Detection, DetectionKind } from "../detect/detection.js";
import type { Attack } from "./attacks.js";
import { EVAL_KINDS, type EvalRun } from "./simulate.js";

/** How long after an attack ends a detection of it still counts, ms (decayed counts take a minute to fall). */
export const GRACE_MS = 180_000;

/** Figures for one kind. */
export interface KindScore {
  readonly kind: DetectionKind;
  readonly instances: number;
  readonly found: number;
  /** found ÷ instances (1 when there were none). */
  readonly recall: number;
  /** Detections of this kind, and the true ones among them. */
  readonly detections: number;
  readonly truePositives: number;
  /** truePositives ÷ detections (1 when there were none). */
  readonly precision: number;
  /** Time to detect over the found instances, s: median and worst. */
  readonly ttdMedianS: number;
  readonly ttdMaxS: number;
  /** Instances found only by the control plane's merged view (not by any node). */
  readonly foundOnlyByFleet: number;
}

/** The scorer's output. */
export interface Score {
  readonly kinds: readonly KindScore[];
  readonly falseDetections: number;
  /** False detections per million normal requests. */
  readonly falsePerMillion: number;
  /** The false detections (for reading). */
  readonly falses: readonly Detection[];
  /** Attacks not found. */
  readonly missed: readonly Attack[];
  /** Found attacks with their time to detect, s, and the first detection's level and scope. */
  readonly found: ReadonlyArray<{ attack: Attack; ttdS: number; by: string }>;
}

/**
 * Scores a run against its ground truth. A detection (after the learning period) is true when
 * its subject is one of an active attack's subjects (attacker address, abused consumer or
 * credential, attacked route or upstream) between the attack's start and its end + GRACE_MS.
 * An attack is found when a detection of an accepted kind names one of its primary subjects in
 * that time; time to detect = first such detection − attack start.
 */
export function score(run: EvalRun): Score {
  const warm = run.options.warmupS * 1000;
  const found = new Map<Attack, { at: number; node: boolean; by: string }>();
  const per = new Map<DetectionKind, { n: number; tp: number }>();
  const falses: Detection[] = [];
  for (const d of run.detections) {
    if (d.atMs < warm) continue;
    const key = `${d.subject.type}:${d.subject.id}`;
    let truth = false;
    for (const a of run.attacks) {
      if (d.atMs < a.startMs || d.atMs > a.endMs + GRACE_MS || !a.subjects.has(key)) continue;
      truth = true;
      if (a.accepts.includes(d.kind) && a.primary.has(key)) {
        const f = found.get(a);
        const node = d.level === "node";
        const by = `${d.level} ${d.scope}`;
        if (f === undefined) found.set(a, { at: d.atMs, node, by });
        else found.set(a, { at: Math.min(f.at, d.atMs), node: f.node || node, by: d.atMs < f.at ? by : f.by });
      }
    }
    const p = per.get(d.kind) ?? { n: 0, tp: 0 };
    p.n++;
    if (truth) p.tp++;
    else falses.push(d);
    per.set(d.kind, p);
  }
  const kinds = EVAL_KINDS.map((kind): KindScore => {
    const instances = run.attacks.filter((a) => a.kind === kind);
    const hits = instances.filter((a) => found.has(a));
    const ttd = hits.map((a) => (found.get(a)!.at - a.startMs) / 1000).sort((x, y) => x - y);
    const p = per.get(kind) ?? { n: 0, tp: 0 };
    return {
      kind,
      instances: instances.length,
      found: hits.length,
      recall: instances.length === 0 ? 1 : hits.length / instances.length,
      detections: p.n,
      truePositives: p.tp,
      precision: p.n === 0 ? 1 : p.tp / p.n,
      ttdMedianS: ttd.length === 0 ? 0 : ttd[Math.floor(ttd.length / 2)]!,
      ttdMaxS: ttd.length === 0 ? 0 : ttd[ttd.length - 1]!,
      foundOnlyByFleet: hits.filter((a) => !found.get(a)!.node).length,
    };
  });
  return {
    kinds,
    falseDetections: falses.length,
    falsePerMillion: run.normalRequests > 0 ? (falses.length / run.normalRequests) * 1e6 : 0,
    falses,
    missed: run.attacks.filter((a) => !found.has(a)),
    found: [...found].map(([attack, f]) => ({ attack, ttdS: (f.at - attack.startMs) / 1000, by: f.by })),
  };
}

/** The `RESULT anomaly kind=<k> precision=<p> recall=<r> ttd_s=<t>` lines (ttd = worst found instance). */
export function resultLines(s: Score): string[] {
  return s.kinds.map(
    (k) =>
      `RESULT anomaly kind=${k.kind} precision=${k.precision.toFixed(3)} recall=${k.recall.toFixed(3)} ttd_s=${k.ttdMaxS.toFixed(1)}`,
  );
}
