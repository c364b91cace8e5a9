import { cpMetric, NONCONFORMING_DEFAULT_METRICS } from "@palisade/events";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { SecurityEventIntake } from "../security-events/event-intake-service.js";
import type { NackKind } from "../store/store.js";
import type { SyncMetricsSink } from "../sync/stream-session.js";

/** What the control plane's `/metrics` reads when scraped. */
export interface CpMetricsSource {
  /** Every node of the inventory with its state (connected, stale, disconnected, revoked). */
  nodes(): Promise<ReadonlyArray<{ readonly region: string; readonly state: string }>>;
  latestVersion(): number;
  stableVersion(): number;
  /** The active rollout (running or paused), if any. */
  activeRollout():
    | { readonly state: string; readonly stage: string; readonly stageIndex: number; readonly version: number }
    | undefined;
  /** Rollouts by state. */
  rolloutCounts(): Promise<Readonly<Record<string, number>>>;
  readonly events?: SecurityEventIntake | undefined;
}

/** The admin API's request counter and latency, fed by its `onResponse` hook. */
export interface AdminRequestMetrics {
  /**
   * @param route the route pattern fastify matched (`/v1/routes/:id`), `unmatched` when none
   * @param seconds request latency
   */
  observe(method: string, route: string, status: number, seconds: number): void;
}

/** Help and labels come from the catalogue (@palisade/events), so the exposition cannot drift from it. */
function spec(name: string): { name: string; help: string; labelNames: string[] } {
  const m = cpMetric(name);
  return { name: m.name, help: m.help, labelNames: [...m.labels] };
}

/**
 * The control plane's Prometheus registry (prom-client): fleet, sync, rollouts, the admin API
 * and security events, as the metric catalogue names them, plus prom-client's default process
 * metrics. Gauges are read when scraped; counters of the sync stream and the admin API are fed
 * as things happen (`sync`, `admin`).
 */
export class CpMetrics {
  readonly registry = new Registry();
  readonly #acks: Counter;
  readonly #nacks: Counter;
  readonly #publishAck: Histogram;
  readonly #adminRequests: Counter;
  readonly #adminDuration: Histogram;

  constructor(src: CpMetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    for (const name of NONCONFORMING_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    new Gauge({
      ...spec("palisade_cp_nodes"),
      registers,
      async collect() {
        const nodes = await src.nodes();
        this.reset();
        for (const n of nodes) this.inc({ state: n.state, region: n.region });
      },
    });
    this.#publishAck = new Histogram({
      ...spec("palisade_cp_publish_ack_duration_seconds"),
      buckets: [...cpMetric("palisade_cp_publish_ack_duration_seconds").buckets!],
      registers,
    });
    this.#acks = new Counter({ ...spec("palisade_cp_config_acks_total"), registers });
    this.#nacks = new Counter({ ...spec("palisade_cp_config_nacks_total"), registers });
    for (const kind of ["config", "node_fault", "base_mismatch"]) this.#nacks.inc({ kind }, 0);
    new Gauge({
      ...spec("palisade_cp_config_version_latest"),
      registers,
      collect() {
        this.set(src.latestVersion());
      },
    });
    new Gauge({
      ...spec("palisade_cp_config_version_stable"),
      registers,
      collect() {
        this.set(src.stableVersion());
      },
    });
    new Gauge({
      ...spec("palisade_cp_rollout_active"),
      registers,
      collect() {
        this.reset();
        const a = src.activeRollout();
        if (a) this.set({ state: a.state, stage: a.stage, version: String(a.version) }, 1);
      },
    });
    new Gauge({
      ...spec("palisade_cp_rollout_stage_index"),
      registers,
      collect() {
        this.set(src.activeRollout()?.stageIndex ?? -1);
      },
    });
    new Gauge({
      ...spec("palisade_cp_rollouts"),
      registers,
      async collect() {
        const counts = await src.rolloutCounts();
        this.reset();
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    this.#adminRequests = new Counter({ ...spec("palisade_cp_admin_requests_total"), registers });
    this.#adminDuration = new Histogram({
      ...spec("palisade_cp_admin_request_duration_seconds"),
      buckets: [...cpMetric("palisade_cp_admin_request_duration_seconds").buckets!],
      registers,
    });
    this.#eventMetrics(src);
  }

  #eventMetrics(src: CpMetricsSource): void {
    const registers = [this.registry];
    const events = src.events;
    const c = () => events?.counters();
    new Counter({
      ...spec("palisade_cp_security_events_received_total"),
      registers,
      collect() {
        this.reset();
        for (const category of cpMetric("palisade_cp_security_events_received_total").values!.category!)
          this.inc({ category }, c()?.stored.get(category) ?? 0);
      },
    });
    const scalar = (name: string, read: () => number) =>
      new Counter({
        ...spec(name),
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    scalar("palisade_cp_security_events_duplicates_total", () => c()?.duplicates ?? 0);
    scalar("palisade_cp_security_events_redacted_total", () => c()?.redacted ?? 0);
    scalar("palisade_cp_security_events_node_dropped_total", () => c()?.droppedByNodes ?? 0);
    scalar("palisade_cp_security_events_pruned_total", () => c()?.pruned ?? 0);
    new Counter({
      ...spec("palisade_cp_security_events_rejected_total"),
      registers,
      collect() {
        this.reset();
        for (const code of cpMetric("palisade_cp_security_events_rejected_total").values!.code!)
          this.inc({ code }, c()?.rejected.get(code) ?? 0);
      },
    });
    new Gauge({
      ...spec("palisade_cp_security_events_stored"),
      registers,
      async collect() {
        this.set((await events?.storedEstimate()) ?? 0);
      },
    });
    new Gauge({
      ...spec("palisade_cp_security_event_streams"),
      registers,
      collect() {
        this.set(events?.hub.streams.size ?? 0);
      },
    });
    new Counter({
      ...spec("palisade_cp_security_event_stream_disconnects_total"),
      registers,
      collect() {
        this.reset();
        const s = events?.hub.streamCounts;
        this.inc({ reason: "slow" }, s?.slow ?? 0);
        this.inc({ reason: "limit" }, s?.limit ?? 0);
      },
    });
  }

  /** The sync streams' ACK/NACK sink. */
  get sync(): SyncMetricsSink {
    return {
      acked: (seconds) => {
        this.#acks.inc();
        this.#publishAck.observe(seconds);
      },
      nacked: (kind: NackKind | "base_mismatch") => this.#nacks.inc({ kind }),
    };
  }

  /** The admin API's sink. */
  get admin(): AdminRequestMetrics {
    return {
      observe: (method, route, status, seconds) => {
        this.#adminRequests.inc({ method, route, status: String(status) });
        this.#adminDuration.observe({ method, route }, seconds);
      },
    };
  }

  /** The text exposition (Prometheus 0.0.4). */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
