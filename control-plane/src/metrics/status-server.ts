import { createServer, type Server } from "node:http";
import type { ListenAddress } from "../listen-address.js";
import type { Logger } from "../log.js";
import type { CpMetrics } from "./cp-metrics.js";

/**
 * The control plane's status listener (`--status-listen`, off by default; Kong's `status_listen`
 * is 127.0.0.1:8007): `GET /metrics` (Prometheus text exposition) and `GET /healthz`, without
 * the admin token, on a port of its own, so a Prometheus scraper gets no admin credential and
 * the admin API stays closed to it. Bind it to a private address.
 */
export class StatusServer {
  readonly #server: Server;

  constructor(metrics: CpMetrics, log: Logger) {
    this.#server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD" }).end();
        return;
      }
      if (path === "/healthz") {
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
        return;
      }
      if (path !== "/metrics") {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end('{"error":{"code":"NOT_FOUND","message":"GET /metrics or /healthz"}}');
        return;
      }
      metrics.exposition().then(
        (text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text),
        (err: unknown) => {
          log.error({ err }, "metrics collection failed");
          res.writeHead(500).end();
        },
      );
    });
  }

  /** @returns the bound port */
  listen(addr: ListenAddress): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(addr.port, addr.host, () => {
        const a = this.#server.address();
        resolve(typeof a === "object" && a ? a.port : addr.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
