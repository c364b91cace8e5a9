import { type Detection, DetectorHost, Interner } from "@palisade/anomaly";
import { anomalyDetectedEvent, newEventId } from "@palisade/events";
import type { CompiledAnomaly } from "../config/compile-anomaly.js";
import type { RuntimeTable } from "../config/runtime-table.js";
import type { SecurityEvents } from "../events/security-events.js";
import type { Logger } from "../log.js";
import { AnomalyRecorder } from "./anomaly-recorder.js";
import { DecisionGuard } from "./decision-guard.js";

/** Options of an {@link AnomalyNode}. */
export interface AnomalyNodeOptions {
  readonly nodeId: string;
  readonly region: string;
  readonly log: Logger;
  /** The worker's encoded summary (every 5 s) while detection is on: sent to the control plane. */
  readonly onSummary: (bytes: Uint8Array) => void;
  /**
   * Where this node's own detections go as security events (category `anomaly`, with
   * {@link SecurityEvents.record}): the node's security pipeline sends them to the control plane
   * and the SIEM sinks like every other event; the control plane also decides on them (payload
   * detections are made by nodes only: summaries carry no body sizes per client).
   */
  readonly events?: SecurityEvents;
  /** Detector ring capacity in records (power of two); default 65,536. */
  readonly ringCapacity?: number;
  /** Summary interval, ms; default 5,000 (tests use less). */
  readonly summaryIntervalMs?: number;
}

/** Counters of a node's detector for `/metrics` and the status page. */
export interface AnomalyNodeStats {
  /** Whether the config has anomaly detection on. */
  readonly enabled: boolean;
  /** Records dropped because the ring was full. */
  readonly dropped: number;
  /** Times the detector worker failed and was restarted. */
  readonly restarts: number;
  /** Detections the node's own detector made (its own figures only). */
  readonly detections: number;
  /** Decisions the node enforces now. */
  readonly decisions: number;
}

/**
 * One proxy process's anomaly detection (issue 16): the detector worker (@palisade/anomaly
 * `DetectorHost`, started with the process, restarted after a failure — counted and logged,
 * never felt by traffic: the proxy only writes into the ring), the recorder the `logging`
 * phase calls, and the guard the request loop runs first in `request_filter` with the
 * decisions the control plane pushed. A config swap ({@link configure}) interns the new
 * route, upstream and consumer ids and sends them and the thresholds to the worker.
 */
export class AnomalyNode {
  readonly host: DetectorHost;
  readonly recorder: AnomalyRecorder;
  readonly guard = new DecisionGuard();
  readonly #routes = new Interner();
  readonly #upstreams = new Interner();
  readonly #consumers = new Interner();
  readonly #log: Logger;
  readonly #o: AnomalyNodeOptions;
  #config: CompiledAnomaly | null = null;
  #detections = 0;
  readonly #byKind: Record<string, number> = {};

  constructor(o: AnomalyNodeOptions) {
    this.#log = o.log;
    this.#o = o;
    this.host = new DetectorHost({
      nodeId: o.nodeId,
      region: o.region,
      ...(o.ringCapacity ? { ringCapacity: o.ringCapacity } : {}),
      ...(o.summaryIntervalMs ? { summaryIntervalMs: o.summaryIntervalMs } : {}),
      onSummary: (bytes) => {
        if (this.recorder.enabled) o.onSummary(bytes);
      },
      onDetection: (d) => this.#detected(d),
      onFailure: (err, restarts) =>
        o.log.warn(
          { err: err.message, restarts },
          "anomaly detector worker failed: restarting it (traffic unaffected)",
        ),
    });
    this.recorder = new AnomalyRecorder(this.host.writer, {
      routes: this.#routes,
      upstreams: this.#upstreams,
      consumers: this.#consumers,
    });
  }

  /** Starts the detector worker. */
  start(): void {
    this.host.start();
  }

  /** Takes a newly swapped table: detection on or off, new ids and thresholds for the worker. */
  configure(table: RuntimeTable): void {
    const a = table.anomaly;
    this.recorder.enabled = a !== null;
    if (a === null) {
      this.#config = null;
      return;
    }
    let added = false;
    const intern = (i: Interner, id: string) => {
      if (i.get(id) === 0) {
        i.intern(id);
        added = true;
      }
    };
    for (const r of table.routeList) intern(this.#routes, r.id);
    for (const id of table.upstreams.keys()) intern(this.#upstreams, id);
    for (const c of table.consumerSources) intern(this.#consumers, c.id);
    if (!added && a === this.#config) return;
    if (this.#config === null)
      this.#log.info({ mode: a.mode, routes: table.routeList.length }, "anomaly detection on: recording every request");
    this.#config = a;
    this.host.configure(
      { routes: this.#routes.names(), upstreams: this.#upstreams.names(), consumers: this.#consumers.names() },
      a.thresholds,
    );
  }

  #detected(d: Detection): void {
    this.#detections++;
    this.#byKind[`detection:${d.kind}`] = (this.#byKind[`detection:${d.kind}`] ?? 0) + 1;
    if (this.#o.events && this.#config !== null)
      this.#o.events.record(anomalyDetectedEvent(d, Date.now(), this.#config.mode, newEventId()));
    this.#log.info(
      { anomaly: { kind: d.kind, level: d.level, subject: d.subject, score: d.score } },
      `anomaly detected on this node: ${d.explanation}`,
    );
  }

  stats(): AnomalyNodeStats {
    return {
      enabled: this.recorder.enabled,
      dropped: this.host.writer.dropped,
      restarts: this.host.restarts,
      detections: this.#detections,
      decisions: this.guard.size,
    };
  }

  /** The counters `/metrics` reads (`TrafficCounters.anomaly`): dropped, restarts, detection:<kind>. */
  counters(): Record<string, number> {
    return { dropped: this.host.writer.dropped, restarts: this.host.restarts, ...this.#byKind };
  }

  /** Stops the worker. */
  stop(): Promise<void> {
    return this.host.stop();
  }
}
