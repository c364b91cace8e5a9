import * as grpc from "@grpc/grpc-js";
import {
  configSyncServiceDefinition,
  type JoinRequest,
  type JoinResponse,
  type RenewRequest,
  type RenewResponse,
  type StreamConfigRequest,
  type StreamConfigResponse,
} from "@palisade/proto";
import type { Publisher } from "../config/publisher.js";
import type { FleetRegistry } from "../fleet/fleet-registry.js";
import type { ListenAddress } from "../listen-address.js";
import type { Logger } from "../log.js";
import type { KeyCertPem } from "../pki/fleet-ca.js";
import { IdentityError, type NodeIdentity } from "../pki/node-identity.js";
import { StoreUnavailableError } from "../store/sql-db.js";
import type { Store } from "../store/store.js";
import { AckRecorder } from "./ack-recorder.js";
import { FullUpdateGate } from "./full-update-gate.js";
import { sharedReads } from "./shared-reads.js";
import {
  type DesiredVersionSource,
  type PeerIdentity,
  type ResyncResult,
  type SessionFailure,
  type SessionHooks,
  StreamSession,
  type VersionSource,
} from "./stream-session.js";
import { UpdateEncoder } from "./update-encoder.js";

/** How the sync port authenticates nodes. */
export type SyncSecurity =
  | { readonly mode: "insecure" }
  | { readonly mode: "mtls"; readonly identity: NodeIdentity; readonly server: KeyCertPem };

type Duplex = grpc.ServerDuplexStream<StreamConfigRequest, StreamConfigResponse>;

/**
 * The service with one change: StreamConfig's response serializer passes through a Buffer (an
 * update the {@link UpdateEncoder} encoded once for every node) and encodes any other message.
 */
const SERVICE: grpc.ServiceDefinition = (() => {
  const stream = configSyncServiceDefinition.streamConfig!;
  const encode = stream.responseSerialize;
  return {
    ...configSyncServiceDefinition,
    streamConfig: { ...stream, responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : encode(v)) },
  };
})();

/**
 * The gRPC config sync server: one `StreamSession` per node stream; after every publish, and
 * whenever a rollout changes which version nodes should hold (`offer`), the affected open
 * sessions are offered their desired version. A node that opens a second stream replaces its
 * first (the older one is ended).
 *
 * In mTLS mode the port speaks TLS with the fleet CA's server certificate and asks for a client
 * certificate without requiring one at the handshake, so that `Join` (token for certificate)
 * works before a node has one; `StreamConfig` and `Renew` refuse a caller without a certificate
 * the fleet CA signed (UNAUTHENTICATED) or with a revoked or unknown one (PERMISSION_DENIED), and
 * the certificate's CN and OU are the node id and region the stream must use. In insecure mode
 * (local demo only) there is no TLS, no identity, and `Join` is refused.
 */
export class SyncServer {
  readonly #server: grpc.Server;
  readonly #sessions = new Map<string, { session: StreamSession; call: Duplex }>();
  readonly #store: Store;
  /** The publisher, each version read once however many sessions wait for it. */
  readonly #versions: VersionSource;
  readonly #fleet: FleetRegistry;
  readonly #security: SyncSecurity;
  readonly #log: Logger;
  readonly #desired: DesiredVersionSource | undefined;
  readonly #hooks: SessionHooks;
  readonly #encoder = new UpdateEncoder();
  readonly #fullUpdates = new FullUpdateGate();
  readonly #acks: AckRecorder;

  /**
   * @param desired which version each node should hold (the rollout engine); default the latest
   * @param hooks where nodes' security events are stored (the SecurityEventIntake) and ACKs counted
   */
  constructor(
    store: Store,
    publisher: Publisher,
    fleet: FleetRegistry,
    security: SyncSecurity,
    log: Logger,
    desired?: DesiredVersionSource,
    hooks: SessionHooks = {},
  ) {
    this.#desired = desired;
    this.#hooks = hooks;
    this.#store = store;
    this.#acks = new AckRecorder(store);
    this.#versions = sharedReads(publisher);
    this.#fleet = fleet;
    this.#security = security;
    this.#log = log;
    this.#server = new grpc.Server({
      "grpc.keepalive_time_ms": 20_000,
      "grpc.keepalive_timeout_ms": 10_000,
      "grpc.keepalive_permit_without_calls": 1,
      "grpc.http2.min_ping_interval_without_data_ms": 5_000,
      "grpc.max_receive_message_length": 4 * 1024 * 1024,
      "grpc.max_send_message_length": 256 * 1024 * 1024,
    });
    this.#server.addService(SERVICE, {
      streamConfig: (call: Duplex) => void this.#onStream(call),
      join: (call: grpc.ServerUnaryCall<JoinRequest, JoinResponse>, cb: grpc.sendUnaryData<JoinResponse>) =>
        void this.#onJoin(call, cb),
      renew: (call: grpc.ServerUnaryCall<RenewRequest, RenewResponse>, cb: grpc.sendUnaryData<RenewResponse>) =>
        void this.#onRenew(call, cb),
    });
    publisher.onPublish(() => this.offer("all"));
  }

  /**
   * Sends one message to every open node stream (anomaly decisions: small, never a config
   * version). A stream that is not writable gets it later in its welcome, when it reconnects.
   */
  broadcast(msg: StreamConfigResponse): void {
    for (const { call } of this.#sessions.values()) call.write(msg);
  }

  /** Offers the listed nodes (or every node) their desired version, when their stream is open. */
  offer(nodes: readonly string[] | "all"): void {
    if (nodes === "all") for (const { session } of this.#sessions.values()) session.offer();
    else for (const id of nodes) this.#sessions.get(id)?.session.offer();
  }

  /**
   * The identity a call's client certificate proves, or an error naming why it has none.
   * Insecure mode: `undefined` (no identity).
   */
  async #peer(
    call: Pick<grpc.ServerUnaryCall<unknown, unknown>, "getAuthContext">,
  ): Promise<PeerIdentity | IdentityError | undefined> {
    if (this.#security.mode === "insecure") return undefined;
    const cert = call.getAuthContext().sslPeerCertificate;
    if (!cert)
      return new IdentityError(
        "UNAUTHENTICATED",
        "a client certificate signed by the fleet CA is required (start the node with --join-token)",
      );
    const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
    const cn = subject.CN;
    const ou = subject.OU;
    if (typeof cn !== "string" || typeof ou !== "string")
      return new IdentityError("PERMISSION_DENIED", "the client certificate names no node");
    try {
      await this.#security.identity.checkCertificate(cert.serialNumber);
    } catch (err) {
      if (err instanceof IdentityError) return err;
      this.#log.error({ err }, "client certificate not checked: the store is unavailable");
      return new IdentityError("UNAVAILABLE", "the control plane cannot check certificates now; retry");
    }
    return {
      nodeId: cn,
      region: ou,
      serial: cert.serialNumber.toUpperCase(),
      notAfter: new Date(cert.valid_to).toISOString(),
    };
  }

  async #onStream(call: Duplex): Promise<void> {
    const fail = (reason: string, code: SessionFailure | "UNAVAILABLE" = "INVALID_ARGUMENT") => {
      call.emit("error", { code: grpc.status[code], details: reason });
      call.end();
    };
    const peer = await this.#peer(call);
    if (peer instanceof IdentityError) {
      this.#log.warn({ reason: peer.message, peer: call.getPeer() }, "sync stream refused");
      fail(peer.message, peer.status === "INVALID_ARGUMENT" ? "INVALID_ARGUMENT" : peer.status);
      return;
    }
    // Headers at once: the node learns the stream is up even when it is sent nothing (in step).
    call.sendMetadata(new grpc.Metadata());
    const session: StreamSession = new StreamSession(
      this.#store,
      this.#versions,
      {
        send: (msg) => call.write(msg),
        // The encoded update goes as is (SERVICE's serializer): StreamConfigResponse bytes.
        sendUpdate: (key, update, nonce) =>
          call.write(this.#encoder.frame(key, update, nonce) as unknown as StreamConfigResponse),
        fail,
        // The hello was accepted: this stream is the node's (a second one replaces the first).
        opened: (nodeId) => {
          const old = this.#sessions.get(nodeId);
          this.#sessions.set(nodeId, { session, call });
          // The anomaly decisions in force, so a node that (re)connects enforces them at once.
          const welcome = this.#hooks.anomaly?.welcome();
          if (welcome) call.write(welcome);
          if (old) {
            this.#log.warn({ node: nodeId }, "node opened a second stream; ending the first");
            old.call.end();
          }
        },
      },
      this.#log,
      this.#fleet,
      peer,
      this.#desired,
      { ...this.#hooks, fullUpdates: this.#fullUpdates, acks: this.#acks },
    );
    const cleanup = () => {
      const id = session.nodeId;
      if (id && this.#sessions.get(id)?.session === session) {
        this.#sessions.delete(id);
        session.close();
      } else session.close(true); // replaced by the node's newer stream, or ended before its hello
    };
    call.on("data", (msg: StreamConfigRequest) => {
      try {
        session.receive(msg);
      } catch (err) {
        this.#log.error({ err, node: session.nodeId }, "sync stream message failed");
        call.end();
      }
    });
    call.on("end", () => {
      cleanup();
      call.end();
    });
    call.on("error", () => cleanup());
    call.on("cancelled", () => cleanup());
    call.on("close", () => cleanup());
  }

  async #onJoin(
    call: grpc.ServerUnaryCall<JoinRequest, JoinResponse>,
    cb: grpc.sendUnaryData<JoinResponse>,
  ): Promise<void> {
    if (this.#security.mode === "insecure") {
      cb({ code: grpc.status.FAILED_PRECONDITION, details: "the sync port runs insecure: there is nothing to join" });
      return;
    }
    const identity = this.#security.identity;
    const r = call.request;
    try {
      const issued = await identity.join({
        token: r.token,
        nodeId: r.nodeId,
        region: r.region,
        publicKey: r.publicKey,
        proof: r.proof,
      });
      cb(null, {
        $typeName: "palisade.sync.v1.JoinResponse",
        certificatePem: issued.certPem,
        caCertificatePem: identity.caCertPem,
        region: issued.region,
        notAfterMs: BigInt(issued.notAfter.getTime()),
      });
    } catch (err) {
      this.#answerError(cb, err, { node: r.nodeId, peer: call.getPeer() }, "join refused");
    }
  }

  async #onRenew(
    call: grpc.ServerUnaryCall<RenewRequest, RenewResponse>,
    cb: grpc.sendUnaryData<RenewResponse>,
  ): Promise<void> {
    const peer = await this.#peer(call);
    if (this.#security.mode === "insecure" || peer === undefined) {
      cb({ code: grpc.status.FAILED_PRECONDITION, details: "the sync port runs insecure: there is nothing to renew" });
      return;
    }
    if (peer instanceof IdentityError) {
      this.#answerError(cb, peer, { peer: call.getPeer() }, "renew refused");
      return;
    }
    const identity = this.#security.identity;
    try {
      const issued = await identity.renew(peer, call.request.publicKey, call.request.proof);
      cb(null, {
        $typeName: "palisade.sync.v1.RenewResponse",
        certificatePem: issued.certPem,
        caCertificatePem: identity.caCertPem,
        notAfterMs: BigInt(issued.notAfter.getTime()),
      });
    } catch (err) {
      this.#answerError(cb, err, { node: peer.nodeId }, "renew refused");
    }
  }

  #answerError(cb: grpc.sendUnaryData<never>, err: unknown, fields: Record<string, unknown>, msg: string): void {
    if (err instanceof IdentityError) {
      this.#log.warn({ ...fields, reason: err.message }, msg);
      cb({ code: grpc.status[err.status], details: err.message });
      return;
    }
    if (err instanceof StoreUnavailableError) {
      this.#log.warn({ ...fields, reason: err.reason }, `${msg}: the store is unavailable`);
      cb({ code: grpc.status.UNAVAILABLE, details: "the control plane's store is unavailable; retry" });
      return;
    }
    this.#log.error({ ...fields, err }, `${msg}: internal error`);
    cb({ code: grpc.status.INTERNAL, details: "internal error" });
  }

  /** Ends the node's stream (revoked or deleted). @returns whether a stream was open */
  disconnect(nodeId: string, reason: string): boolean {
    const s = this.#sessions.get(nodeId);
    if (!s) return false;
    this.#sessions.delete(nodeId);
    s.session.close();
    s.call.emit("error", { code: grpc.status.PERMISSION_DENIED, details: reason });
    s.call.end();
    return true;
  }

  /**
   * An operator's resync of one node (see StreamSession.resync): its desired version goes to it
   * whole, compiled from scratch, even if it refused that version before.
   */
  async resync(nodeId: string): Promise<ResyncResult> {
    const s = this.#sessions.get(nodeId);
    if (!s) return { ok: false, reason: "not-open" };
    return s.session.resync();
  }

  /** Node ids with an open stream. */
  connectedNodes(): string[] {
    return [...this.#sessions.keys()];
  }

  /**
   * Binds the listener: TLS with the fleet CA's server certificate (mTLS mode) or plain gRPC.
   * @returns the bound port (useful with port 0).
   */
  listen(addr: ListenAddress): Promise<number> {
    const host = addr.host.includes(":") ? `[${addr.host}]` : addr.host;
    let creds: grpc.ServerCredentials;
    const sec = this.#security;
    if (sec.mode === "insecure") creds = grpc.ServerCredentials.createInsecure();
    else {
      // Listeners are called back asynchronously: grpc-js registers its watcher after adding them.
      const provider: grpc.experimental.CertificateProvider = {
        addCaCertificateListener: (l) =>
          queueMicrotask(() => l({ caCertificate: Buffer.from(sec.identity.caCertPem) })),
        removeCaCertificateListener: () => {},
        addIdentityCertificateListener: (l) =>
          queueMicrotask(() =>
            l({ certificate: Buffer.from(sec.server.certPem), privateKey: Buffer.from(sec.server.keyPem) }),
          ),
        removeIdentityCertificateListener: () => {},
      };
      // Request a client certificate, verified against the fleet CA, without requiring one (Join).
      creds = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
    }
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(`${host}:${addr.port}`, creds, (err, port) => (err ? reject(err) : resolve(port)));
    });
  }

  /** Ends every stream and stops the server (forced after `graceMs`). */
  async close(graceMs = 2000): Promise<void> {
    for (const { session, call } of this.#sessions.values()) {
      session.close();
      call.end();
    }
    this.#sessions.clear();
    await this.#acks.flush();
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, graceMs);
      this.#server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
