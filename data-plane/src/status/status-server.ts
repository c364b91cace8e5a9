import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TableHolder } from "../config/table-holder.js";
import type { SecurityEvents } from "../events/security-events.js";

/** What the status endpoints report besides the applied config. */
export interface StatusSource {
  readonly holder: TableHolder;
  readonly nodeId: string;
  readonly region: string;
  /** Whether the config stream to the control plane is up. */
  readonly controlPlaneConnected: () => boolean;
  /** The node's security events (counts and recent events), when the node has them. */
  readonly events?: SecurityEvents;
}

/**
 * The status listener (default 127.0.0.1:8100), JSON only:
 * - `GET /healthz` → 200 `{"status":"ok"}` while the process runs;
 * - `GET /readyz` → 200 `{"status":"ready","version":N}` once a config is applied, else
 *   503 `{"status":"not_ready"}`;
 * - `GET /config` → 200 `{"version":N,"hash":"…","applied_at":"ISO 8601","node_id":"…",
 *   "region":"…","control_plane":"connected"|"disconnected"}` (version, hash and applied_at are
 *   `null` before the first config);
 * - `GET /security-events` → 200 `{"counts":{"rate_limited":N,…},"dropped":N,"recent":[…]}`:
 *   security events counted by type since start, and the last 100 events;
 * - any other path → 404 `{"error":{"code":"NOT_FOUND",…}}`; another method → 405.
 */
export class StatusServer {
  #src: StatusSource;
  #server: Server;

  constructor(src: StatusSource) {
    this.#src = src;
    this.#server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) =>
      this.#handle(req, res),
    );
    this.#server.on("clientError", (_err, socket) => socket.destroy());
  }

  /** The node:http server (to listen on). */
  get server(): Server {
    return this.#server;
  }

  /** The bound address, once listening. */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const [status, body] = this.#answer(req);
    if (status === 405) res.setHeader("allow", "GET, HEAD");
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : text);
  }

  #answer(req: IncomingMessage): [status: number, body: unknown] {
    const q = req.url?.indexOf("?") ?? -1;
    const path = q === -1 ? req.url : req.url?.slice(0, q);
    if (path !== "/healthz" && path !== "/readyz" && path !== "/config" && path !== "/security-events") {
      return [404, { error: { code: "NOT_FOUND", message: "no such status endpoint" } }];
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return [405, { error: { code: "METHOD_NOT_ALLOWED", message: "use GET" } }];
    }
    const applied = this.#src.holder.applied;
    if (path === "/healthz") return [200, { status: "ok" }];
    if (path === "/security-events") {
      const ev = this.#src.events;
      return [200, { counts: ev?.counts() ?? {}, dropped: ev?.dropped ?? 0, recent: ev?.recent() ?? [] }];
    }
    if (path === "/readyz") {
      return applied === undefined
        ? [503, { status: "not_ready" }]
        : [200, { status: "ready", version: Number(applied.version) }];
    }
    return [
      200,
      {
        version: applied === undefined ? null : Number(applied.version),
        hash: applied?.hash ?? null,
        applied_at: applied?.appliedAt.toISOString() ?? null,
        node_id: this.#src.nodeId,
        region: this.#src.region,
        control_plane: this.#src.controlPlaneConnected() ? "connected" : "disconnected",
      },
    ];
  }

  /** Stops listening and closes its connections. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}
