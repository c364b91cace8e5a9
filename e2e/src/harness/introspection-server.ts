import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real OAuth 2.0 token introspection endpoint (RFC 7662) on 127.0.0.1 for tests. It
 * authenticates its client with HTTP Basic (RFC 6749 §2.3.1), answers `{"active": true, …}` for
 * the tokens registered with {@link activate}, `{"active": false}` for any other, counts calls,
 * and can be set `down` (answers 503).
 */
export class IntrospectionServer {
  readonly clientId = "palisade-gateway";
  readonly clientSecret = "introspection-secret-for-tests";
  /** Introspection calls received (authenticated or not). */
  calls = 0;
  down = false;
  port = 0;
  #tokens = new Map<string, Record<string, unknown>>();
  #server: Server;

  constructor() {
    this.#server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        this.calls++;
        const json = (status: number, v: unknown) =>
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(v));
        if (this.down) return json(503, { error: "temporarily_unavailable" });
        const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString("base64")}`;
        if (req.method !== "POST" || req.headers.authorization !== expected)
          return json(401, { error: "invalid_client" });
        const token = new URLSearchParams(body).get("token") ?? "";
        const claims = this.#tokens.get(token);
        return json(200, claims ? { active: true, ...claims } : { active: false });
      });
    });
  }

  /** Registers an active token with its claims (e.g. `sub`, `scope`, `exp`). */
  activate(token: string, claims: Record<string, unknown>): void {
    this.#tokens.set(token, claims);
  }

  /** Makes a token inactive (revoked). */
  revoke(token: string): void {
    this.#tokens.delete(token);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/introspect`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
