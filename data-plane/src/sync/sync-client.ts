import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  type ConfigUpdate,
  codecFor,
  STREAM_CONFIG_PATH,
  type StreamConfigRequest,
  StreamConfigRequestSchema,
  type StreamConfigResponse,
  StreamConfigResponseSchema,
} from "@palisade/proto";
import type { AppliedSource } from "../config/table-holder.js";
import type { Logger } from "../log.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import type { UpdateApplier } from "./config-applier.js";

/** Identity the node announces in its hello. */
export interface NodeIdentity {
  readonly nodeId: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly softwareVersion: string;
  /** Policy types this node enforces. */
  readonly policyTypes: readonly string[];
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
  /** Channel credentials. Default: insecure (local demo); production uses mTLS. */
  readonly credentials?: grpc.ChannelCredentials;
}

type ConfigCall = grpc.ClientDuplexStream<StreamConfigRequest, StreamConfigResponse>;

const requestCodec = codecFor(StreamConfigRequestSchema);
const responseCodec = codecFor(StreamConfigResponseSchema);

/** HTTP/2 keepalive so a dead control plane (or a silent NAT drop) is noticed within ~30 s. */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 20_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
};

/**
 * The node's one config stream (`ConfigSyncService.StreamConfig`, bidirectional). It says hello
 * first (identity, applied version and hash, enabled policy types), then answers every update
 * with the ConfigApplier's ACK or NACK, in order. When the stream ends or fails it reconnects
 * with full-jitter exponential backoff (250 ms base, 5 s cap, reset once connected); the last
 * applied table keeps serving meanwhile. One loop per stream: events of a replaced stream are
 * ignored.
 */
export class SyncClient {
  #opts: SyncClientOptions;
  #client: grpc.Client;
  #backoff: Backoff;
  #call: ConfigCall | undefined;
  #timer: NodeJS.Timeout | undefined;
  #connected = false;
  #closed = false;
  #failures = 0;
  #queue: Array<{ call: ConfigCall; update: ConfigUpdate }> = [];
  #applying = false;

  constructor(opts: SyncClientOptions) {
    this.#opts = opts;
    this.#backoff = new Backoff(opts.backoff);
    this.#client = new grpc.Client(
      opts.address,
      opts.credentials ?? grpc.credentials.createInsecure(),
      CHANNEL_OPTIONS,
    );
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
      responseCodec.deserialize,
    );
    this.#call = call;
    call.on("metadata", () => this.#up(call));
    call.on("data", (msg: StreamConfigResponse) => this.#onMessage(call, msg));
    call.on("error", (err: grpc.ServiceError) => this.#down(call, `${grpc.status[err.code] ?? err.code}`));
    call.on("end", () => this.#down(call, "ended by the control plane"));
    call.on("status", (s: grpc.StatusObject) => this.#down(call, grpc.status[s.code] ?? String(s.code)));
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
    this.#backoff.reset();
    this.#opts.log.info({ control_plane: this.#opts.address }, "config stream connected");
  }

  #onMessage(call: ConfigCall, msg: StreamConfigResponse): void {
    if (call !== this.#call) return;
    this.#up(call);
    if (msg.kind.case !== "update") return; // a newer control plane's message kind: ignore
    this.#queue.push({ call, update: msg.kind.value });
    this.#applyQueued();
  }

  /**
   * Applies queued updates one at a time, in arrival order, answering each on its stream. An
   * applier may answer asynchronously (a cluster primary waits for its workers); updates that
   * arrive meanwhile wait. Updates of a stream that has been replaced are dropped.
   */
  #applyQueued(): void {
    while (!this.#applying) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      if (next.call !== this.#call) continue;
      const answer = this.#opts.applier.apply(next.update);
      if (!(answer instanceof Promise)) {
        next.call.write(answer);
        continue;
      }
      this.#applying = true;
      void answer.then((a) => {
        this.#applying = false;
        if (next.call === this.#call) next.call.write(a);
        this.#applyQueued();
      });
    }
  }

  #down(call: ConfigCall, reason: string): void {
    if (call !== this.#call) return;
    this.#call = undefined;
    const wasConnected = this.#connected;
    this.#connected = false;
    call.cancel();
    if (this.#closed) return;
    const delay = this.#backoff.next();
    // Loud when a working stream drops or the first attempt fails; retries are debug noise.
    const level = wasConnected || this.#failures++ === 0 ? "warn" : "debug";
    this.#opts.log[level]({ control_plane: this.#opts.address, reason, retry_ms: delay }, "config stream down");
    this.#timer = setTimeout(() => this.#open(), delay);
  }
}
