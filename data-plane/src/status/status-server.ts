import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { AppliedSource } from "../config/table-holder.js";
import type { SecurityEvents } from "../events/security-events.js";

/** What the status endpoints report besides the applied config. */
export interface StatusSource {
  readonly holder: AppliedSource;
  readonly nodeId: string;
  readonly region: string;
  /** Whether the config stream to the control plane is up. */
  readonly controlPlaneConnected: () => boolean;
  /** The node's security events (counts and recent events), when the node has them. */
  readonly events?: SecurityEvents;
  /** Prometheus registry served at `/metrics` (absent: 404). */
  readonly metrics?: Registry;
  /** With `--workers N > 1`: each worker's pid and the version it serves (`/config` lists them). */
  readonly workers?: () => ReadonlyArray<{
    readonly id: number;
    readonly pid: number | null;
    readonly version: number | null;
  }>;
}

/**
 * The status listener (default 127.0.0.1:8100), JSON only:
 * - `GET /healthz` → 200 `{"status":"ok"}` while the process runs;
 * - `GET /readyz` → 200 `{"status":"ready","version":N,"source":"control-plane"|"cache"|"file"}`
 *   once a config is applied (`cache`: the last-known-good file, the control plane not reached
 *   yet; in cluster mode: and some worker serves it), else 503 `{"status":"not_ready"}`;
 * - `GET /config` → 200 `{"version":N,"hash":"…","applied_at":"ISO 8601","source":…,"node_id":"…",
 *   "region":"…","control_plane":"connected"|"disconnected","rule_sets":[{"id","name","hash",
 *   "bytes"}]}` (version, hash, applied_at and source are `null` before the first config;
 *   `rule_sets` are the WAF rule sets held, by content hash), plus
 *   `"workers":[{"id","pid","version"}]` in cluster mode;
 * - `GET /security-events` → 200 `{"counts":{"authentication_failed":N,…},"dropped":N,
 *   "recent":[…]}`: security events counted by type since start, and the last 100 events;
 * - `GET /metrics` → Prometheus text (prom-client), see telemetry/metrics.ts;
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
    const metrics = this.#src.metrics;
    if (metrics !== undefined && (req.url === "/metrics" || req.url?.startsWith("/metrics?")) && req.method === "GET") {
      metrics.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" });
          res.end(text);
        },
        () => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end('{"error":{"code":"INTERNAL","message":"internal error"}}');
        },
      );
      return;
    }
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
      // In cluster mode a node is ready only while some worker serves the applied version.
      const serving =
        applied !== undefined &&
        (this.#src.workers === undefined || this.#src.workers().some((w) => w.version === Number(applied.version)));
      return serving
        ? [200, { status: "ready", version: Number(applied.version), source: applied.source }]
        : [503, { status: "not_ready" }];
    }
    return [
      200,
      {
        version: applied === undefined ? null : Number(applied.version),
        hash: applied?.hash ?? null,
        applied_at: applied?.appliedAt.toISOString() ?? null,
        source: applied?.source ?? null,
        node_id: this.#src.nodeId,
        region: this.#src.region,
        control_plane: this.#src.controlPlaneConnected() ? "connected" : "disconnected",
        rule_sets: applied?.ruleSets ?? [],
        ...(this.#src.workers ? { workers: this.#src.workers() } : {}),
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
