import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  type AnomalyDecisionUpdate,
  type AnomalySummary,
  codecFor,
  type NodeReport,
  RESOURCE_KINDS,
  STREAM_CONFIG_PATH,
  type StreamConfigRequest,
  StreamConfigRequestSchema,
  type StreamConfigResponse,
  StreamConfigResponseSchema,
} from "@palisade/proto";
import type { AppliedSource } from "../config/table-holder.js";
import type { Logger } from "../log.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { NODE_FAULT, nackOf, type UpdateApplier } from "./config-applier.js";
import {
  EventOutbox,
  type EventOutboxOptions,
  type EventOutboxStats,
  type OutboundSecurityEvent,
} from "./event-outbox.js";

/** Identity the node announces in its hello. */
export interface NodeIdentity {
  readonly nodeId: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly softwareVersion: string;
  /** Policy types this node enforces. */
  readonly policyTypes: readonly string[];
  /** Snapshot resource kinds this build compiles ("upstreams", "routes", …). Default: every kind it knows. */
  readonly features?: readonly string[];
}

/** Options of {@link SyncClient}. */
export interface SyncClientOptions {
  /** Control plane gRPC address, `host:port`. */
  readonly address: string;
  readonly identity: NodeIdentity;
  /** Read for the applied version/hash announced in each hello. */
  readonly holder: AppliedSource;
  /** Turns each update into its ACK or NACK (a ConfigApplier, or a cluster primary's, async). */
  readonly applier: UpdateApplier;
  readonly log: Logger;
  readonly backoff?: BackoffOptions;
  /**
   * Channel credentials, asked again at each (re)connect so a renewed certificate is used.
   * Default: insecure (local demo); production uses mTLS.
   */
  readonly credentials?: () => grpc.ChannelCredentials;
  /** Extra channel options (e.g. `grpc.ssl_target_name_override`). */
  readonly channelOptions?: grpc.ChannelOptions;
  /** Interval between reports (the heartbeat), ms. Default 5,000. */
  readonly reportIntervalMs?: number;
  /** Builds the next report; without it the node sends no reports. */
  readonly report?: () => NodeReport;
  /** Called with each decoded update's encoded size in bytes (the scale bench counts them). */
  readonly onUpdateBytes?: (bytes: number) => void;
  /** Bounds of the security-event outbox ({@link SyncClient.sendSecurityEvents}). */
  readonly securityEvents?: EventOutboxOptions;
  /** The control plane pushed anomaly decisions (the whole list when the stream opens, then changes). */
  readonly onAnomalyDecisions?: (update: AnomalyDecisionUpdate) => void;
}

type ConfigCall = grpc.ClientDuplexStream<StreamConfigRequest, StreamConfigResponse>;

const requestCodec = codecFor(StreamConfigRequestSchema);
const responseCodec = codecFor(StreamConfigResponseSchema);

/**
 * HTTP/2 keepalive so a dead control plane (or a silent NAT drop) is noticed within ~30 s; full
 * updates of large configs (10,000 routes is about 1.5 MB) exceed grpc-js's 4 MB default soon.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 20_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.max_receive_message_length": 256 * 1024 * 1024,
};

/** Retry delay after the control plane refused this node's identity (revoked, unknown certificate), ms. */
const REFUSED_RETRY_MS = 30_000;

/**
 * The node's one config stream (`ConfigSyncService.StreamConfig`, bidirectional). It says hello
 * first (identity, applied version and content hash, enabled policy types and features, report
 * interval), then answers every update with the ConfigApplier's ACK or NACK, in order, and sends
 * a report every interval (the heartbeat). When the stream ends or fails it reconnects with
 * full-jitter exponential backoff (250 ms base, 5 s cap, reset once connected; 30 s after the
 * control plane refused the node's identity); the last applied table keeps serving meanwhile.
 * One loop per stream: events and replies of a replaced stream are dropped.
 */
export class SyncClient {
  #opts: SyncClientOptions;
  #client: grpc.Client;
  #backoff: Backoff;
  #call: ConfigCall | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reportTimer: NodeJS.Timeout | undefined;
  #connected = false;
  #closed = false;
  #failures = 0;
  #refused = false;
  #applying: Promise<void> = Promise.resolve();
  readonly #outbox: EventOutbox;

  constructor(opts: SyncClientOptions) {
    this.#opts = opts;
    this.#outbox = new EventOutbox(opts.securityEvents);
    this.#backoff = new Backoff(opts.backoff);
    this.#client = this.#newClient();
  }

  #newClient(): grpc.Client {
    const { opts } = { opts: this.#opts };
    const creds = opts.credentials?.() ?? grpc.credentials.createInsecure();
    let deserialize = responseCodec.deserialize;
    const count = opts.onUpdateBytes;
    if (count)
      deserialize = (b: Buffer) => {
        count(b.byteLength);
        return responseCodec.deserialize(b);
      };
    this.#deserialize = deserialize;
    return new grpc.Client(opts.address, creds, { ...CHANNEL_OPTIONS, ...opts.channelOptions });
  }

  #deserialize: (b: Buffer) => StreamConfigResponse = responseCodec.deserialize;

  /** Re-dials with fresh credentials (after a certificate renewal): the stream reopens at once. */
  reconnect(): void {
    if (this.#closed) return;
    const old = this.#client;
    const call = this.#call;
    this.#call = undefined;
    this.#connected = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearInterval(this.#reportTimer);
    this.#outbox.requeue();
    call?.cancel();
    old.close();
    this.#client = this.#newClient();
    this.#open();
  }

  /**
   * Hands security events to the control plane (`SecurityEventBatch` on this stream): queued in
   * a bounded outbox (10,000 by default; full, the oldest waiting are dropped and counted), sent
   * in batches as the window of unacknowledged batches allows, kept until the control plane's
   * ACK and sent again after a reconnect (it stores each event id once). O(events), never waits,
   * never throws; works while the stream is down (events wait).
   * @param events each event's id and its ECS document (`ecsJson(toEcs(event, observer, redactor))`)
   */
  sendSecurityEvents(events: readonly OutboundSecurityEvent[]): void {
    this.#outbox.add(events);
    this.#pump();
  }

  /**
   * Sends the anomaly detector's summary of the last interval (`AnomalySummary` on this stream).
   * A summary is a figure of now: while the stream is down it is dropped (the control plane's
   * view of this node has a gap), never queued.
   * @returns whether it was sent
   */
  sendAnomalySummary(summary: AnomalySummary): boolean {
    const call = this.#call;
    if (!call || !this.#connected) return false;
    call.write(create(StreamConfigRequestSchema, { kind: { case: "anomalySummary", value: summary } }));
    return true;
  }

  /** The outbox's counters (for `/metrics`: `palisade_sync_security_events_total`). */
  securityEventStats(): EventOutboxStats {
    return this.#outbox.stats();
  }

  /** Sends what the window allows, when the stream is up. */
  #pump(): void {
    const call = this.#call;
    if (!call || !this.#connected) return;
    for (let batch = this.#outbox.next(); batch; batch = this.#outbox.next())
      call.write(create(StreamConfigRequestSchema, { kind: { case: "securityEvents", value: batch } }));
  }

  /** Whether the stream is up (the control plane answered on it). */
  get connected(): boolean {
    return this.#connected;
  }

  /** Opens the stream (and keeps it open until {@link close}). */
  start(): void {
    if (this.#closed || this.#call !== undefined || this.#timer !== undefined) return;
    this.#open();
  }

  /** Ends the stream and the channel; no reconnect after this. */
  close(): void {
    this.#closed = true;
    this.#connected = false;
    clearTimeout(this.#timer);
    clearInterval(this.#reportTimer);
    this.#timer = undefined;
    const call = this.#call;
    this.#call = undefined;
    call?.cancel();
    this.#client.close();
  }

  #open(): void {
    this.#timer = undefined;
    const { log, identity, holder } = this.#opts;
    const call: ConfigCall = this.#client.makeBidiStreamRequest(
      STREAM_CONFIG_PATH,
      requestCodec.serialize,
      this.#deserialize,
    );
    this.#call = call;
    call.on("metadata", () => this.#up(call));
    call.on("data", (msg: StreamConfigResponse) => this.#onMessage(call, msg));
    call.on("error", (err: grpc.ServiceError) =>
      this.#down(call, `${grpc.status[err.code] ?? err.code}${err.details ? `: ${err.details}` : ""}`, err.code),
    );
    call.on("end", () => this.#down(call, "ended by the control plane"));
    call.on("status", (s: grpc.StatusObject) =>
      this.#down(call, `${grpc.status[s.code] ?? s.code}${s.details ? `: ${s.details}` : ""}`, s.code),
    );
    const applied = holder.applied;
    call.write(
      create(StreamConfigRequestSchema, {
        kind: {
          case: "hello",
          value: {
            nodeId: identity.nodeId,
            region: identity.region,
            labels: { ...identity.labels },
            softwareVersion: identity.softwareVersion,
            appliedVersion: applied?.version ?? 0n,
            appliedHash: applied?.hash ?? "",
            policyTypes: [...identity.policyTypes],
            features: [...(identity.features ?? RESOURCE_KINDS.map((k) => k.name))],
            reportIntervalMs: this.#opts.reportIntervalMs ?? 5000,
          },
        },
      }),
    );
    log.debug({ control_plane: this.#opts.address }, "config stream opening");
  }

  #up(call: ConfigCall): void {
    if (call !== this.#call || this.#connected) return;
    this.#connected = true;
    this.#failures = 0;
    this.#refused = false;
    this.#backoff.reset();
    this.#opts.log.info({ control_plane: this.#opts.address }, "config stream connected");
    this.#pump();
    const report = this.#opts.report;
    if (report) {
      clearInterval(this.#reportTimer);
      this.#reportTimer = setInterval(() => {
        if (call === this.#call)
          call.write(create(StreamConfigRequestSchema, { kind: { case: "report", value: report() } }));
      }, this.#opts.reportIntervalMs ?? 5000);
      this.#reportTimer.unref();
    }
  }

  #onMessage(call: ConfigCall, msg: StreamConfigResponse): void {
    if (call !== this.#call) return;
    this.#up(call);
    if (msg.kind.case === "securityEventsAck") {
      if (this.#outbox.acknowledge(msg.kind.value)) this.#pump();
      return;
    }
    if (msg.kind.case === "anomalyDecisions") {
      this.#opts.onAnomalyDecisions?.(msg.kind.value);
      return;
    }
    if (msg.kind.case !== "update") return; // a newer control plane's message kind: ignore
    const update = msg.kind.value;
    // Updates are applied one after the other, in order; a reply for a replaced stream is dropped.
    // The chain never rejects: one failed apply must not leave every later update unanswered.
    this.#applying = this.#applying.then(async () => {
      let reply: StreamConfigRequest;
      try {
        reply = await this.#opts.applier.apply(update);
      } catch (err) {
        this.#opts.log.error({ err, version: Number(update.version) }, "config apply crashed");
        reply = nackOf(update, this.#opts.holder.applied?.version ?? 0n, NODE_FAULT);
      }
      if (call === this.#call) call.write(reply);
    });
  }

  #down(call: ConfigCall, reason: string, code?: number): void {
    if (call !== this.#call) return;
    this.#call = undefined;
    const wasConnected = this.#connected;
    this.#connected = false;
    clearInterval(this.#reportTimer);
    this.#outbox.requeue();
    call.cancel();
    if (this.#closed) return;
    const refused = code === grpc.status.PERMISSION_DENIED || code === grpc.status.UNAUTHENTICATED;
    const delay = refused ? REFUSED_RETRY_MS : this.#backoff.next();
    if (refused) {
      if (!this.#refused)
        this.#opts.log.error(
          { control_plane: this.#opts.address, reason, retry_ms: delay },
          "the control plane refused this node (revoked, or no valid client certificate)",
        );
      this.#refused = true;
    } else {
      // Loud when a working stream drops or the first attempt fails; retries are debug noise.
      const level = wasConnected || this.#failures++ === 0 ? "warn" : "debug";
      this.#opts.log[level]({ control_plane: this.#opts.address, reason, retry_ms: delay }, "config stream down");
    }
    this.#timer = setTimeout(() => this.#open(), delay);
  }
}
