import {
  ecsJson,
  type NodeFacts,
  type ObserverInfo,
  type PalisadeEvent,
  POLICY_DENIAL_TYPES,
  type PolicyDenialType,
  type RedactionOptions,
  Redactor,
  redactionOf,
  type SiemConditionEvent,
  type SiemSinkConfig,
  sinksForNode,
  toEcs,
} from "@palisade/events";
import type { TelemetrySettings } from "@palisade/proto";
import type { SecurityEvent, SecurityEvents } from "../events/security-events.js";
import { eventCommonOf, wafEventOf } from "../events/waf-event.js";
import type { Logger } from "../log.js";
import { SiemShipper, type SiemStats } from "../siem/siem-shipper.js";
import type { SinkStats } from "../siem/sink-runner.js";
import type { OutboundSecurityEvent } from "../sync/event-outbox.js";
import type { SiemStatsReader } from "./route-metrics.js";

const DENIAL_TYPES: ReadonlySet<string> = new Set(POLICY_DENIAL_TYPES);

/** Events held while the shipper restarts for a new config; beyond, the oldest are dropped (counted as queue drops). */
const MAX_PENDING = 10_000;

/**
 * The `@palisade/events` event of a node security event: a WAF event when it carries the WAF's
 * detail ({@link wafEventOf}), else a policy denial (the proxy's own checks have `policy: null`).
 * Pure.
 */
export function palisadeEventOf(e: SecurityEvent): PalisadeEvent {
  return (
    wafEventOf(e) ?? {
      ...eventCommonOf(e),
      category: "policy_denial",
      type: (DENIAL_TYPES.has(e.type) ? e.type : "request_rejected") as PolicyDenialType,
      reason: e.reason,
      code: e.code,
      policy: e.policy !== null ? { id: e.policy, type: e.policyType ?? "" } : null,
    }
  );
}

/** What the pipeline ships to the control plane with (`SyncClient.sendSecurityEvents`). */
export interface EventUplink {
  sendSecurityEvents(events: readonly OutboundSecurityEvent[]): void;
}

/** Options of a {@link SecurityPipeline}. */
export interface SecurityPipelineOptions {
  /** The node's channel (the primary's in a cluster). */
  readonly events: SecurityEvents;
  readonly log: Logger;
  /** The node's id, region and labels (sink overrides select on them). */
  readonly node: NodeFacts;
  /** Palisade's software version (`observer.version`). */
  readonly softwareVersion: string;
  /** Folder of the sinks' spools (`<state-dir>/siem`). */
  readonly spoolDir: string;
  /** Node-local sinks (`--siem-sinks-file`), which win over the snapshot's by name. */
  readonly localSinks?: readonly SiemSinkConfig[];
  /** The config stream, once open (`undefined` with `--config-file`: no control plane). */
  readonly uplink: () => EventUplink | undefined;
  /** Shipper tuning (tests shorten backoffs). */
  readonly shipper?: Pick<Parameters<typeof SiemShipper.start>[0], "tuning" | "dropReportIntervalMs">;
}

type Counted = "delivered" | "spooled" | "failures";

/**
 * The node's security-event pipeline (issue 17 points 4 and 5), off the request path: it
 * subscribes to the node's one channel ({@link SecurityEvents}: refusals and WAF matches are
 * turned into `@palisade/events` events by {@link palisadeEventOf}, recorded events are taken as
 * they are) and, in the channel's `setImmediate` batches, sends each event
 * - to the control plane: its ECS document (`toEcs` with the snapshot's redaction names, ASCII
 *   JSON) through the config stream's bounded, acknowledged outbox;
 * - to the SIEM sinks of the snapshot's `TelemetrySettings` for this node (overrides and
 *   `--siem-sinks-file` applied): {@link SiemShipper.enqueue}, O(1) — the shipper formats,
 *   spools and delivers at least once; a sink down, refused, with a wrong certificate or a full
 *   spool disk is a state, counters and a `siem` condition event (also sent to the control
 *   plane and logged), never an error here.
 * {@link configure} is called with each applied config: when the sinks or the redaction names
 * change the shipper is closed (what it queued is spooled) and started again on the same spool
 * folder, so nothing spooled is lost; events arriving meanwhile wait (at most 10,000, the oldest
 * dropped beyond and counted with the queue's drops). SIEM counters are kept across such restarts (monotonic metrics).
 */
export class SecurityPipeline implements SiemStatsReader {
  readonly #o: SecurityPipelineOptions;
  #observer: ObserverInfo;
  #redactor: Redactor;
  #shipper: SiemShipper | null = null;
  #key = "";
  /** The configuration change in progress: events wait for it. */
  #switching: Promise<void> = Promise.resolve();
  #pending: PalisadeEvent[] | null = null;
  /** Counters of shippers closed by a reconfiguration, by sink name. */
  readonly #retired = new Map<string, SinkStats>();
  #retiredQueue = { enqueued: 0, dropped: 0, invalid: 0 };
  #everConfigured = false;
  readonly #unsubscribe: Array<() => void>;
  #closed = false;

  constructor(o: SecurityPipelineOptions) {
    this.#o = o;
    this.#observer = { node: o.node.id, region: o.node.region, version: o.softwareVersion };
    this.#redactor = new Redactor();
    this.#unsubscribe = [
      o.events.subscribe((batch) => this.#ship(batch.map(palisadeEventOf))),
      o.events.subscribeRecords((batch) => this.#ship(batch)),
    ];
    if ((o.localSinks ?? []).length > 0) void this.configure(undefined, null);
  }

  /**
   * The applied config changed: its version becomes `rule.version` of policy denials, its
   * telemetry resource decides the sinks and the redaction names.
   * @returns when the shipper runs with the new sinks (never rejects: a sink that cannot start
   *   is logged, and the node runs without SIEM delivery until the next config)
   */
  configure(telemetry: TelemetrySettings | null | undefined, configVersion: bigint | null): Promise<void> {
    const o = this.#o;
    const settings = telemetry ?? undefined;
    this.#observer = {
      ...this.#observer,
      ...(configVersion !== null ? { configVersion: String(configVersion) } : {}),
    };
    const sinks = sinksForNode(settings, o.node, o.localSinks ?? []);
    const redaction: RedactionOptions = redactionOf(settings);
    const key = JSON.stringify([sinks, redaction]);
    if (key === this.#key) {
      this.#shipper?.setObserver(this.#observer);
      return this.#switching;
    }
    this.#key = key;
    this.#redactor = new Redactor(redaction);
    this.#switching = this.#switching.then(() => this.#restart(sinks, redaction));
    return this.#switching;
  }

  async #restart(sinks: readonly SiemSinkConfig[], redaction: RedactionOptions): Promise<void> {
    this.#pending ??= [];
    const old = this.#shipper;
    this.#shipper = null;
    if (old !== null) {
      await old.close(1_000);
      this.#retire(old.siemStats());
    }
    if (sinks.length > 0 && !this.#closed) {
      this.#everConfigured = true;
      try {
        this.#shipper = await SiemShipper.start({
          sinks,
          spoolDir: this.#o.spoolDir,
          observer: this.#observer,
          redaction,
          onCondition: (e) => this.#condition(e),
          ...(this.#o.shipper ?? {}),
        });
        this.#o.log.info({ sinks: sinks.map((s) => s.name) }, "siem sinks started");
      } catch (err) {
        const e = err as { code?: string; field?: string; message?: string };
        // The message names the field, never a value (SinkConfigError; a spool folder's fs error).
        this.#o.log.error({ code: e.code, field: e.field, reason: e.message }, "siem sinks could not start");
      }
    }
    const waiting = this.#pending;
    this.#pending = null;
    const shipper = this.#shipper;
    if (shipper !== null) for (const e of waiting) shipper.enqueue(e);
  }

  #retire(st: SiemStats): void {
    this.#retiredQueue.enqueued += st.queue.enqueued;
    this.#retiredQueue.dropped += st.queue.dropped;
    this.#retiredQueue.invalid += st.queue.invalid;
    for (const s of st.sinks) {
      const prev = this.#retired.get(s.name);
      if (prev === undefined) {
        this.#retired.set(s.name, { ...s, state: "down", pending: 0, spoolBytes: 0 });
        continue;
      }
      const sum = (k: Counted) => prev[k] + s[k];
      const dropped = { ...prev.dropped };
      for (const [r, n] of Object.entries(s.dropped)) dropped[r as keyof typeof dropped] += n;
      this.#retired.set(s.name, {
        ...prev,
        delivered: sum("delivered"),
        spooled: sum("spooled"),
        failures: sum("failures"),
        dropped,
      });
    }
  }

  /** A sink went down or came back, or events were dropped: the control plane hears of it too. */
  #condition(e: SiemConditionEvent): void {
    this.#toControlPlane([e]);
    const fields = { sink: e.sink, action: e.action, reason: e.reason ?? undefined, count: e.count ?? undefined };
    if (e.action === "sink_up") this.#o.log.info(fields, "siem sink up");
    else this.#o.log.warn(fields, e.action === "sink_down" ? "siem sink down" : "siem events dropped");
  }

  #ship(events: readonly PalisadeEvent[]): void {
    if (this.#closed) return;
    this.#toControlPlane(events);
    const pending = this.#pending;
    if (pending !== null) {
      for (const e of events) pending.push(e);
      if (pending.length > MAX_PENDING)
        this.#retiredQueue.dropped += pending.splice(0, pending.length - MAX_PENDING).length;
      return;
    }
    const shipper = this.#shipper;
    if (shipper !== null) for (const e of events) shipper.enqueue(e);
  }

  #toControlPlane(events: readonly PalisadeEvent[]): void {
    const uplink = this.#o.uplink();
    if (uplink === undefined) return;
    const out: OutboundSecurityEvent[] = [];
    for (const e of events) {
      try {
        out.push({ id: e.id, ecsJson: ecsJson(toEcs(e, this.#observer, this.#redactor)) });
      } catch (err) {
        this.#o.log.warn({ cause: (err as Error).name }, "security event could not be formatted");
      }
    }
    if (out.length > 0) uplink.sendSecurityEvents(out);
  }

  /** The shipper's counters plus those of the shippers before it; `null` when no sink was ever configured. */
  siemStats(): SiemStats | null {
    if (!this.#everConfigured) return null;
    const live = this.#shipper?.siemStats();
    const sinks = new Map<string, SinkStats>(this.#retired);
    for (const s of live?.sinks ?? []) {
      const prev = sinks.get(s.name);
      if (prev === undefined) {
        sinks.set(s.name, s);
        continue;
      }
      const dropped = { ...s.dropped };
      for (const [r, n] of Object.entries(prev.dropped)) dropped[r as keyof typeof dropped] += n;
      sinks.set(s.name, {
        ...s,
        delivered: s.delivered + prev.delivered,
        spooled: s.spooled + prev.spooled,
        failures: s.failures + prev.failures,
        dropped,
      });
    }
    const q = live?.queue;
    return {
      queue: {
        capacity: q?.capacity ?? 0,
        depth: q?.depth ?? 0,
        enqueued: (q?.enqueued ?? 0) + this.#retiredQueue.enqueued,
        dropped: (q?.dropped ?? 0) + this.#retiredQueue.dropped,
        invalid: (q?.invalid ?? 0) + this.#retiredQueue.invalid,
      },
      sinks: [...sinks.values()],
    };
  }

  /** Stops: unsubscribes, spools what the shipper queued and lets in-flight sends finish (up to `graceMs`). */
  async close(graceMs = 2_000): Promise<void> {
    if (this.#closed) return;
    for (const u of this.#unsubscribe) u();
    await this.#switching;
    this.#closed = true;
    const s = this.#shipper;
    this.#shipper = null;
    if (s !== null) await s.close(graceMs);
  }
}
