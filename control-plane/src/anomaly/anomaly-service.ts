import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  AnomalyError,
  DETECTION_KINDS,
  type Decision,
  type DecisionTarget,
  DenyList,
  type Detection,
  decide,
  type Enforcement,
  FleetView,
  manualDecision,
  type Thresholds,
} from "@palisade/anomaly";
import { anomalyDetectedEvent, ecsJson, type PalisadeEvent, Redactor, toEcs } from "@palisade/events";
import {
  AnomalyAction,
  type AnomalyDecision,
  type AnomalySummary,
  type SecurityEventBatch,
  SecurityEventBatchSchema,
  type StreamConfigResponse,
  StreamConfigResponseSchema,
} from "@palisade/proto";
import type { Logger } from "../log.js";
import { softwareVersion } from "../version.js";
import { RouteBaselines } from "./route-baselines.js";
import { summaryFromMessage } from "./summary-message.js";

/** Where the service stores its security events (the SecurityEventIntake: same store, same live stream). */
export interface AnomalyEventSink {
  ingest(node: { readonly id: string; readonly region: string }, batch: SecurityEventBatch): unknown;
}

/** Options of an {@link AnomalyService}. */
export interface AnomalyServiceOptions {
  readonly log: Logger;
  /** Security events of detections and decisions; absent in unit tests that need none. */
  readonly events?: AnomalyEventSink | undefined;
  /** Sends a message to every node's stream (SyncServer.broadcast). */
  readonly broadcast: (msg: StreamConfigResponse) => void;
  /** Detections kept for `GET /v1/anomalies/detections`; default 1,000. */
  readonly recent?: number;
  /** Clock, ms. */
  readonly now?: () => number;
}

/** A detection as the admin API lists it. */
export interface DetectionView extends Detection {
  /** When the control plane made it, Unix ms. */
  readonly detectedAtMs: number;
  readonly mode: "detect" | "enforce";
  /** Decisions it led to (in detect mode: what would have been decided, not enforced). */
  readonly decisions: number;
}

/** Counters for `/metrics` and the admin API. */
export interface AnomalyCounters {
  readonly summaries: number;
  /** Summaries refused, by code (`SUMMARY_MALFORMED`, `SUMMARY_TOO_LARGE`). */
  readonly refused: Readonly<Record<string, number>>;
  /** Summaries ignored because detection is off. */
  readonly ignored: number;
  readonly detections: number;
  readonly decisions: number;
  readonly pushes: number;
}

/** The control plane's identity on the events it makes itself. */
const CONTROL_PLANE = "control-plane";

/**
 * The control plane's side of anomaly detection (issue 16): nodes' summaries (validated — a
 * malformed one is refused and counted, never merged) go into one @palisade/anomaly FleetView,
 * which merges them per route, region and fleet and runs the detectors once a second on the
 * merged figures. Every detection is a security event (category `anomaly`, with its
 * explanation) stored with the nodes' events; in `enforce` mode it also becomes decisions
 * (deny or throttle a client for a TTL, never an allow-listed one), pushed to every node's
 * stream at once as an `AnomalyDecisionUpdate` (a small message, not a config version), each a
 * security event too. Operators add and lift decisions by hand ({@link block}, {@link unblock}).
 * Memory is bounded: the FleetView's scopes (≤ 4,096 routes, ≤ 100,000 clients each), the
 * deny list (≤ 100,000), the recent detections (1,000) and the route baselines (≤ 512 routes).
 */
export class AnomalyService {
  readonly #log: Logger;
  readonly #events: AnomalyEventSink | undefined;
  readonly #broadcast: (msg: StreamConfigResponse) => void;
  readonly #now: () => number;
  readonly #recentMax: number;
  readonly #recent: DetectionView[] = [];
  readonly #deny = new DenyList();
  readonly #baselines = new RouteBaselines();
  readonly #redactor = new Redactor();
  #fleet: FleetView;
  #settings: { thresholds: Thresholds; enforcement: Enforcement } | null = null;
  #timer: NodeJS.Timeout | undefined;
  #summaries = 0;
  readonly #refused: Record<string, number> = {};
  #ignored = 0;
  #detections = 0;
  #decisions = 0;
  #pushes = 0;
  #lastWarnMs = 0;
  /**
   * When an operator last lifted a decision, by target key: a detection that fired before then
   * (a node's event still on its way) does not put it back. Bounded like {@link #seen}.
   */
  #liftedAt = new Map<string, number>();
  /** Ids of node events already decided on (a batch may be resent). */
  readonly #seen = new Set<string>();

  constructor(o: AnomalyServiceOptions) {
    this.#log = o.log;
    this.#events = o.events;
    this.#broadcast = o.broadcast;
    this.#now = o.now ?? Date.now;
    this.#recentMax = o.recent ?? 1000;
    this.#fleet = this.#newFleet();
  }

  #newFleet(): FleetView {
    return new FleetView({
      onDetection: (d) => this.#detected(d),
      ...(this.#settings ? { thresholds: this.#settings.thresholds } : {}),
    });
  }

  /** Runs the detectors once a second (and expires decisions). */
  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => this.tick(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The published settings (`null`: detection off, nothing merged, decisions kept until they expire). */
  setSettings(s: { thresholds: Thresholds; enforcement: Enforcement } | null): void {
    const was = this.#settings;
    this.#settings = s;
    if (s && was) this.#fleet.setThresholds(s.thresholds);
    else if (s) this.#fleet = this.#newFleet();
  }

  /** The mode in force, `off` when detection is off. */
  get mode(): "detect" | "enforce" | "off" {
    return this.#settings?.enforcement.mode ?? "off";
  }

  /**
   * One node's summary from its stream: validated, merged. A malformed summary is refused and
   * counted (the node keeps its stream: its next one may be fine).
   * @returns the refusal's code, or `undefined` when merged (or ignored: detection off)
   */
  summary(node: { readonly id: string; readonly region: string }, m: AnomalySummary): string | undefined {
    if (this.#settings === null) {
      this.#ignored++;
      return undefined;
    }
    let s: ReturnType<typeof summaryFromMessage>;
    try {
      s = summaryFromMessage(m, node);
    } catch (err) {
      if (!(err instanceof AnomalyError)) throw err;
      this.#refused[err.code] = (this.#refused[err.code] ?? 0) + 1;
      const now = this.#now();
      if (now - this.#lastWarnMs > 10_000) {
        this.#lastWarnMs = now;
        this.#log.warn({ node: node.id, code: err.code, field: err.field }, "anomaly summary refused (malformed)");
      }
      return err.code;
    }
    this.#summaries++;
    const now = this.#now();
    this.#fleet.add(s, now);
    this.#baselines.add(s, now);
    return undefined;
  }

  /** Runs the detectors on the merged figures and lifts expired decisions. */
  tick(): void {
    const now = this.#now();
    if (this.#settings !== null) this.#fleet.advance(now);
    const before = this.#deny.list(Number.NEGATIVE_INFINITY);
    const after = new Set(this.#deny.list(now).map((d) => d.id));
    const expired = before.filter((d) => !after.has(d.id));
    if (expired.length > 0) {
      this.#push(
        false,
        [],
        expired.map((d) => key(d.target)),
      );
      this.#emit(expired.map((d) => liftedEvent(d, now, "expired")));
    }
  }

  /**
   * A node's security events: its own anomaly detections (the kinds only a node sees, payloads
   * among them) are listed and decided on like the fleet view's; the intake already stored the
   * events. Each is read defensively (a node is trusted for its own traffic, not for its JSON);
   * a resent event is taken once.
   */
  nodeEvents(node: { readonly id: string; readonly region: string }, batch: SecurityEventBatch): void {
    if (this.#settings === null) return;
    for (const e of batch.events) {
      if (e.ecsJson.length > 16 * 1024 || this.#seen.has(e.id) || !e.ecsJson.includes('"anomaly"')) continue;
      const d = nodeDetection(e.ecsJson, node.id, this.#now());
      if (d === undefined) continue;
      this.#seen.add(e.id);
      if (this.#seen.size > 10_000) this.#seen.delete(this.#seen.values().next().value!);
      this.#detected(d.detection, false, d.firedAtMs);
    }
  }

  /** @param firedAtMs when the detector fired (a node's clock for its own detections) */
  #detected(d: Detection, emitDetection = true, firedAtMs = this.#now()): void {
    const now = this.#now();
    const settings = this.#settings;
    if (settings === null) return;
    this.#detections++;
    const decisions = decide(d, settings.enforcement, now);
    const view: DetectionView = {
      ...d,
      detectedAtMs: now,
      mode: settings.enforcement.mode,
      decisions: decisions.length,
    };
    this.#recent.push(view);
    if (this.#recent.length > this.#recentMax) this.#recent.shift();
    this.#log.info(
      { anomaly: { kind: d.kind, level: d.level, scope: d.scope, subject: d.subject, score: d.score } },
      `anomaly detected: ${d.explanation}`,
    );
    const events: PalisadeEvent[] = emitDetection ? [anomalyDetectedEvent(d, now, settings.enforcement.mode)] : [];
    const changed: Decision[] = [];
    for (const x of decisions) {
      events.push(decisionEvent(x));
      if (!x.enforced) continue;
      const lifted = this.#liftedAt.get(key(x.target));
      if (lifted !== undefined && firedAtMs <= lifted) continue; // lifted by an operator since it fired
      const held = this.#deny.lookupTarget(x.target, now);
      if (held !== undefined && held.action === x.action) continue; // already in force: no push
      if (this.#deny.add(x)) changed.push(x);
    }
    this.#decisions += changed.length;
    if (changed.length > 0) this.#push(false, changed, []);
    this.#emit(events);
  }

  /**
   * An operator's decision (admin API, CLI, web admin): allow lists do not apply.
   * @returns the decision, pushed to every node
   */
  block(target: DecisionTarget, action: "deny" | "throttle", ttlS: number, reason: string, ratePerS = 1): Decision {
    const now = this.#now();
    const d = manualDecision(target, action, ttlS, now, reason, ratePerS);
    this.#deny.remove(target);
    this.#deny.add(d);
    this.#decisions++;
    this.#push(false, [d], []);
    this.#emit([decisionEvent(d)]);
    return d;
  }

  /** Lifts the decision on a client. @returns false when there was none */
  unblock(target: DecisionTarget): boolean {
    const now = this.#now();
    const d = this.#deny.lookupTarget(target, now);
    if (!this.#deny.remove(target)) return false;
    this.#liftedAt.delete(key(target));
    this.#liftedAt.set(key(target), now);
    if (this.#liftedAt.size > 10_000) this.#liftedAt.delete(this.#liftedAt.keys().next().value!);
    this.#push(false, [], [key(target)]);
    if (d) this.#emit([liftedEvent(d, now, "manual")]);
    return true;
  }

  /** Decisions in force, soonest to expire first. */
  decisions(): Decision[] {
    return this.#deny.list(this.#now());
  }

  /** Recent detections, newest first. */
  detections(limit = 100): DetectionView[] {
    return this.#recent.slice(-limit).reverse();
  }

  /** Per-route series of the last minutes (5 s buckets), for the web admin's charts. */
  baselines(): ReturnType<RouteBaselines["view"]> {
    return this.#baselines.view(this.#now());
  }

  counters(): AnomalyCounters {
    return {
      summaries: this.#summaries,
      refused: { ...this.#refused },
      ignored: this.#ignored,
      detections: this.#detections,
      decisions: this.#decisions,
      pushes: this.#pushes,
    };
  }

  /** The whole decision list, for a node whose stream just opened. */
  welcome(): StreamConfigResponse {
    return update(true, this.#deny.list(this.#now()), [], this.#now());
  }

  #push(full: boolean, decisions: readonly Decision[], lifted: readonly string[]): void {
    this.#pushes++;
    this.#broadcast(update(full, decisions, lifted, this.#now()));
  }

  #emit(events: readonly PalisadeEvent[]): void {
    const sink = this.#events;
    if (!sink || events.length === 0) return;
    const observer = { node: CONTROL_PLANE, region: "", version: softwareVersion() };
    const batch = create(SecurityEventBatchSchema, {
      batchId: 0n,
      events: events.map((e) => ({ id: e.id, ecsJson: ecsJson(toEcs(e, observer, this.#redactor), 16 * 1024) })),
    });
    try {
      sink.ingest({ id: CONTROL_PLANE, region: "" }, batch);
    } catch (err) {
      this.#log.error({ err }, "anomaly security events not stored");
    }
  }
}

const SUBJECT_TYPES = new Set(["address", "consumer", "credential", "route", "upstream"]);

/**
 * A node's anomaly detection from its ECS document, and when it fired (the document's
 * `@timestamp`, else `now`), or `undefined` when it is not one or malformed.
 */
function nodeDetection(
  json: string,
  nodeId: string,
  now: number,
): { detection: Detection; firedAtMs: number } | undefined {
  let doc: {
    "@timestamp"?: unknown;
    palisade?: { category?: unknown; anomaly?: Record<string, unknown> };
    labels?: { route?: unknown };
  };
  try {
    doc = JSON.parse(json);
  } catch {
    return undefined;
  }
  const a = doc.palisade?.anomaly;
  if (doc.palisade?.category !== "anomaly" || typeof a !== "object" || a === null) return undefined;
  const str = (v: unknown, max: number) => (typeof v === "string" && v.length > 0 && v.length <= max ? v : undefined);
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const kind = str(a.detector, 64);
  const type = str(a.subject_type, 16);
  const id = str(a.subject_id, 256);
  const explanation = str(a.explanation, 2048);
  const [score, observed, baseline, threshold] = [num(a.score), num(a.observed), num(a.baseline), num(a.threshold)];
  if (
    kind === undefined ||
    !(DETECTION_KINDS as readonly string[]).includes(kind) ||
    type === undefined ||
    !SUBJECT_TYPES.has(type) ||
    id === undefined ||
    explanation === undefined ||
    score === undefined ||
    observed === undefined ||
    baseline === undefined ||
    threshold === undefined
  )
    return undefined;
  const stamped = typeof doc["@timestamp"] === "string" ? Date.parse(doc["@timestamp"]) : Number.NaN;
  const detection: Detection = {
    id: str(a.detection_id, 512) ?? `${kind}:node:${nodeId}:${type}:${id}:${now}`,
    kind: kind as Detection["kind"],
    level: "node",
    scope: nodeId,
    atMs: now,
    subject: { type: type as Detection["subject"]["type"], id },
    route: str(doc.labels?.route, 256) ?? "",
    score,
    observed,
    baseline,
    threshold,
    unit: str(a.unit, 64) ?? "",
    explanation,
    contributors: [],
  };
  return { detection, firedAtMs: Number.isFinite(stamped) ? Math.min(stamped, now) : now };
}

function key(t: DecisionTarget): string {
  return `${t.type}:${t.id}`;
}

function toMessage(d: Decision): AnomalyDecision {
  return {
    $typeName: "palisade.sync.v1.AnomalyDecision",
    id: d.id,
    action: d.action === "deny" ? AnomalyAction.DENY : AnomalyAction.THROTTLE,
    targetType: d.target.type,
    targetId: d.target.id,
    ratePerS: d.ratePerS,
    createdAtMs: BigInt(Math.round(d.createdAtMs)),
    expiresAtMs: BigInt(Math.round(d.expiresAtMs)),
    kind: d.kind,
    detectionId: d.detectionId,
    explanation: d.explanation,
  };
}

function update(
  full: boolean,
  decisions: readonly Decision[],
  lifted: readonly string[],
  now: number,
): StreamConfigResponse {
  return create(StreamConfigResponseSchema, {
    kind: {
      case: "anomalyDecisions",
      value: { full, decisions: decisions.map(toMessage), lifted: [...lifted], sentAtMs: BigInt(Math.round(now)) },
    },
  });
}

function decisionEvent(d: Decision): PalisadeEvent {
  return {
    category: "anomaly",
    action: d.action,
    id: randomUUID(),
    time: d.createdAtMs,
    decisionId: d.id,
    target: d.target,
    ttlS: Math.round((d.expiresAtMs - d.createdAtMs) / 1000),
    enforced: d.enforced,
    source: d.source,
    detector: d.kind,
    detectionId: d.detectionId || null,
    explanation: d.explanation,
  };
}

function liftedEvent(d: Decision, now: number, why: "expired" | "manual"): PalisadeEvent {
  return {
    ...(decisionEvent(d) as Extract<PalisadeEvent, { action: "deny" | "throttle" | "lifted" }>),
    action: "lifted",
    time: now,
    ttlS: 0,
    ...(why === "manual" ? { source: "manual" } : {}),
    explanation: why === "manual" ? `lifted by an operator: ${d.explanation}` : `expired: ${d.explanation}`,
  };
}
