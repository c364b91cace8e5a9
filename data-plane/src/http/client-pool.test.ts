// The engine's upstream pool against raw upstreams on loopback: strict response reading (every
// malformed answer a typed error that maps to 502, never a crash), connection reuse only after a
// clean exchange, timeouts, streaming with backpressure both ways, upgrade, Keep-Alive hints, TLS.
import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import { createServer as createTlsServer } from "node:tls";
import { TestCa } from "@palisade/test-support";
import type { Dispatcher } from "undici";
import { classifyUpstreamError } from "../upstream/upstream-errors.js";
import type { ClientRequestOptions } from "./client-exchange.js";
import { ClientPool, type ClientPoolOptions } from "./client-pool.js";

/** A raw upstream: answers each request head with the bytes `script(target)` returns. */
class RawUpstream {
  port = 0;
  /** Sockets accepted so far (one per connection the pool opened). */
  connections = 0;
  /** Request heads and bodies as read. */
  readonly requests: string[] = [];
  script: (target: string, socket: Socket) => string | Buffer | null = () =>
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor() {
    this.#server = createServer((socket) => {
      this.connections++;
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => {});
      let buf = "";
      socket.on("data", (c: Buffer) => {
        buf += c.toString("latin1");
        for (;;) {
          const end = buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = buf.slice(0, end);
          const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          let bodyEnd = end + 4 + len;
          if (/transfer-encoding: chunked/i.test(head)) {
            const last = buf.indexOf("0\r\n\r\n", end + 4);
            if (last < 0) return;
            bodyEnd = last + 5;
          }
          if (buf.length < bodyEnd) return;
          this.requests.push(buf.slice(0, bodyEnd));
          buf = buf.slice(bodyEnd);
          const out = this.script(head.split(" ")[1] ?? "", socket);
          if (out !== null) socket.write(out);
        }
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

interface Outcome {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  trailers: Record<string, unknown>;
  error: (Error & { code?: string; reason?: string }) | null;
  started: boolean;
}

/** Dispatches one request and collects what the handler saw. */
function call(
  pool: ClientPool,
  opts: Partial<ClientRequestOptions>,
  onStart?: (c: Dispatcher.DispatchController) => void,
) {
  return new Promise<Outcome>((resolve) => {
    const out: Outcome = { status: 0, headers: {}, body: "", trailers: {}, error: null, started: false };
    const parts: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        out.started = true;
        onStart?.(c);
      },
      onResponseStart(_c, status, headers) {
        out.status = status;
        out.headers = headers as Record<string, unknown>;
      },
      onResponseData(_c, chunk) {
        parts.push(Buffer.from(chunk));
      },
      onResponseEnd(_c, trailers) {
        out.body = Buffer.concat(parts).toString("latin1");
        out.trailers = trailers as Record<string, unknown>;
        resolve(out);
      },
      onResponseError(_c, err) {
        out.error = err as Outcome["error"];
        out.body = Buffer.concat(parts).toString("latin1");
        resolve(out);
      },
      onRequestUpgrade() {},
    };
    pool.dispatch({ path: "/", method: "GET", headers: { host: "up" }, ...opts } as ClientRequestOptions, handler);
  });
}

const up = new RawUpstream();
const pools: ClientPool[] = [];
function pool(extra: Partial<ClientPoolOptions> = {}): ClientPool {
  const p = new ClientPool({ host: "127.0.0.1", port: up.port, ...extra });
  pools.push(p);
  return p;
}

before(async () => {
  await up.start();
});

after(async () => {
  await Promise.all(pools.map((p) => p.destroy()));
  await up.stop();
});

test("a response is read: status, headers, body (Content-Length, chunked with trailers, until close)", async () => {
  const p = pool();
  up.script = (t, socket) => {
    if (t === "/close") {
      socket.end("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
      return null;
    }
    return t === "/chunked"
      ? "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n3\r\nabc\r\n0\r\nX-T: t\r\n\r\n"
      : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhello";
  };
  const r = await call(p, { path: "/cl" });
  assert.deepEqual([r.status, r.body, r.headers["set-cookie"], r.error], [200, "hello", ["a=1", "b=2"], null]);
  const c = await call(p, { path: "/chunked" });
  assert.deepEqual([c.status, c.body, c.headers["x-a"], c.trailers], [201, "abc", "1, 2", { "x-t": "t" }]);
  const u = await call(p, { path: "/close" });
  assert.deepEqual([u.status, u.body], [200, "until the end"]);
});

test("every malformed response is a typed error that maps to 502 UPSTREAM_BAD_RESPONSE, never a crash", async () => {
  const bad: Array<[string, string, string?]> = [
    ["HTTP/1.1 2OO OK\r\n\r\n", "status_line_invalid"],
    ["HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", "status_line_invalid"],
    ["HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", "version_unsupported"],
    ["ICY 200 OK\r\n\r\n", "status_line_invalid"],
    ["HTTP/1.1 200 OK\nContent-Length: 0\n\n", "status_line_invalid"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nok", "cl_and_te"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", "cl_duplicate"],
    ["HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok", "cl_invalid"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "te_not_chunked"],
    ["HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\nbody", "body_not_allowed"],
    ["HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", "body_not_allowed"],
    ["HTTP/1.1 304 Not Modified\r\nContent-Length: 4\r\n\r\nbody", "body_not_allowed"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk_size_invalid"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX\r\n0\r\n\r\n", "chunk_data_overrun"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n", "trailer_invalid"],
    ["HTTP/1.1 200 OK\r\nSet-Cookie: a=b\x01c\r\nContent-Length: 0\r\n\r\n", "header_value_invalid"],
    ["HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n", "header_name_invalid"],
    ["HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nContent-Length: 0\r\n\r\n", "obs_fold"],
    [`HTTP/1.1 200 OK\r\nX: ${"v".repeat(70_000)}\r\n\r\n`, "header_section_too_large"],
    ["HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", "upgrade_unexpected"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nshort", "body_incomplete", "closed early"],
  ];
  for (const [raw, reason, closeAfter] of bad) {
    const p = pool();
    up.script = (_t, socket) => {
      if (closeAfter !== undefined) socket.end(raw);
      return closeAfter !== undefined ? null : raw;
    };
    const r = await call(p, { path: "/bad" });
    assert.ok(r.error !== null, `${JSON.stringify(raw.slice(0, 40))}: no error (${r.status})`);
    assert.equal(r.error.reason, reason, JSON.stringify(raw.slice(0, 40)));
    assert.equal(classifyUpstreamError(r.error), "UPSTREAM_BAD_RESPONSE", reason);
    assert.equal(p.idle, 0, `${reason}: the connection is not kept`);
  }
  const p = pool();
  up.script = () => "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
  assert.equal((await call(p, { path: "/ok204" })).status, 204, "a 204 with Content-Length: 0 is fine");
  up.script = () => "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n";
  assert.equal((await call(p, { path: "/noreason" })).status, 200, "a status line without a reason phrase");
  up.script = () =>
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
  const interim = await call(p, { path: "/interim" });
  assert.deepEqual(
    [interim.status, interim.body, interim.headers.link],
    [200, "x", undefined],
    "interim answers skipped",
  );
});

test("HEAD and 304 answers keep their Content-Length as metadata and have no body; the connection is reused", async () => {
  const p = pool();
  up.script = (t) =>
    t === "/304"
      ? "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
      : "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";
  const before = up.connections;
  const head = await call(p, { path: "/h", method: "HEAD" });
  const nm = await call(p, { path: "/304" });
  assert.deepEqual([head.status, head.body, head.headers["content-length"]], [200, "", "99"]);
  assert.deepEqual([nm.status, nm.body], [304, ""]);
  assert.equal(up.connections - before, 1, "one connection for both");
});

test("a connection is reused only after a clean exchange", async () => {
  const p = pool();
  up.script = (t) =>
    t === "/close"
      ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
      : t === "/http10"
        ? "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
        : t === "/hint"
          ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=1\r\n\r\nok"
          : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const count = async (path: string) => {
    const before = up.connections;
    await call(p, { path });
    await call(p, { path: "/plain" });
    return up.connections - before;
  };
  assert.equal(await count("/plain"), 1, "clean: reused");
  assert.equal(await count("/close"), 1, "Connection: close, then a new one");
  assert.equal(await count("/http10"), 1, "HTTP/1.0 without keep-alive, then a new one");
  assert.equal(await count("/hint"), 1, "Keep-Alive: timeout=1 (minus the 1 s margin): not kept");
  const aborted = await call(p, { path: "/plain" }, (c) => c.abort(new Error("client gone")));
  assert.equal(aborted.error?.message, "client gone");
  assert.equal(aborted.started, true);
  assert.equal(p.idle, 1, "aborted before a byte was written: the connection stays good");
});

test("bytes while idle, or after a response, drop the connection", async () => {
  const p = pool();
  up.script = (_t, socket) => {
    setTimeout(() => socket.write("JUNK"), 20);
    return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  };
  const before = up.connections;
  assert.equal((await call(p, { path: "/a" })).status, 200);
  for (let i = 0; i < 200 && p.idle > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(p.idle, 0, "the junk destroyed the idle connection");
  up.script = () => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  assert.equal((await call(p, { path: "/b" })).status, 200);
  assert.equal(up.connections - before, 2);
});

test("timeouts: headers, body silence, connect (a TLS handshake that never completes)", async () => {
  const p = pool();
  up.script = (t, socket) => {
    if (t === "/silent-body") {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      return null;
    }
    return null; // never answers
  };
  const h = await call(p, { path: "/never", headersTimeout: 100 });
  assert.equal(h.error?.code, "UND_ERR_HEADERS_TIMEOUT");
  assert.equal(classifyUpstreamError(h.error), "UPSTREAM_TIMEOUT");
  const b = await call(p, { path: "/silent-body", bodyTimeout: 100 });
  assert.equal(b.error?.code, "UND_ERR_BODY_TIMEOUT");
  assert.equal(b.status, 200, "the head had arrived");
  const tlsPool = pool({ tls: { rejectUnauthorized: false }, connectTimeoutMs: 150 });
  const c = await call(tlsPool, { path: "/x" });
  assert.equal(c.error?.code, "UND_ERR_CONNECT_TIMEOUT");
  assert.equal(c.started, false, "never sent: retriable for any method");
});

test("request bodies stream (Readable, chunked when the length is unknown); response bodies pause and resume", async () => {
  const p = pool();
  up.script = () => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  await call(p, { path: "/up", method: "POST", body: Readable.from([Buffer.from("ab"), Buffer.from("cd")]) });
  assert.match(up.requests.at(-1)!, /transfer-encoding: chunked\r\n[\s\S]*\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n$/);
  await call(p, {
    path: "/sized",
    method: "PUT",
    headers: { host: "up", "content-length": "4" },
    body: Readable.from([Buffer.from("wx"), Buffer.from("yz")]),
  });
  assert.match(up.requests.at(-1)!, /content-length: 4\r\n[\s\S]*\r\n\r\nwxyz$/);
  await call(p, { path: "/empty-post", method: "POST" });
  assert.match(
    up.requests.at(-1)!,
    /^POST \/empty-post HTTP\/1\.1\r\nhost: up\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n$/,
  );
  const big = Buffer.alloc(256 * 1024, 0x62);
  up.script = () => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big]);
  let pauses = 0;
  const got = await new Promise<number>((resolve, reject) => {
    let n = 0;
    p.dispatch({ path: "/big", method: "GET", headers: { host: "up" } } as ClientRequestOptions, {
      onResponseData(c, chunk) {
        n += chunk.length;
        pauses++;
        c.pause();
        setTimeout(() => c.resume(), 1);
      },
      onResponseEnd: () => resolve(n),
      onResponseError: (_c, e) => reject(e),
    });
  });
  assert.equal(got, big.length);
  assert.ok(pauses > 1);
});

test("a connection whose handler paused at the last bytes is reused unpaused", async () => {
  const p = pool({ maxConnections: 1 });
  up.script = () => "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
  const paused = await new Promise<string>((resolve, reject) => {
    let body = "";
    p.dispatch({ path: "/paused", method: "GET", headers: { host: "up" } } as ClientRequestOptions, {
      onResponseData(c, chunk) {
        body += chunk.toString();
        c.pause(); // a slow client: never resumed before the response ends
      },
      onResponseEnd: () => resolve(body),
      onResponseError: (_c, e) => reject(e),
    });
  });
  assert.equal(paused, "body");
  const next = await call(p, { path: "/after-pause" });
  assert.equal(next.status, 200);
  assert.equal(next.body, "body");
  assert.equal(p.connections, 1, "the same connection carried both");
});

test("upgrade: a 101 hands the socket over with the bytes read past the head", async () => {
  const p = pool();
  up.script = () => "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nfirst-frame";
  const got = await new Promise<string>((resolve, reject) => {
    p.dispatch({ path: "/ws", method: "GET", headers: { host: "up" }, upgrade: "echo" } as ClientRequestOptions, {
      onRequestUpgrade(_c, status, headers, socket) {
        assert.equal(status, 101);
        assert.equal((headers as Record<string, string>).upgrade, "echo");
        socket.once("data", (d: Buffer) => {
          socket.destroy();
          resolve(d.toString());
        });
        socket.resume();
      },
      onResponseError: (_c, e) => reject(e),
    });
  });
  assert.equal(got, "first-frame");
  assert.match(up.requests.at(-1)!, /connection: upgrade\r\nupgrade: echo\r\n/);
  assert.equal(p.connections, 0, "the socket left the pool");
});

test("a connection limit queues requests in order; one aborted while it waited never reaches the upstream", async () => {
  const p = pool({ maxConnections: 1 });
  const hold: Socket[] = [];
  up.script = (t, socket) => {
    if (t === "/hold") {
      hold.push(socket);
      return null;
    }
    return `HTTP/1.1 200 OK\r\nContent-Length: ${t.length}\r\n\r\n${t}`;
  };
  const before = up.connections;
  const seenBefore = up.requests.length;
  const first = call(p, { path: "/hold" });
  while (hold.length === 0) await new Promise((r) => setTimeout(r, 5));
  const second = call(p, { path: "/second" });
  // As the attempt layer does for a request aborted while it waited: abort in onRequestStart.
  const third = call(p, { path: "/third" }, (c) => c.abort(new Error("gave up waiting")));
  const fourth = call(p, { path: "/fourth" });
  assert.equal(p.pending, 3, "three wait for the one connection");
  hold[0]!.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nheld");
  assert.equal((await first).body, "held");
  assert.equal((await second).body, "/second");
  assert.equal((await third).error?.message, "gave up waiting");
  assert.equal((await fourth).body, "/fourth");
  assert.equal(up.connections - before, 1, "all on one connection");
  assert.deepEqual(
    up.requests.slice(seenBefore).map((r) => r.split(" ")[1]),
    ["/hold", "/second", "/fourth"],
  );
});

test("a target that refuses connections fails every waiting request, none hangs", async () => {
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
  const port = (dead.address() as AddressInfo).port;
  await new Promise<void>((r) => dead.close(() => r()));
  const p = pool({ port, maxConnections: 1 });
  const all = await Promise.all([1, 2, 3].map((i) => call(p, { path: `/${i}` })));
  assert.deepEqual(
    all.map((o) => [o.error?.code, o.started]),
    [
      ["ECONNREFUSED", false],
      ["ECONNREFUSED", false],
      ["ECONNREFUSED", false],
    ],
  );
  assert.equal(classifyUpstreamError(all[0]!.error), "UPSTREAM_UNAVAILABLE");
});

test("TLS targets: verified against the CA, SNI from the options", async () => {
  const ca = new TestCa();
  const leaf = ca.issue(["upstream.test"]);
  const server = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => {
    s.on("data", () => s.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntls"));
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const good = pool({ port, tls: { ca: ca.certPem, servername: "upstream.test" } });
  assert.equal((await call(good, { path: "/t" })).body, "tls");
  const wrongName = pool({ port, tls: { ca: ca.certPem, servername: "other.test" } });
  const e = await call(wrongName, { path: "/t" });
  assert.equal(e.error?.code, "ERR_TLS_CERT_ALTNAME_INVALID");
  assert.equal(classifyUpstreamError(e.error), "UPSTREAM_UNAVAILABLE");
  await good.close();
  await new Promise<void>((r) => server.close(() => r()));
});
