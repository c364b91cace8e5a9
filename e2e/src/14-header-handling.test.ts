/**
 * The framing and header-robustness cases C25, C27, C29 and C33 (attack requests drawn from public
 * bug reports in other gateways and proxies: CL.TE, GET bodies, obfuscated TE, invalid header bytes)
 * on an authenticated route, sent as raw bytes: a request is authenticated against exactly what
 * is forwarded, so a body that could be read as a second request must never reach the upstream
 * as one, and bad bytes must never take the node down.
 */
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { headerOf, parseResponses, rawExchange, rawRequest } from "./harness/raw-http.js";
import { RecordingUpstream } from "./harness/upstream.js";

const HOST = "api.example.test";
const SMUGGLED = "GET /admin/users HTTP/1.1\r\nHost: api.example.test\r\nX-Smuggled: 1\r\n\r\n";

/**
 * An upstream written byte by byte (node:http would refuse to send these headers): keep-alive,
 * answers `/api/files/report` with raw UTF-8 in Content-Disposition and `/api/files/cookie`
 * with a control byte in Set-Cookie.
 */
class RawUpstream {
  port = 0;
  requests: string[] = [];
  #server: Server;
  #sockets = new Set<Socket>();
  constructor() {
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => {});
      let buf = Buffer.alloc(0);
      socket.on("data", (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        for (let end = buf.indexOf("\r\n\r\n"); end !== -1; end = buf.indexOf("\r\n\r\n")) {
          const head = buf.subarray(0, end).toString("latin1");
          buf = buf.subarray(end + 4);
          this.requests.push(head);
          const target = head.split(" ")[1] ?? "";
          const bad = target.endsWith("/report")
            ? Buffer.concat([
                Buffer.from('Content-Disposition: attachment; filename="'),
                Buffer.from("résumé-€", "utf8"),
                Buffer.from('.pdf"\r\n'),
              ])
            : target.endsWith("/cookie")
              ? Buffer.from("Set-Cookie: a=b\u0001c\r\n", "latin1")
              : Buffer.alloc(0);
          socket.write(
            Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"), bad, Buffer.from("\r\nok")]),
          );
        }
      });
    });
  }
  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }
  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

describe("framing and header robustness on an authenticated route (C25, C27, C29, C33)", () => {
  let upstream: RecordingUpstream;
  let raw: RawUpstream;
  let idp: TestIdp;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let token = "";

  before(async () => {
    upstream = await new RecordingUpstream().start();
    raw = await new RawUpstream().start();
    idp = await TestIdp.create();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/upstreams", { name: "raw", targets: [{ host: "127.0.0.1", port: raw.port }] });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt",
      type: "jwt",
      config: { jwks: idp.jwks(), algorithms: ["RS256"], claims_to_headers: { sub: "X-User" } },
    });
    await cp.ok("POST", "/v1/routes", { name: "files", paths: ["/api/files"], upstream: "raw", policies: ["jwt"] });
    await cp.ok("POST", "/v1/routes", { name: "api", paths: ["/api"], upstream: "a", policies: ["jwt"] });
    await cp.ok("POST", "/v1/routes", { name: "public", paths: ["/public"], upstream: "a" });
    await cp.ok("POST", "/v1/config/versions", {});
    dp = await new DataPlaneProcess("node-headers", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], 1);
    token = await idp.sign({ expIn: 3600 });
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream?.stop();
    await raw?.stop();
  });

  const smuggledSeen = () =>
    upstream.seen.filter((s) => s.headers["x-smuggled"] !== undefined || s.url.startsWith("/admin")).length;

  /** Sends one raw request; returns the parsed responses and how many requests the upstream logged. */
  async function exchange(lines: string[], body: string, responses?: number) {
    const before = upstream.seen.length;
    const text = await rawExchange(dp.proxyPort, rawRequest(lines, body), responses ? { responses } : {});
    // Let any follow-up request the upstream might have parsed arrive before counting.
    const ping = await dp.get("/public/health");
    assert.equal(ping.status, 200);
    return { responses: parseResponses(text), upstreamRequests: upstream.seen.length - before - 1 };
  }

  test("C25: Content-Length with Transfer-Encoding (either order, CL 0, HTTP/1.0) → 400; nothing smuggled", async () => {
    const chunked = `44\r\n${SMUGGLED}\r\n0\r\n\r\n`;
    const auth = `Authorization: Bearer ${token}`;
    for (const [what, lines] of [
      [
        "CL then TE",
        [
          "POST /api/orders HTTP/1.1",
          `Host: ${HOST}`,
          auth,
          "Content-Type: text/plain",
          "Content-Length: 4",
          "Transfer-Encoding: chunked",
        ],
      ],
      [
        "TE then CL",
        ["POST /api/orders HTTP/1.1", `Host: ${HOST}`, auth, "Transfer-Encoding: chunked", "Content-Length: 4"],
      ],
      [
        "CL 0 with chunked",
        ["POST /api/orders HTTP/1.1", `Host: ${HOST}`, auth, "Content-Length: 0", "Transfer-Encoding: chunked"],
      ],
    ] as const) {
      const r = await exchange([...lines], chunked);
      assert.equal(r.responses[0]?.status, 400, what);
      assert.equal(headerOf(r.responses[0]!, "connection"), "close", `${what}: the connection is closed`);
      assert.equal(r.responses.length, 1, `${what}: one answer`);
      assert.equal(r.upstreamRequests, 0, `${what}: nothing reached the upstream`);
    }
    // HTTP/1.0 with chunked framing: either refused or framed as chunked and re-serialized.
    const h10 = await exchange(
      ["POST /api/orders HTTP/1.0", `Host: ${HOST}`, auth, "Transfer-Encoding: chunked"],
      chunked,
    );
    assert.ok([400, 200].includes(h10.responses[0]!.status), `HTTP/1.0: ${h10.responses[0]?.status}`);
    assert.ok(h10.upstreamRequests <= 1);
    assert.equal(smuggledSeen(), 0, "no X-Smuggled request reached the upstream");
  });

  test("C27: GET/HEAD with a Content-Length body: the body never becomes a second upstream request", async () => {
    const auth = `Authorization: Bearer ${token}`;
    for (const method of ["GET", "HEAD"]) {
      const r = await exchange(
        [
          `${method} /api/items HTTP/1.1`,
          `Host: ${HOST}`,
          auth,
          `Content-Length: ${SMUGGLED.length}`,
          "Connection: close",
        ],
        SMUGGLED,
      );
      assert.ok([200, 400].includes(r.responses[0]!.status), `${method}: ${r.responses[0]?.status}`);
      assert.ok(r.upstreamRequests <= 1, `${method}: ${r.upstreamRequests} upstream requests`);
    }
    // The next client, on its own connection, gets its own answer.
    const next = await dp.get("/api/items/next", { authorization: `Bearer ${token}` });
    assert.equal(next.status, 200);
    assert.equal(JSON.parse(next.text).url, "/api/items/next");
    for (const body of ["false", "0"]) {
      const r = await exchange(
        [
          "POST /api/items HTTP/1.1",
          `Host: ${HOST}`,
          auth,
          "Content-Type: application/json",
          `Content-Length: ${body.length}`,
          "Connection: close",
        ],
        body,
      );
      assert.equal(r.responses[0]?.status, 200);
      assert.equal(upstream.seen.at(-2)?.body, body, "a falsy JSON body is forwarded as it is");
    }
    assert.equal(smuggledSeen(), 0);
  });

  test("C29: obfuscated Transfer-Encoding → 400/501, never forwarded next to a Content-Length", async () => {
    const body = `44\r\n${SMUGGLED}\r\n0\r\n\r\n`;
    const auth = `Authorization: Bearer ${token}`;
    for (const te of [
      ["chunked\t"],
      ["xchunked"],
      ["chunked, identity"],
      ["chunked", "chunked"],
      [" chunked"],
      ["CHUNKED"],
    ]) {
      const r = await exchange(
        [
          "POST /api/orders HTTP/1.1",
          `Host: ${HOST}`,
          auth,
          "Content-Type: text/plain",
          ...te.map((v) => `Transfer-Encoding: ${v}`),
          "Content-Length: 60",
        ],
        body,
      );
      assert.ok([400, 501].includes(r.responses[0]!.status), `${JSON.stringify(te)}: ${r.responses[0]?.status}`);
      assert.equal(r.upstreamRequests, 0, JSON.stringify(te));
    }
    // Without a Content-Length, the odd spellings are still refused rather than guessed.
    for (const te of ["xchunked", "chunked, identity", "gzip, chunked"]) {
      const r = await exchange(
        ["POST /api/orders HTTP/1.1", `Host: ${HOST}`, auth, `Transfer-Encoding: ${te}`, "Connection: close"],
        body,
      );
      assert.ok([400, 501].includes(r.responses[0]!.status), `${te}: ${r.responses[0]?.status}`);
      assert.equal(r.upstreamRequests, 0, te);
    }
    assert.equal(smuggledSeen(), 0);
  });

  test("C33: invalid upstream header bytes → 502 or the header dropped; bad client bytes → 400; the node stays up", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const pings = (async () => {
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await dp.get("/public/health")).status);
      return out;
    })();
    const report = await dp.get("/api/files/report", auth);
    assert.ok([200, 502].includes(report.status), `report: ${report.status}`);
    const cookie = await dp.get("/api/files/cookie", auth);
    assert.ok([200, 502].includes(cookie.status), `cookie: ${cookie.status}`);
    if (cookie.status === 200) assert.ok(!String(cookie.headers["set-cookie"] ?? "").includes("\u0001"));
    for (const lines of [
      ["GET /api/files/report HTTP/1.1", `Host: ${HOST}`, "User Agent: x", "Connection: close"],
      [`GET /api/files/r\u00e9port HTTP/1.1`, `Host: ${HOST}`, `Authorization: Bearer ${token}`, "Connection: close"],
    ]) {
      const text = await rawExchange(dp.proxyPort, Buffer.from(rawRequest(lines), "latin1"));
      assert.equal(parseResponses(text)[0]?.status, 400, lines[0]);
    }
    assert.deepEqual([...new Set(await pings)], [200], "the node kept answering throughout");
    assert.equal((await dp.get("/public/health")).status, 200);
    assert.equal(dp.proc.exited, false);
  });
});
