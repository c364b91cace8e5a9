/**
 * What a detector reports: a kind, the subject (a client, a route or an upstream), a score, the
 * numbers behind it, and one sentence a person reads ("41 failed logins/min from 203.0.113.7 on
 * route login, baseline 0.2"). Detections become security events (issue 17's schema: category
 * `anomaly`, `rule.name` = kind) and, in `enforce` mode, decisions (decision/decide.ts).
 */

/** Detection kinds; the index is the bit in per-subject "open" masks. */
export const DETECTION_KINDS = [
  "brute_force",
  "credential_stuffing",
  "enumeration",
  "volumetric",
  "error_rate",
  "payload",
  "fingerprint_churn",
] as const;
/** One of {@link DETECTION_KINDS}. */
export type DetectionKind = (typeof DETECTION_KINDS)[number];

/** Bit of a kind in an open mask. */
export const KIND_BIT: Readonly<Record<DetectionKind, number>> = Object.freeze(
  Object.fromEntries(DETECTION_KINDS.map((k, i) => [k, 1 << i])) as Record<DetectionKind, number>,
);

/** What a detection is about. */
export type SubjectType = "address" | "consumer" | "credential" | "route" | "upstream";

/** A subject: type and id (address text, consumer id, `cred:<hash hex>`, route id, upstream id). */
export interface Subject {
  readonly type: SubjectType;
  readonly id: string;
}

/** Where the detection was made: one node, or the control plane over a region or the fleet. */
export type DetectionLevel = "node" | "region" | "fleet";

/** A client that contributed to a route-level detection, with its counts in the window. */
export interface Contributor {
  readonly subject: Subject;
  /** Authentication failures (credential stuffing) or requests (other kinds) in the window. */
  readonly count: number;
}

/** One detection. Plain data (structured-clone and JSON safe). */
export interface Detection {
  /** `<kind>:<level>:<scope>:<subject type>:<subject id>:<atMs>`. */
  readonly id: string;
  readonly kind: DetectionKind;
  readonly level: DetectionLevel;
  /** Node id, region name, or `fleet`. */
  readonly scope: string;
  /** When it fired, ms on the detector's clock. */
  readonly atMs: number;
  readonly subject: Subject;
  /** The route the evidence is about (`""` for upstream subjects). */
  readonly route: string;
  /** observed ÷ threshold (≥ 1). */
  readonly score: number;
  /** The measured value, in `unit`. */
  readonly observed: number;
  /** The baseline it was compared with, in `unit`. */
  readonly baseline: number;
  /** The smallest value that fires, in `unit`. */
  readonly threshold: number;
  /** e.g. "failed logins/min". */
  readonly unit: string;
  /** One sentence for people. */
  readonly explanation: string;
  /** Clients behind a route-level detection, largest first (at most 32). */
  readonly contributors: readonly Contributor[];
}

/** A number for explanations: 1 decimal below 10, whole above. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return "0";
  return n < 10 ? (Math.round(n * 10) / 10).toString() : Math.round(n).toLocaleString("en");
}

/** Builds a detection's id and the fields every detection has. */
export function detection(
  kind: DetectionKind,
  level: DetectionLevel,
  scope: string,
  atMs: number,
  subject: Subject,
  route: string,
  observed: number,
  baseline: number,
  threshold: number,
  unit: string,
  explanation: string,
  contributors: readonly Contributor[] = [],
): Detection {
  return {
    id: `${kind}:${level}:${scope}:${subject.type}:${subject.id}:${Math.round(atMs)}`,
    kind,
    level,
    scope,
    atMs,
    subject,
    route,
    score: threshold > 0 ? observed / threshold : 1,
    observed,
    baseline,
    threshold,
    unit,
    explanation,
    contributors,
  };
}

/** A window test's figures (counter-series.ts SurgeTest), as far as a detection needs them. */
export interface WindowFigures {
  readonly observed: number;
  readonly expected: number;
  readonly threshold: number;
  readonly windowMs: number;
}

/**
 * A detection from a window test, its figures scaled to per minute; `explain` gets the observed
 * value and the baseline per minute.
 */
export function windowDetection(
  kind: DetectionKind,
  level: DetectionLevel,
  scope: string,
  now: number,
  subject: Subject,
  route: string,
  test: WindowFigures,
  unit: string,
  explain: (perMin: number, baselinePerMin: number) => string,
  contributors: readonly Contributor[] = [],
): Detection {
  const k = 60_000 / test.windowMs;
  const observed = test.observed * k;
  const baseline = test.expected * k;
  const why = explain(observed, baseline);
  return detection(
    kind,
    level,
    scope,
    now,
    subject,
    route,
    observed,
    baseline,
    test.threshold * k,
    unit,
    why,
    contributors,
  );
}
