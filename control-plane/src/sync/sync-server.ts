import * as grpc from "@grpc/grpc-js";
import { configSyncServiceDefinition, type StreamConfigRequest, type StreamConfigResponse } from "@palisade/proto";
import type { Publisher } from "../config/publisher.js";
import type { ListenAddress } from "../listen-address.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";
import { StreamSession } from "./stream-session.js";

/**
 * The gRPC config sync server: one `StreamSession` per node stream; every
 * publish is offered to every open session. A node that opens a second stream
 * replaces its first (the older one is ended).
 */
export class SyncServer {
  readonly #server: grpc.Server;
  readonly #sessions = new Map<string, { session: StreamSession; call: grpc.ServerDuplexStream<unknown, unknown> }>();
  readonly #store: Store;
  readonly #publisher: Publisher;
  readonly #log: Logger;

  constructor(store: Store, publisher: Publisher, log: Logger) {
    this.#store = store;
    this.#publisher = publisher;
    this.#log = log;
    this.#server = new grpc.Server({
      "grpc.keepalive_time_ms": 20_000,
      "grpc.keepalive_timeout_ms": 10_000,
      "grpc.keepalive_permit_without_calls": 1,
      "grpc.http2.min_ping_interval_without_data_ms": 5_000,
      "grpc.max_receive_message_length": 4 * 1024 * 1024,
      "grpc.max_send_message_length": 256 * 1024 * 1024,
    });
    this.#server.addService(configSyncServiceDefinition, {
      streamConfig: (call: grpc.ServerDuplexStream<StreamConfigRequest, StreamConfigResponse>) => this.#onStream(call),
    });
    publisher.onPublish(() => {
      for (const { session } of this.#sessions.values()) session.offerLatest();
    });
  }

  #onStream(call: grpc.ServerDuplexStream<StreamConfigRequest, StreamConfigResponse>): void {
    // Headers go out at once, so a node that is already current (and gets no update) still
    // learns that its stream is up.
    call.sendMetadata(new grpc.Metadata());
    let registered = false;
    const session = new StreamSession(
      this.#store,
      this.#publisher,
      {
        send: (msg) => call.write(msg),
        fail: (reason) => {
          call.emit("error", { code: grpc.status.INVALID_ARGUMENT, details: reason });
          call.end();
        },
      },
      this.#log,
    );
    const cleanup = () => {
      const id = session.nodeId;
      if (id && this.#sessions.get(id)?.session === session) {
        this.#sessions.delete(id);
        session.close();
      }
    };
    call.on("data", (msg: StreamConfigRequest) => {
      try {
        const before = session.nodeId;
        session.receive(msg);
        if (!registered && session.nodeId && !before) {
          registered = true;
          const old = this.#sessions.get(session.nodeId);
          this.#sessions.set(session.nodeId, { session, call });
          if (old) {
            this.#log.warn({ node: session.nodeId }, "node opened a second stream; ending the first");
            old.call.end();
          }
        }
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

  /**
   * Binds the listener (insecure credentials: loopback and the local demo only).
   * @returns the bound port (useful with port 0).
   */
  listen(addr: ListenAddress): Promise<number> {
    const host = addr.host.includes(":") ? `[${addr.host}]` : addr.host;
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(`${host}:${addr.port}`, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
  }

  /** Ends every stream and stops the server (forced after `graceMs`). */
  async close(graceMs = 2000): Promise<void> {
    for (const { session, call } of this.#sessions.values()) {
      session.close();
      call.end();
    }
    this.#sessions.clear();
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
