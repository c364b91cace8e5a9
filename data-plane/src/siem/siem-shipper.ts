/**
 * The SIEM shipper: what the node's event path calls. `enqueue` is O(1) and never waits; a
 * drainer formats events off the request path (ECS, redaction, RFC 5424) and appends them to
 * each sink's spool; each sink's runner delivers its spool at least once.
 *
 *   request path ── enqueue ──► EventQueue (ring, 10,000) ──► drainer: toEcs → encode per sink
 *                                   │ full: oldest dropped, counted       │
 *                                   ▼                                     ▼
 *                          queue.dropped                       Spool (per sink, on disk)
 *                                                                         │
 *                                                          SinkRunner ──► syslog UDP/TCP/TLS,
 *                                                                         NDJSON file, webhook
 *
 * Failures never reach the caller: a sink that is down, refuses, has a wrong certificate or a
 * full disk is a state, counters, and a SIEM condition event (`siem_sink_down`,
 * `siem_sink_up`, `siem_events_dropped`) that goes to every sink (the failing one gets it from
 * its spool when it is back) and to `onCondition` (the node log).
 */

import { join } from "node:path";
import {
  type EcsSecurityEvent,
  ecsJson,
  formatSyslog,
  newEventId,
  type ObserverInfo,
  type PalisadeEvent,
  type RedactionOptions,
  Redactor,
  type ResolvedSinkConfig,
  resolveSinkConfigs,
  type SiemConditionEvent,
  type SiemSinkConfig,
  toEcs,
} from "@palisade/events";
import { EventQueue } from "./event-queue.js";
import { FileSink } from "./file-sink.js";
import type { Sink } from "./sink.js";
import { DROP_REASONS, type DropReason, type SinkCondition, SinkRunner, type SinkStats } from "./sink-runner.js";
import { Spool } from "./spool.js";
import { createSyslogTcpSink, type StreamTuning } from "./syslog-tcp-sink.js";
import { createSyslogTlsSink } from "./syslog-tls-sink.js";
import { SyslogUdpSink } from "./syslog-udp-sink.js";
import { WebhookSink } from "./webhook-sink.js";

/** Counters of the shipper and its sinks: what the metrics part reads. */
export interface SiemStats {
  readonly queue: {
    readonly capacity: number;
    /** Events waiting for the drainer. */
    readonly depth: number;
    readonly enqueued: number;
    /** Events dropped because the queue was full (the oldest). */
    readonly dropped: number;
    /** Events that could not be formatted (a producer bug), dropped. */
    readonly invalid: number;
  };
  readonly sinks: readonly SinkStats[];
}

/** Anything that reports {@link SiemStats} (the shipper; a primary summing its workers). */
export interface SiemStatsSource {
  siemStats(): SiemStats;
}

/** Options of {@link SiemShipper.start}. */
export interface SiemShipperOptions {
  /** The node's sinks (checked with resolveSinkConfigs; disabled ones are skipped). */
  readonly sinks: readonly SiemSinkConfig[];
  /** Folder of the spools, one sub-folder per sink name, e.g. `<state-dir>/siem`. */
  readonly spoolDir: string;
  /** The node, for `observer.*` / `labels.*` and the syslog HOSTNAME. */
  readonly observer: ObserverInfo;
  /** Secret header and field names added to the redactor's defaults. */
  readonly redaction?: RedactionOptions;
  /** Events the in-memory queue holds. Default 10,000. */
  readonly queueCapacity?: number;
  /** Syslog PROCID. Default the process id. */
  readonly procId?: number;
  /** Also told every SIEM condition event (for the node log). Must not throw. */
  readonly onCondition?: (e: SiemConditionEvent) => void;
  /** How often dropped-event counts become `siem_events_dropped` events, ms. Default 10,000. */
  readonly dropReportIntervalMs?: number;
  /** Stream sink and runner tuning (tests shorten it). */
  readonly tuning?: StreamTuning & { readonly maxInFlightEvents?: number };
}

/** Events the drainer formats per turn. */
const DRAIN_BATCH = 1000;

function createSink(cfg: ResolvedSinkConfig, tuning: StreamTuning): Sink {
  const t = cfg.transport;
  switch (t.case) {
    case "syslog":
      if (t.protocol === "udp") return new SyslogUdpSink(t);
      return t.protocol === "tcp" ? createSyslogTcpSink(t, tuning) : createSyslogTlsSink(t, tuning);
    case "file":
      return new FileSink(t);
    case "webhook":
      return new WebhookSink(t);
  }
}

interface Entry {
  readonly cfg: ResolvedSinkConfig;
  readonly runner: SinkRunner;
  reported: Record<DropReason, number>;
}

/** Ships security events to the configured SIEM sinks. */
export class SiemShipper implements SiemStatsSource {
  readonly #queue: EventQueue<PalisadeEvent>;
  readonly #entries: Entry[] = [];
  readonly #redactor: Redactor;
  readonly #procId: number;
  readonly #onCondition: ((e: SiemConditionEvent) => void) | undefined;
  #observer: ObserverInfo;
  #scheduled = false;
  #draining: Promise<void> | null = null;
  #invalid = 0;
  #queueReported = 0;
  #reportTimer: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(opts: SiemShipperOptions) {
    this.#queue = new EventQueue(opts.queueCapacity ?? 10_000);
    this.#redactor = new Redactor(opts.redaction);
    this.#procId = opts.procId ?? process.pid;
    this.#onCondition = opts.onCondition;
    this.#observer = opts.observer;
  }

  /**
   * Checks the sink configs, opens each sink's spool (recovering what a previous run left) and
   * starts delivery.
   * @throws SinkConfigError for a bad config (field and code); the file system's error when a
   *   spool folder cannot be created
   */
  static async start(opts: SiemShipperOptions): Promise<SiemShipper> {
    const resolved = resolveSinkConfigs(opts.sinks).filter((c) => c.enabled);
    const s = new SiemShipper(opts);
    for (const cfg of resolved) {
      const spool = await Spool.open(join(opts.spoolDir, cfg.name), cfg.spool);
      const runner = new SinkRunner({
        config: cfg,
        sink: createSink(cfg, opts.tuning ?? {}),
        spool,
        onCondition: (c) => s.#condition(cfg.name, c),
        ...(opts.tuning?.maxInFlightEvents !== undefined ? { maxInFlightEvents: opts.tuning.maxInFlightEvents } : {}),
      });
      s.#entries.push({
        cfg,
        runner,
        reported: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
      });
    }
    for (const e of s.#entries) e.runner.start();
    s.#reportTimer = setInterval(() => s.#reportDrops(), opts.dropReportIntervalMs ?? 10_000);
    s.#reportTimer.unref();
    return s;
  }

  /**
   * Queues an event for every sink: O(1), never waits, never throws. When the queue is full the
   * oldest queued event is dropped (counted in `queue.dropped`).
   * @returns false when an event had to be dropped to make room
   */
  enqueue(event: PalisadeEvent): boolean {
    if (this.#closed) return false;
    const kept = this.#queue.push(event);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
    return kept;
  }

  /** Updates what the node reports about itself (e.g. the config version after an apply). */
  setObserver(observer: ObserverInfo): void {
    this.#observer = observer;
  }

  #drain(): void {
    this.#scheduled = false;
    if (this.#draining) return;
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = null;
      if (this.#queue.size > 0 && !this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#drain());
      }
    });
  }

  async #drainLoop(): Promise<void> {
    while (this.#queue.size > 0) {
      const docs: EcsSecurityEvent[] = [];
      for (const e of this.#queue.take(DRAIN_BATCH)) {
        try {
          docs.push(toEcs(e, this.#observer, this.#redactor));
        } catch {
          this.#invalid++;
        }
      }
      if (docs.length === 0) continue;
      let json: Buffer[] | null = null;
      await Promise.all(
        this.#entries.map((entry) => {
          const t = entry.cfg.transport;
          let payloads: Buffer[];
          if (t.case === "syslog") {
            const header = {
              facility: t.facility,
              hostname: t.hostname ?? this.#observer.node,
              appName: t.appName,
              procId: this.#procId,
              maxBytes: t.maxMessageBytes,
            };
            payloads = docs.map((d) => Buffer.from(formatSyslog(d, header), "latin1"));
          } else {
            json ??= docs.map((d) => Buffer.from(ecsJson(d), "latin1"));
            payloads = json;
          }
          return entry.runner.append(payloads);
        }),
      );
    }
  }

  #condition(sink: string, c: SinkCondition): void {
    if (c.kind === "dropped") return;
    const base = { category: "siem" as const, id: newEventId(), time: Date.now(), sink };
    const e: SiemConditionEvent =
      c.kind === "up"
        ? { ...base, action: "sink_up" }
        : { ...base, action: "sink_down", reason: c.error.kind, detail: c.error.message };
    this.#emit(e);
  }

  #emit(e: SiemConditionEvent): void {
    this.enqueue(e);
    try {
      this.#onCondition?.(e);
    } catch {
      // The listener's bug must not stop delivery.
    }
  }

  #reportDrops(): void {
    const now = Date.now();
    const queueDropped = this.#queue.dropped;
    if (queueDropped > this.#queueReported) {
      const count = queueDropped - this.#queueReported;
      this.#queueReported = queueDropped;
      this.#emit({
        category: "siem",
        action: "events_dropped",
        id: newEventId(),
        time: now,
        sink: "all",
        reason: "queue_full",
        count,
      });
    }
    for (const entry of this.#entries) {
      const dropped = entry.runner.stats().dropped;
      for (const reason of DROP_REASONS) {
        const count = dropped[reason] - entry.reported[reason];
        if (count <= 0) continue;
        entry.reported[reason] = dropped[reason];
        this.#emit({
          category: "siem",
          action: "events_dropped",
          id: newEventId(),
          time: now,
          sink: entry.cfg.name,
          reason,
          count,
        });
      }
    }
  }

  siemStats(): SiemStats {
    return {
      queue: {
        capacity: this.#queue.capacity,
        depth: this.#queue.size,
        enqueued: this.#queue.pushed,
        dropped: this.#queue.dropped,
        invalid: this.#invalid,
      },
      sinks: this.#entries.map((e) => e.runner.stats()),
    };
  }

  /**
   * Stops: formats and spools what is queued, gives the sinks up to `graceMs` to deliver what
   * is in flight, then closes them and the spools (undelivered events stay spooled for the next
   * start).
   */
  async close(graceMs = 5_000): Promise<void> {
    if (this.#closed) return;
    if (this.#reportTimer) clearInterval(this.#reportTimer);
    this.#reportTimer = null;
    while (this.#draining || this.#queue.size > 0) {
      if (this.#draining) await this.#draining;
      else await this.#drainLoop();
    }
    this.#closed = true;
    await Promise.all(this.#entries.map((e) => e.runner.stop(graceMs)));
  }
}
