import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  type AnomalySummary,
  type ConfigError,
  ConfigErrorKind,
  type NodeHello,
  type Resource,
  type SecurityEventBatch,
  type SecurityEventBatchAck,
  type StreamConfigRequest,
  type StreamConfigResponse,
  StreamConfigResponseSchema,
} from "@palisade/proto";
import type { PublishedVersion, UpdatePlan } from "../config/publisher.js";
import { CORE_KINDS } from "../config/snapshot.js";
import type { FleetRegistry } from "../fleet/fleet-registry.js";
import type { Logger } from "../log.js";
import type { NackKind, Store } from "../store/store.js";
import type { AckRecorder } from "./ack-recorder.js";
import type { FullUpdateGate } from "./full-update-gate.js";
import type { SharedUpdate } from "./update-encoder.js";

/** gRPC status names a session may end a stream with. */
export type SessionFailure = "INVALID_ARGUMENT" | "PERMISSION_DENIED" | "UNAUTHENTICATED";

/** The send side of one node's stream; the gRPC call in production, an array in tests. */
export interface SessionTransport {
  send(msg: StreamConfigResponse): void;
  /** Ends the stream with an error status and message. */
  fail(reason: string, code?: SessionFailure | "UNAVAILABLE"): void;
  /** The node's hello was accepted: the stream is open for `nodeId`. */
  opened?(nodeId: string): void;
  /**
   * Sends a config update with this node's nonce, encoded once per `key` for every node that
   * gets the same update (an {@link UpdateEncoder}); without it the update goes through `send`.
   */
  sendUpdate?(key: string, update: SharedUpdate, nonce: string): void;
}

/** Where a session reads versions and what a node lacks (the Publisher). */
export interface VersionSource {
  latest(): PublishedVersion | undefined;
  /** Any published version by number, read from the store when not in memory (needed with a {@link DesiredVersionSource}). */
  version?(n: number): Promise<PublishedVersion | undefined>;
  /** A version already in memory. */
  cached?(n: number): PublishedVersion | undefined;
  /** Versions {@link planFor} needs for `held` → `target` that are not in memory (read them with `version` first). */
  missingFor?(held: { version: number; hash: string }, target: number): number[];
  /** What a node holding `held` needs to reach `target` (default: the latest). */
  planFor(held: { version: number; hash: string }, forceFull?: boolean, target?: PublishedVersion): UpdatePlan;
}

/**
 * Which version a node should hold (the rollout engine: the stable version, or what a rollout
 * assigned it). Without one, every node is offered the latest version.
 */
export interface DesiredVersionSource {
  /**
   * @returns a version number, 0 for none; a promise when the answer needs a stored change first
   *   (a joiner admitted to a rollout stage)
   */
  desiredFor(node: {
    readonly id: string;
    readonly region: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly applied_version: number;
  }): number | Promise<number>;
}

/** Where a session hands the node's security events (the SecurityEventIntake). */
export interface SecurityEventSink {
  /** Stores a batch from `node`; @returns the ACK for the node */
  ingest(
    node: { readonly id: string; readonly region: string },
    batch: SecurityEventBatch,
  ): Promise<SecurityEventBatchAck>;
}

/** Where a session counts ACKs and NACKs (the control plane's `/metrics`). */
export interface SyncMetricsSink {
  /** An ACK, `seconds` after the version was published (or the node connected, when later). */
  acked(seconds: number): void;
  nacked(kind: NackKind | "base_mismatch"): void;
}

/** Where a session hands the node's anomaly summaries, and what it sends a node first (the AnomalyService). */
export interface AnomalySink {
  /** Merges one summary from `node` (refused and counted when malformed). */
  summary(node: { readonly id: string; readonly region: string }, summary: AnomalySummary): unknown;
  /** The message a node gets once its stream is open (the decisions in force). */
  welcome(): StreamConfigResponse;
  /** A node's security events (after the intake stored them): its own anomaly detections are decided on. */
  nodeEvents?(node: { readonly id: string; readonly region: string }, batch: SecurityEventBatch): void;
}

/** Optional companions of a session. */
export interface SessionHooks {
  /** Anomaly summaries (merged in the fleet view); without it they are ignored. */
  readonly anomaly?: AnomalySink | undefined;
  /** Where the node's security events go; without it they are not acknowledged (the node keeps them). */
  readonly events?: SecurityEventSink | undefined;
  readonly metrics?: SyncMetricsSink | undefined;
  /** Writes ACKs in batches (the sync server's); without it, each ACK is its own store write. */
  readonly acks?: AckRecorder | undefined;
  /** Bounds the full updates in flight over all streams (the sync server's); without it, none. */
  readonly fullUpdates?: FullUpdateGate | undefined;
}

/** The identity a client certificate proves (mTLS); absent in insecure mode. */
export interface PeerIdentity {
  readonly nodeId: string;
  readonly region: string;
  /** Certificate serial, hex. */
  readonly serial: string;
  /** Certificate expiry, ISO 8601. */
  readonly notAfter: string;
}

/** Code of a NACK that asks for a full update instead of a delta (not a refusal of the version). */
export const BASE_MISMATCH = "BASE_MISMATCH";

/**
 * Who is to blame for a NACK: the error's `kind`, or for a node that does not send one (older
 * than the field) its code, `INTERNAL` being the node's fault.
 */
export function nackKind(e: ConfigError | undefined): NackKind {
  if (e?.kind === ConfigErrorKind.NODE_FAULT) return "node_fault";
  if (e?.kind === ConfigErrorKind.CONFIG) return "config";
  return e?.code === "INTERNAL" ? "node_fault" : "config";
}

/**
 * What {@link StreamSession.resync} did: the version the node will be sent whole, or why none
 * can be (`not-open`: no hello yet or the stream closed; `no-version`: none published for it;
 * `blocked`: its build lacks features the version uses).
 */
export type ResyncResult =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly reason: "not-open" }
  | { readonly ok: false; readonly reason: "no-version" }
  | { readonly ok: false; readonly reason: "blocked"; readonly version: number; readonly missing: readonly string[] };

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * One node's stream, as a state machine without a socket (after go-control-plane's per-stream
 * loop). It owns the node id, what the node holds (version + content hash), the nonce of the
 * update in flight and the versions this node refused, and it records every ACK/NACK in the store.
 *
 * States: `awaiting-hello` → `open` → `closed`. In `open`, at most one update is in flight; an
 * ACK/NACK whose nonce is not the one in flight is stale and ignored. The session offers the
 * node its desired version (the stable version, or the one a rollout assigned it; the latest
 * when no {@link DesiredVersionSource} is given), older ones included (a rollback). The hello
 * says what the node holds, so a reconnecting node gets only what it lacks: nothing when it
 * holds the desired content, a delta over a version the control plane knows, else a full update. A NACK with code BASE_MISMATCH
 * makes the next update full. Any other NACKed version is never re-sent to the node that refused
 * it (on this stream or after a reconnect), whether the config or the node was at fault
 * (`nackKind`, recorded with the NACK); a newer version is. An operator's {@link resync} is the
 * one exception: it forgets the refusals and sends the desired version once, whole. A version
 * using features the node lacks (policy types, resource kinds) is not sent; the node shows it as
 * blocked.
 */
export class StreamSession {
  readonly #store: Store;
  readonly #versions: VersionSource;
  readonly #transport: SessionTransport;
  readonly #log: Logger;
  readonly #fleet: FleetRegistry | undefined;
  readonly #peer: PeerIdentity | undefined;
  readonly #desired: DesiredVersionSource | undefined;
  readonly #events: SecurityEventSink | undefined;
  readonly #anomaly: AnomalySink | undefined;
  readonly #metrics: SyncMetricsSink | undefined;
  readonly #gate: FullUpdateGate | undefined;
  readonly #acks: Pick<Store, "recordAck">;
  /** This stream holds one of the gate's slots (its full update is in flight). */
  #slot = false;
  readonly #retry = () => this.offer();
  #openedAt = Date.now();
  #nodeId: string | undefined;
  #region = "default";
  #labels: Readonly<Record<string, string>> = {};
  #state: "awaiting-hello" | "open" | "closed" = "awaiting-hello";
  #inFlight:
    | { nonce: string; version: number; hash: string; full: boolean; sentAt: number; publishedAt: number }
    | undefined;
  /** An operator asked for a resync that is not sent yet (an update was in flight). */
  #resync = false;
  #held: { version: number; hash: string } = { version: 0, hash: "" };
  #nacked = new Set<number>();
  #understood = new Set<string>();
  #forceFull = false;
  #blocked: number | undefined;
  /** Messages that arrived while the hello was being checked against the store. */
  #early: StreamConfigRequest[] | undefined;
  /** An offer waits for the store (a version to read, a rollout admission): offer again after. */
  #waiting = false;
  /** The store writes of this node, in order (an ACK never lands before the hello's row). */
  #writes: Promise<void> = Promise.resolve();
  /** The hello's check and the offer's wait, while they run. */
  #helloDone: Promise<void> = Promise.resolve();
  #waitDone: Promise<void> = Promise.resolve();

  /**
   * @param fleet live registry of heartbeats and reports (optional in unit tests)
   * @param peer the identity proven by the client certificate (mTLS); the hello must match it
   * @param desired which version the node should hold (default: the latest)
   * @param hooks where security events go and ACKs/NACKs are counted
   */
  constructor(
    store: Store,
    versions: VersionSource,
    transport: SessionTransport,
    log: Logger,
    fleet?: FleetRegistry,
    peer?: PeerIdentity,
    desired?: DesiredVersionSource,
    hooks: SessionHooks = {},
  ) {
    this.#events = hooks.events;
    this.#anomaly = hooks.anomaly;
    this.#metrics = hooks.metrics;
    this.#gate = hooks.fullUpdates;
    this.#acks = hooks.acks ?? store;
    this.#store = store;
    this.#versions = versions;
    this.#transport = transport;
    this.#log = log;
    this.#fleet = fleet;
    this.#peer = peer;
    this.#desired = desired;
  }

  /** The node id from the hello, once received. */
  get nodeId(): string | undefined {
    return this.#nodeId;
  }

  /** What the node holds: its applied version and content hash. */
  get held(): { version: number; hash: string } {
    return this.#held;
  }

  /** Handles one message from the node. */
  receive(msg: StreamConfigRequest): void {
    if (this.#state === "closed") return;
    const k = msg.kind;
    if (this.#early) {
      this.#early.push(msg);
      return;
    }
    if (this.#state === "awaiting-hello") {
      if (k.case !== "hello") {
        this.#transport.fail("the first message must be a hello");
        return;
      }
      this.#early = [];
      this.#helloDone = this.#hello(k.value)
        .catch((err) => {
          this.#log.error({ err, node: k.value.nodeId }, "node hello failed");
          this.#transport.fail("the control plane cannot check this node now (store unavailable)", "UNAVAILABLE");
        })
        .finally(() => {
          // A refused hello ended the stream: what followed it is dropped.
          const early = this.#state === "open" ? (this.#early ?? []) : [];
          this.#early = undefined;
          for (const m of early) this.receive(m);
        });
      return;
    }
    this.#fleet?.seen(this.#nodeId!);
    if (k.case === "report") {
      this.#fleet?.report(this.#nodeId!, this.#region, k.value);
      return;
    }
    if (k.case === "anomalySummary") {
      this.#anomaly?.summary({ id: this.#nodeId!, region: this.#region }, k.value);
      return;
    }
    if (k.case === "securityEvents") {
      this.#anomaly?.nodeEvents?.({ id: this.#nodeId!, region: this.#region }, k.value);
      const events = this.#events;
      if (!events) return;
      // Acknowledged once stored; a batch the store could not take is not acknowledged (the node resends it).
      events.ingest({ id: this.#nodeId!, region: this.#region }, k.value).then(
        (ack) => {
          if (this.#state === "open")
            this.#transport.send(
              create(StreamConfigResponseSchema, { kind: { case: "securityEventsAck", value: ack } }),
            );
        },
        (err) => this.#log.warn({ err, node: this.#nodeId }, "security events not stored: not acknowledged"),
      );
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
      this.#releaseSlot();
      if (k.case === "ack") {
        this.#held = { version: sent.version, hash: sent.hash };
        if (sent.full) this.#forceFull = false;
        const id = this.#nodeId!;
        this.#persist(() => this.#acks.recordAck(id, sent.version, sent.hash));
        this.#metrics?.acked(Math.max(0, Date.now() - sent.publishedAt) / 1000);
        // Debug: at 100 nodes an info line per ACK per publish drowns the log; the inventory has it.
        this.#log.debug(
          { node: this.#nodeId, version: sent.version, full: sent.full, ms: Date.now() - sent.sentAt },
          "node ACK",
        );
      } else {
        const e = k.value.error;
        if (e?.code === BASE_MISMATCH && !sent.full) {
          // The node does not hold the delta's base: not a refusal of the version; send it whole.
          this.#forceFull = true;
          this.#metrics?.nacked("base_mismatch");
          this.#log.warn({ node: this.#nodeId, version: sent.version, reason: e.message }, "delta base mismatch");
        } else {
          const kind = nackKind(e);
          this.#metrics?.nacked(kind);
          this.#nacked.add(sent.version);
          const id = this.#nodeId!;
          const nack = {
            version: sent.version,
            runningVersion: Number(k.value.runningVersion),
            code: e?.code || "UNKNOWN",
            kind,
            message: e?.message ?? "",
            resource: e?.resource ?? "",
          };
          this.#persist(() => this.#store.recordNack(id, nack));
          this.#log.warn(
            { node: this.#nodeId, version: sent.version, code: e?.code, kind, resource: e?.resource },
            kind === "node_fault"
              ? "node NACK (node fault): not re-sent to this node; a resync may help"
              : "node NACK: version refused, not re-sent to this node",
          );
        }
      }
      // A version published (or assigned) while this one was in flight goes out now.
      this.offer();
    }
  }

  /**
   * Queues a store write of this node after the previous ones. A failed write is logged: the
   * stream goes on (the node's state is the session's; the inventory catches up on its next ACK).
   */
  #persist(write: () => Promise<void>): void {
    this.#writes = this.#writes.then(write).catch((err) => {
      this.#log.warn({ err, node: this.#nodeId }, "node state not stored");
    });
  }

  /**
   * Resolves once the session has nothing in progress: the hello checked, the offer's reads
   * done, every store write queued so far stored (tests and the resync answer wait for it).
   */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [this.#helloDone, this.#waitDone, this.#writes] as const;
      await Promise.all(pending);
      if (pending[0] === this.#helloDone && pending[1] === this.#waitDone && pending[2] === this.#writes) return;
    }
  }

  async #hello(h: NodeHello): Promise<void> {
    if (!NODE_ID.test(h.nodeId)) {
      this.#transport.fail("invalid node id");
      return;
    }
    const peer = this.#peer;
    if (peer && h.nodeId !== peer.nodeId) {
      this.#transport.fail(
        `node id ${JSON.stringify(h.nodeId)} does not match the client certificate (${peer.nodeId})`,
        "PERMISSION_DENIED",
      );
      return;
    }
    if (peer && h.region !== "" && h.region !== peer.region) {
      this.#transport.fail(
        `region ${JSON.stringify(h.region)} does not match the client certificate (${peer.region})`,
        "PERMISSION_DENIED",
      );
      return;
    }
    const prior = await this.#store.getNode(h.nodeId);
    if (this.#state !== "awaiting-hello") return; // closed meanwhile
    if (prior?.revoked_at) {
      this.#transport.fail("this node is revoked", "PERMISSION_DENIED");
      return;
    }
    this.#nodeId = h.nodeId;
    this.#openedAt = Date.now();
    this.#region = peer?.region ?? (h.region || "default");
    this.#labels = { ...h.labels };
    this.#state = "open";
    this.#transport.opened?.(h.nodeId);
    this.#held = { version: Number(h.appliedVersion), hash: h.appliedHash };
    const features = h.features.length > 0 ? [...h.features] : [...CORE_KINDS];
    this.#understood = new Set([...h.policyTypes, ...features]);
    const facts = {
      id: h.nodeId,
      region: this.#region,
      labels: { ...h.labels },
      softwareVersion: h.softwareVersion,
      policyTypes: [...h.policyTypes],
      appliedVersion: Number(h.appliedVersion),
      appliedHash: h.appliedHash,
      features,
      reportIntervalMs: h.reportIntervalMs,
      certSerial: peer?.serial ?? null,
      certNotAfter: peer?.notAfter ?? null,
    };
    this.#persist(() => this.#store.upsertNodeHello(facts));
    this.#fleet?.connected(h.nodeId, this.#region, h.reportIntervalMs);
    if (prior?.last_nack) this.#nacked.add(prior.last_nack.version);
    if (prior?.blocked) this.#blocked = prior.blocked.version;
    this.#log.info(
      { node: h.nodeId, region: this.#region, applied: Number(h.appliedVersion), mtls: peer !== undefined },
      "node connected",
    );
    this.offer();
  }

  /**
   * The version this node should hold now (undefined: none), or a promise to wait for before
   * asking again: the version must be read from the store first, or a rollout admits the node.
   * @param retried the previous attempt waited: a version still missing is logged, not awaited again
   */
  #target(retried: boolean): PublishedVersion | undefined | Promise<unknown> {
    if (!this.#desired) return this.#versions.latest();
    const n = this.#desired.desiredFor({
      id: this.#nodeId!,
      region: this.#region,
      labels: this.#labels,
      applied_version: this.#held.version,
    });
    if (typeof n !== "number") return retried ? undefined : n;
    if (n === 0) return undefined;
    const missing = this.#versions.missingFor?.(this.#held, n) ?? [];
    if (missing.length > 0 && !retried) return Promise.all(missing.map((m) => this.#versions.version?.(m)));
    const v =
      this.#versions.cached?.(n) ?? (this.#versions.latest()?.version === n ? this.#versions.latest() : undefined);
    if (!v) this.#log.error({ node: this.#nodeId, version: n }, "desired version not found");
    return v;
  }

  /** Waits for `p` (the store), then offers again (once: a second wait is not taken). */
  #waitThenOffer(p: Promise<unknown>, then: () => void): void {
    this.#waiting = true;
    this.#waitDone = p
      .then(
        () => {},
        (err) => this.#log.warn({ err, node: this.#nodeId }, "desired version not read: the store is unavailable"),
      )
      .finally(() => {
        this.#waiting = false;
        then();
      });
  }

  /**
   * An operator's resync (`POST /v1/nodes/{id}/resync`): forgets the versions this node refused
   * (here and in the store, so neither a reconnect nor a rollout counts them any more) and what
   * it is believed to hold, and sends its desired version as a full update flagged `resync`,
   * which the node compiles from scratch even when it holds that content. Sent once: now, or
   * when the update in flight is answered; if the node refuses it again, that refusal is
   * recorded and the version is not re-sent (the explicit action re-sends once, never in a loop).
   */
  async resync(): Promise<ResyncResult> {
    if (this.#state !== "open") return { ok: false, reason: "not-open" };
    let v = this.#target(false);
    if (v instanceof Promise) {
      await v.catch(() => {});
      v = this.#target(true) as PublishedVersion | undefined;
    }
    if (this.#state !== "open") return { ok: false, reason: "not-open" };
    if (!v) return { ok: false, reason: "no-version" };
    const missing = v.features.filter((f) => !this.#understood.has(f));
    if (missing.length > 0) return { ok: false, reason: "blocked", version: v.version, missing };
    this.#nacked.clear();
    const id = this.#nodeId!;
    this.#persist(() => this.#store.clearNodeNack(id));
    await this.#writes;
    this.#resync = true;
    this.#log.info(
      { node: this.#nodeId, version: v.version, in_flight: this.#inFlight?.version },
      "resync requested: the desired version goes to the node whole",
    );
    this.offer();
    return { ok: true, version: v.version };
  }

  /**
   * Sends what the node lacks of its desired version, unless it has refused that version, lacks
   * a feature it uses, or has an update in flight (the then desired one is offered when the
   * reply arrives). A pending resync sends the version whole, held or refused.
   */
  offer(retried = false): void {
    if (this.#state !== "open" || this.#inFlight || this.#waiting) return;
    const t = this.#target(retried);
    if (t instanceof Promise) {
      this.#waitThenOffer(t, () => this.offer(true));
      return;
    }
    const v = t;
    const resync = this.#resync;
    if (!v || (this.#nacked.has(v.version) && !resync)) return;
    const missing = v.features.filter((f) => !this.#understood.has(f));
    if (missing.length > 0) {
      if (this.#blocked !== v.version) {
        this.#blocked = v.version;
        const id = this.#nodeId!;
        this.#persist(() => this.#store.setNodeBlocked(id, { version: v.version, missing }));
        this.#log.warn({ node: this.#nodeId, version: v.version, missing }, "version not sent: node lacks features");
      }
      return;
    }
    if (this.#blocked !== undefined) {
      this.#blocked = undefined;
      const id = this.#nodeId!;
      this.#persist(() => this.#store.setNodeBlocked(id, null));
    }
    const plan = this.#versions.planFor(this.#held, this.#forceFull || resync, v);
    if (plan.kind === "none") return;
    if (plan.kind === "full" && this.#gate && !this.#slot) {
      if (!this.#gate.acquire(this.#retry)) return; // offered again when a slot frees
      this.#slot = true;
    }
    this.#resync = false;
    const nonce = randomBytes(12).toString("base64url");
    const update: SharedUpdate = {
      version: BigInt(v.version),
      hash: v.hash,
      createdAtMs: v.createdAtMs,
      full: plan.kind === "full",
    };
    // What determines the update's bytes besides the nonce: every node with the same key shares them.
    let key = `${v.version}:${v.hash}:`;
    if (plan.kind === "full") {
      update.resources = plan.resources as Resource[];
      update.resync = resync;
      key += resync ? "resync" : "full";
    } else {
      update.baseVersion = BigInt(plan.baseVersion);
      update.baseHash = plan.baseHash;
      update.resources = plan.changed as Resource[];
      update.removed = [...plan.removed];
      key += `delta:${plan.baseVersion}:${plan.baseHash}`;
    }
    const sentAt = Date.now();
    // Publish → ACK counts from the publish, or from the node's connect when it came later.
    const publishedAt = Math.max(Number(v.createdAtMs), this.#openedAt);
    this.#inFlight = { nonce, version: v.version, hash: v.hash, full: plan.kind === "full", sentAt, publishedAt };
    if (this.#transport.sendUpdate) this.#transport.sendUpdate(key, update, nonce);
    else
      this.#transport.send(
        create(StreamConfigResponseSchema, { kind: { case: "update", value: { ...update, nonce } } }),
      );
  }

  /** Gives the full-update slot back, if this stream holds one. */
  #releaseSlot(): void {
    if (!this.#slot) return;
    this.#slot = false;
    this.#gate?.release();
  }

  /**
   * Marks the stream closed and the node disconnected.
   * @param replaced the node opened another stream that took this one's place: the node is not
   *   marked disconnected, only what this stream held (a full-update slot) is given back
   */
  close(replaced = false): void {
    if (this.#state === "closed") return;
    this.#gate?.cancel(this.#retry);
    this.#releaseSlot();
    const wasOpen = this.#state === "open";
    this.#state = "closed";
    if (wasOpen && this.#nodeId && !replaced) {
      const id = this.#nodeId;
      this.#persist(() => this.#store.setNodeConnected(id, false));
      this.#fleet?.disconnected(this.#nodeId);
      this.#log.info({ node: this.#nodeId }, "node disconnected");
    }
  }
}
