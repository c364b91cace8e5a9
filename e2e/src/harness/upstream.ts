import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the upstream received it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/**
 * A real HTTP upstream on 127.0.0.1:0 that records every request and answers
 * with a JSON echo of it (`{"upstream": name, "method", "url", "headers"}`): status 200, or 500 on
 * every `failEvery`-th request when that option is given (a shadow that disagrees).
 */
export class RecordingUpstream {
  readonly name: string;
  readonly seen: SeenRequest[] = [];
  readonly #server: Server;
  port = 0;

  constructor(name = "upstream-a", opts: { failEvery?: number } = {}) {
    this.name = name;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const seen = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks).toString(),
        };
        this.seen.push(seen);
        const body = JSON.stringify({ upstream: this.name, method: seen.method, url: seen.url, headers: seen.headers });
        const status = opts.failEvery && this.seen.length % opts.failEvery === 0 ? 500 : 200;
        res.writeHead(status, {
          "content-type": "application/json",
          "x-upstream": this.name,
          "keep-alive": "timeout=5",
        });
        res.end(body);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Requests whose URL starts with `prefix`. */
  seenPath(prefix: string): SeenRequest[] {
    return this.seen.filter((s) => s.url.startsWith(prefix));
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
