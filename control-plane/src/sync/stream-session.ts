import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { type StreamConfigRequest, type StreamConfigResponse, StreamConfigResponseSchema } from "@palisade/proto";
import type { PublishedVersion } from "../config/publisher.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";

/** The send side of one node's stream; the gRPC call in production, an array in tests. */
export interface SessionTransport {
  send(msg: StreamConfigResponse): void;
  /** Ends the stream with an error status and message. */
  fail(reason: string): void;
}

/** Where a session reads the latest version from. */
export interface VersionSource {
  latest(): PublishedVersion | undefined;
}

/**
 * One node's stream, as a state machine without a socket (after
 * go-control-plane's per-stream loop). It owns the node id, the nonce of the
 * update in flight and the versions this node refused, and it records every
 * ACK/NACK in the store.
 *
 * States: `awaiting-hello` → `open` → `closed`. In `open`, at most one update is
 * in flight; an ACK/NACK whose nonce is not the one in flight is stale and ignored.
 * A NACKed version is never re-sent to the node that refused it (on this stream
 * or after a reconnect); a newer version is.
 */
export class StreamSession {
  readonly #store: Store;
  readonly #versions: VersionSource;
  readonly #transport: SessionTransport;
  readonly #log: Logger;
  #nodeId: string | undefined;
  #state: "awaiting-hello" | "open" | "closed" = "awaiting-hello";
  #inFlight: { nonce: string; version: number; hash: string } | undefined;
  #applied: { version: number; hash: string } = { version: 0, hash: "" };
  #nacked = new Set<number>();

  constructor(store: Store, versions: VersionSource, transport: SessionTransport, log: Logger) {
    this.#store = store;
    this.#versions = versions;
    this.#transport = transport;
    this.#log = log;
  }

  /** The node id from the hello, once received. */
  get nodeId(): string | undefined {
    return this.#nodeId;
  }

  /** Handles one message from the node. */
  receive(msg: StreamConfigRequest): void {
    if (this.#state === "closed") return;
    const k = msg.kind;
    if (this.#state === "awaiting-hello") {
      if (k.case !== "hello") {
        this.#transport.fail("the first message must be a hello");
        return;
      }
      const h = k.value;
      if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(h.nodeId)) {
        this.#transport.fail("invalid node id");
        return;
      }
      this.#nodeId = h.nodeId;
      this.#state = "open";
      this.#applied = { version: Number(h.appliedVersion), hash: h.appliedHash };
      this.#store.upsertNodeHello({
        id: h.nodeId,
        region: h.region || "default",
        labels: { ...h.labels },
        softwareVersion: h.softwareVersion,
        policyTypes: [...h.policyTypes],
        appliedVersion: Number(h.appliedVersion),
        appliedHash: h.appliedHash,
      });
      const prior = this.#store.getNode(h.nodeId)?.last_nack;
      if (prior) this.#nacked.add(prior.version);
      this.#log.info({ node: h.nodeId, region: h.region, applied: Number(h.appliedVersion) }, "node connected");
      this.offerLatest();
      return;
    }
    if (k.case === "ack" || k.case === "nack") {
      const nonce = k.value.nonce;
      if (!this.#inFlight || nonce !== this.#inFlight.nonce) {
        this.#log.debug({ node: this.#nodeId, nonce }, "stale nonce ignored");
        return;
      }
      const sent = this.#inFlight;
      this.#inFlight = undefined;
      if (k.case === "ack") {
        this.#applied = { version: sent.version, hash: sent.hash };
        this.#store.recordAck(this.#nodeId!, sent.version, sent.hash);
        this.#log.info({ node: this.#nodeId, version: sent.version }, "node ACK");
      } else {
        const e = k.value.error;
        this.#nacked.add(sent.version);
        this.#store.recordNack(this.#nodeId!, {
          version: sent.version,
          runningVersion: Number(k.value.runningVersion),
          code: e?.code || "UNKNOWN",
          message: e?.message ?? "",
          resource: e?.resource ?? "",
        });
        this.#log.warn(
          { node: this.#nodeId, version: sent.version, code: e?.code, resource: e?.resource },
          "node NACK: version refused, not re-sent to this node",
        );
      }
      // A version published while this one was in flight goes out now.
      this.offerLatest();
    }
  }

  /**
   * Sends the latest version if this node lacks it, has not refused it, and
   * has no update in flight (the newest is offered again when the reply arrives).
   */
  offerLatest(): void {
    if (this.#state !== "open" || this.#inFlight) return;
    const v = this.#versions.latest();
    if (!v || this.#nacked.has(v.version)) return;
    if (v.hash === this.#applied.hash && v.version === this.#applied.version) return;
    const nonce = randomBytes(12).toString("base64url");
    this.#inFlight = { nonce, version: v.version, hash: v.hash };
    this.#transport.send(
      create(StreamConfigResponseSchema, {
        kind: { case: "update", value: { version: BigInt(v.version), nonce, snapshot: v.snapshot } },
      }),
    );
  }

  /** Marks the stream closed and the node disconnected. */
  close(): void {
    if (this.#state === "closed") return;
    const wasOpen = this.#state === "open";
    this.#state = "closed";
    if (wasOpen && this.#nodeId) {
      this.#store.setNodeConnected(this.#nodeId, false);
      this.#log.info({ node: this.#nodeId }, "node disconnected");
    }
  }
}
