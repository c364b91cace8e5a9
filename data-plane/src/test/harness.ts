// Test-only helpers for multi-module proxy tests: programmable upstreams on loopback, a proxy
// node built from a snapshot (the real compile, pools, upstream runtime and servers), and an
// HTTP client that never reuses connections.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import type { Snapshot } from "@palisade/proto";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { listen } from "../listen.js";
import type { Policy } from "../policies/contract.js";
import { ProxyServer, type ProxyServerOptions } from "../proxy/proxy-server.js";
import { PoolManager } from "../upstream/pool-manager.js";
import { UpstreamRuntime } from "../upstream/upstream-runtime.js";
import { log } from "./fixtures.js";

/** A request as a test upstream received it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How a test upstream answers: return nothing to answer 200 `name:METHOD url`. */
export type UpstreamBehaviour = (req: SeenRequest, res: ServerResponse) => boolean | undefined;

/** A real HTTP server on 127.0.0.1:0 that records requests; its behaviour can change mid-test. */
export class TestUpstream {
  readonly name: string;
  readonly seen: SeenRequest[] = [];
  behaviour: UpstreamBehaviour | null = null;
  port = 0;
  readonly #server: Server;

  constructor(name: string) {
    this.name = name;
    this.#server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
        this.seen.push(s);
        if (this.behaviour?.(s, res) === true) return;
        res.setHeader("x-upstream", this.name);
        res.end(`${this.name}:${s.method} ${s.url}`);
      });
    });
  }

  /** Listens on 127.0.0.1, on the same port as before when restarted. */
  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(this.port, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Requests whose URL starts with `prefix`. */
  count(prefix: string): number {
    return this.seen.filter((s) => s.url.startsWith(prefix)).length;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A proxy node in-process: real compile, pools, upstream runtime and proxy server. */
export class TestProxy {
  readonly holder: TableHolder;
  readonly pools: PoolManager;
  readonly runtime = new UpstreamRuntime(log);
  readonly server: ProxyServer;
  port = 0;

  constructor(opts: Partial<ProxyServerOptions> = {}) {
    this.pools = new PoolManager();
    this.holder = new TableHolder((t) => {
      this.pools.retain(t.poolKeys);
      this.runtime.retain(t);
    });
    this.server = new ProxyServer({ holder: this.holder, pools: this.pools, log, ...opts });
  }

  /**
   * Compiles and swaps in a snapshot (no policy types enabled unless given).
   * @param instances policies to use for these ids instead of their config (reference policies)
   */
  apply(
    snapshot: Snapshot,
    policyTypes: ReadonlySet<string> = new Set(),
    instances?: ReadonlyMap<string, Policy>,
  ): void {
    this.holder.swap(
      compile(snapshot, { policyTypes, upstreams: this.runtime, ...(instances !== undefined ? { instances } : {}) }),
    );
  }

  async start(): Promise<this> {
    this.port = (await listen(this.server.server, { host: "127.0.0.1", port: 0 }, "proxy", log)).port;
    return this;
  }

  /** The live table's upstream `id`. */
  upstream(id: string) {
    return this.holder.table!.upstreams.get(id)!;
  }

  async stop(): Promise<void> {
    await this.server.close(1000);
    this.runtime.close();
    await this.pools.close(1000);
  }
}

/** An answer of {@link send}. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request on a fresh connection. */
export function send(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: opts.method ?? "GET", headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** The error code of a JSON error answer. */
export function codeOf(r: Reply): string {
  return (JSON.parse(r.body) as { error: { code: string } }).error.code;
}
