// The engine's server on real loopback sockets: keep-alive, pipelining (answers in order, a
// refusal after them), bodies both ways, 100-continue, HEAD/204/304, framing errors after the
// head, timeouts, half-close, upgrade hand-off, backpressure, drain, TLS.
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from "node:tls";
import { TestCa } from "@palisade/test-support";
import { FieldNameSet } from "./bytes.js";
import { HeaderBlock, InvalidHeaderError } from "./header-block.js";
import type { HttpRequestError } from "./http-error.js";
import { ResponseHeadParser } from "./response-parser.js";
import type { ExchangeListener, ServerExchange } from "./server-exchange.js";
import { EngineServer, rawExchange } from "./test-wire.js";

/** What the handler saw, in order: `start <target>` / `end <target>` / `abort <target> <reason>`. */
const seen: string[] = [];

const listener: ExchangeListener = {
  onExchangeAbort(ex: ServerExchange, err: HttpRequestError | null) {
    seen.push(`abort ${ex.head.target} ${err?.reason ?? "client-gone"}`);
  },
  onExchangeDrain(ex: ServerExchange) {
    drains.set(ex, (drains.get(ex) ?? 0) + 1);
    pump(ex);
  },
  onExchangeEnd(ex: ServerExchange) {
    seen.push(`end ${ex.head.target}`);
  },
};

const drains = new Map<ServerExchange, number>();
const held: ServerExchange[] = [];
const big = Buffer.alloc(64 * 1024, 0x61);
const bigLeft = new Map<ServerExchange, number>();

/** Writes the big response until the socket pushes back or it is all out. */
function pump(ex: ServerExchange): void {
  let left = bigLeft.get(ex) ?? 0;
  while (left > 0) {
    left--;
    bigLeft.set(ex, left);
    if (left === 0) {
      ex.end(big);
      return;
    }
    if (!ex.write(big)) return;
  }
}

/** The test handler: the path says what to do. */
function handle(ex: ServerExchange): void {
  ex.listener = listener;
  const t = ex.head.target;
  seen.push(`start ${t}`);
  const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
    ex.writeHead(status, headers, { contentLength: Buffer.byteLength(text) });
    ex.end(Buffer.from(text));
  };
  if (t.startsWith("/echo")) {
    const parts: Buffer[] = [];
    ex.body?.start({
      onBodyData: (c) => parts.push(Buffer.from(c)) > 0,
      onBodyEnd: (trailers) => {
        // Unknown length: chunked back to an HTTP/1.1 client.
        ex.writeHead(200, { "x-trailers": String(trailers.size) });
        ex.write(Buffer.from("body="));
        ex.end(Buffer.concat(parts));
      },
      onBodyError: () => {},
    });
    if (ex.body === null) reply(200, "no body");
    return;
  }
  if (t.startsWith("/hold")) {
    held.push(ex);
    return;
  }
  if (t.startsWith("/self")) {
    // Answers a broken body itself (as the proxy does for a body over its limit).
    ex.listener = {
      ...listener,
      onExchangeAbort(x: ServerExchange) {
        x.writeHead(413, null, { contentLength: 3 });
        x.end(Buffer.from("big"));
      },
    };
    ex.body?.start({ onBodyData: () => true, onBodyEnd: () => {}, onBodyError: () => {} });
    ex.body?.setLimit(4);
    return;
  }
  if (t.startsWith("/refuse")) {
    reply(401, "refused");
    return;
  }
  if (t.startsWith("/status/")) {
    reply(Number(t.slice(8)), "some body");
    return;
  }
  if (t.startsWith("/big")) {
    bigLeft.set(ex, 64); // 4 MiB
    ex.writeHead(200, null, { contentLength: 64 * big.length });
    pump(ex);
    return;
  }
  if (t.startsWith("/throw")) throw new Error("handler bug");
  if (t.startsWith("/forward")) {
    // An upstream head copied as bytes, minus the dropped names and the block's names.
    const upstreamHead = Buffer.from(
      "HTTP/1.1 200 OK\r\nServer: up\r\nX-Frame-Options: ALLOW\r\nKeep-Alive: timeout=9\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nDate: Tue, 01 Dec 2026 00:00:00 GMT\r\nContent-Length: 99\r\n\r\n",
    );
    const parser = new ResponseHeadParser();
    parser.execute(upstreamHead, 0);
    ex.writeHead(
      200,
      { via: "1.1 palisade" },
      { contentLength: 4, forward: parser.head!, drop: SERVER_DROP, block: SECURITY_BLOCK },
    );
    ex.end(Buffer.from("body"));
    return;
  }
  if (t.startsWith("/bad-header")) {
    try {
      ex.writeHead(200, { "x-injected": "a\r\nset-cookie: evil=1" });
    } catch (err) {
      reply(502, err instanceof InvalidHeaderError ? err.code : "other");
    }
    return;
  }
  if (t.startsWith("/unknown-length")) {
    ex.writeHead(200, null);
    ex.write(Buffer.from("part-"));
    ex.end(Buffer.from("end"));
    return;
  }
  if (t.startsWith("/id")) {
    ex.requestId = "req-42";
    ex.body?.start({ onBodyData: () => true, onBodyEnd: () => reply(200, "never"), onBodyError: () => {} });
    return;
  }
  if (t.startsWith("/ws")) {
    const d = ex.detach();
    assert.ok(d !== null);
    d.socket.write("HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n");
    d.socket.write(Buffer.concat([Buffer.from("head="), d.head, Buffer.from(";")]));
    d.socket.on("data", (c: Buffer) => d.socket.write(c));
    d.socket.on("end", () => d.socket.end());
    d.socket.resume();
    return;
  }
  reply(200, `ok ${ex.head.method} ${t}`);
}

const SERVER_DROP = new FieldNameSet(["server"]);
const SECURITY_BLOCK = new HeaderBlock({ "X-Frame-Options": "DENY", "Strict-Transport-Security": "max-age=63072000" });

const server = new EngineServer({
  onRequest: handle,
  headersTimeoutMs: 400,
  requestTimeoutMs: 800,
  keepAliveTimeoutMs: 1_500,
  lingerMs: 200,
  maxHeaderBytes: 4096,
  maxHeaders: 20,
});

before(async () => {
  await server.start();
});

after(async () => {
  for (const ex of held.splice(0)) if (!ex.ended && !ex.clientGone) ex.abort();
  await server.stop();
});

const GET = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

test("keep-alive: sequential requests on one connection, each answered, the connection kept", async () => {
  const r = await rawExchange(server.port, GET("/a") + GET("/b") + GET("/c"), { responses: 3 });
  assert.equal(r.error, null);
  assert.deepEqual(
    r.responses.map((x) => [x.status, x.body.toString(), x.headers.connection]),
    [
      [200, "ok GET /a", "keep-alive"],
      [200, "ok GET /b", "keep-alive"],
      [200, "ok GET /c", "keep-alive"],
    ],
  );
  assert.equal(r.responses[0]!.headers["keep-alive"], "timeout=1");
  assert.ok(r.responses[0]!.headers.date, "a Date");
});

test("pipelining: requests are handed over one at a time and answered in order; a malformed one after them is answered last, then close", async () => {
  seen.length = 0;
  const r = await rawExchange(
    server.port,
    `${GET("/p1")}${GET("/p2")}GET /p3 HTTP/1.1\r\nHost : t\r\n\r\n${GET("/p4")}`,
  );
  assert.equal(r.error, null);
  assert.deepEqual(
    r.responses.map((x) => [x.status, x.headers.connection]),
    [
      [200, "keep-alive"],
      [200, "keep-alive"],
      [400, "close"],
    ],
  );
  assert.equal(JSON.parse(r.responses[2]!.body.toString()).error.code, "BAD_REQUEST");
  assert.equal(r.closed, true);
  assert.deepEqual(seen, ["start /p1", "end /p1", "start /p2", "end /p2"], "p3 refused, p4 never read");
});

test("a pipelined request waits while the one before it is in flight", async () => {
  seen.length = 0;
  const pending = rawExchange(server.port, GET("/hold/1") + GET("/after-hold"), { responses: 2 });
  while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(seen, ["start /hold/1"], "the second is parsed but not handed over");
  const ex = held.shift()!;
  ex.writeHead(200, null, { contentLength: 4 });
  ex.end(Buffer.from("held"));
  const r = await pending;
  assert.deepEqual(
    r.responses.map((x) => x.body.toString()),
    ["held", "ok GET /after-hold"],
  );
});

test("bodies both ways: Content-Length and chunked in, chunked out; trailers read; the next request follows", async () => {
  const chunked =
    "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\nX-T: 1\r\n\r\n";
  const sized = "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello";
  const r = await rawExchange(server.port, chunked + sized + GET("/next"), { responses: 3 });
  assert.equal(r.error, null);
  assert.deepEqual(
    r.responses.map((x) => [x.status, x.headers["transfer-encoding"], x.headers["x-trailers"], x.body.toString()]),
    [
      [200, "chunked", "1", "body=abcde"],
      [200, "chunked", "0", "body=hello"],
      [200, undefined, undefined, "ok GET /next"],
    ],
  );
});

test("Expect: 100-continue: 100 only when the handler reads the body; a refusal gets no 100 and closes", async () => {
  const ok = await rawExchange(server.port, "", {
    parts: ["POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", "abc"],
    gapMs: 50,
    responses: 1,
  });
  assert.match(ok.bytes.toString(), /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  assert.equal(ok.responses[0]!.body.toString(), "body=abc");
  const refused = await rawExchange(
    server.port,
    "POST /refuse HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
  );
  assert.doesNotMatch(refused.bytes.toString(), /100 Continue/);
  assert.deepEqual([refused.responses[0]!.status, refused.responses[0]!.headers.connection], [401, "close"]);
  assert.equal(refused.closed, true);
});

test("lingering close: a client still uploading after an early answer is read and dropped, never reset", async () => {
  // The server's lingerMs is 200: the client sends a piece every 50 ms for 1.5 s after the 401,
  // so a fixed linger would have reset the connection under its later writes.
  const outcome = await new Promise<{ status: string; error: string | null; sent: number }>((resolve) => {
    const s = connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true });
    let got = "";
    let error: string | null = null;
    let sent = 0;
    s.on("data", (c: Buffer) => {
      got += c.toString("latin1");
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    s.on("close", () => resolve({ status: got.slice(0, 12), error, sent }));
    s.on("connect", async () => {
      s.write("POST /refuse HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n");
      for (let i = 0; i < 30 && !s.destroyed; i++) {
        await new Promise((r) => setTimeout(r, 50));
        if (s.destroyed) break;
        s.write(Buffer.alloc(1024, 0x61));
        sent++;
      }
      if (!s.destroyed) s.end();
    });
  });
  assert.deepEqual(outcome, { status: "HTTP/1.1 401", error: null, sent: 30 });
});

test("HEAD, 204 and 304 carry no body; HEAD keeps the length as metadata; a 204 has no framing at all", async () => {
  const r = await rawExchange(
    server.port,
    `HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n${GET("/status/204")}${GET("/status/304")}${GET("/after")}`,
    { responses: 4, methods: ["HEAD", "GET", "GET", "GET"] },
  );
  assert.equal(r.error, null);
  assert.deepEqual(
    r.responses.map((x) => [x.status, x.headers["content-length"], x.headers["transfer-encoding"], x.body.length]),
    [
      [200, "10", undefined, 0],
      [204, undefined, undefined, 0],
      [304, "9", undefined, 0],
      [200, "13", undefined, 13],
    ],
  );
});

test("a framing error after the head: the handler is told to abort, the client gets 400 and the connection closes", async () => {
  seen.length = 0;
  const r = await rawExchange(
    server.port,
    "POST /echo/bad HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n" +
      GET("/smuggled"),
  );
  assert.deepEqual(
    r.responses.map((x) => [x.status, x.headers.connection, JSON.parse(x.body.toString()).error.code]),
    [[400, "close", "BAD_REQUEST"]],
  );
  assert.deepEqual(seen, ["start /echo/bad", "abort /echo/bad chunk_data_overrun", "end /echo/bad"]);
  for (const bad of ["zz\r\n", "5;a b\r\nhello\r\n0\r\n\r\n", "0\r\nX-T 1\r\n\r\n"]) {
    const x = await rawExchange(
      server.port,
      `POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${bad}`,
    );
    assert.equal(x.responses[0]?.status, 400, JSON.stringify(bad));
  }
});

test("a handler may answer a broken body itself; the connection still closes after it", async () => {
  const r = await rawExchange(
    server.port,
    `POST /self HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n${GET("/next")}`,
  );
  assert.deepEqual(
    r.responses.map((x) => [x.status, x.headers.connection, x.body.toString()]),
    [[413, "close", "big"]],
  );
  assert.equal(r.closed, true);
});

test("the handler's request id is in the engine's own error answers", async () => {
  const r = await rawExchange(server.port, "POST /id HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n");
  assert.equal(r.responses[0]?.headers["x-request-id"], "req-42");
  assert.equal(JSON.parse(r.responses[0]!.body.toString()).error.request_id, "req-42");
});

test("refusals before a request exists: CONNECT 501, version 505, limits 431, all JSON with Connection: close", async () => {
  const cases: Array<[string, number, string]> = [
    ["CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n", 501, "NOT_IMPLEMENTED"],
    ["GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED"],
    [`GET / HTTP/1.1\r\nHost: t\r\nX: ${"v".repeat(5000)}\r\n\r\n`, 431, "HEADERS_TOO_LARGE"],
    [`GET /${"a".repeat(5000)} HTTP/1.1\r\n\r\n`, 414, "URI_TOO_LONG"],
    ["GET / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n", 417, "EXPECTATION_FAILED"],
    ["GET / HTTP/1.1\nHost: t\n\n", 400, "BAD_REQUEST"],
  ];
  for (const [raw, status, code] of cases) {
    const r = await rawExchange(server.port, raw);
    const res = r.responses[0];
    assert.equal(res?.status, status, raw.slice(0, 30));
    assert.equal(res!.headers.connection, "close");
    assert.equal(res!.headers["content-type"], "application/json");
    assert.equal(JSON.parse(res!.body.toString()).error.code, code);
    assert.equal(r.closed, true);
  }
});

test("a refused HEAD request is answered without a body (RFC 9110 §9.3.2)", async () => {
  const r = await rawExchange(server.port, "HEAD / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n", {
    methods: ["HEAD"],
  });
  assert.equal(r.error, null);
  assert.deepEqual([r.responses[0]?.status, r.responses[0]?.body.length], [417, 0]);
  assert.ok(Number(r.responses[0]!.headers["content-length"]) > 0, "the length a GET would get");
  assert.equal(r.bytes.toString().endsWith("\r\n\r\n"), true, "nothing after the head");
});

test("a head from raw upstream lines, a constant block and dynamic headers: each field once, framing the writer's", async () => {
  const r = await rawExchange(server.port, GET("/forward"), { responses: 1 });
  const text = r.bytes.toString();
  assert.equal(r.error, null);
  const res = r.responses[0]!;
  assert.equal(res.headers["x-frame-options"], "DENY", "the block wins over the forwarded line");
  assert.equal(res.headers["strict-transport-security"], "max-age=63072000");
  assert.equal(res.headers.server, undefined, "dropped");
  assert.equal(res.headers["set-cookie"], "a=1, b=2", "repeated lines kept as sent");
  assert.equal(res.headers.date, "Tue, 01 Dec 2026 00:00:00 GMT", "the upstream's Date, not a second one");
  assert.equal(res.headers["content-length"], "4");
  assert.equal(res.headers["keep-alive"], "timeout=1", "hop-by-hop: the server's own, not the upstream's");
  assert.equal(res.headers.via, "1.1 palisade");
  assert.equal((text.match(/date:/gi) ?? []).length, 1);
  assert.equal(res.body.toString(), "body");
});

test("a header value that would split the message is refused before a byte is written", async () => {
  const r = await rawExchange(server.port, GET("/bad-header"), { responses: 1 });
  assert.equal(r.responses[0]?.status, 502);
  assert.equal(r.responses[0]!.body.toString(), "ERR_INVALID_CHAR");
  assert.doesNotMatch(r.bytes.toString(), /evil/);
});

test("unknown length: chunked for HTTP/1.1, until close for HTTP/1.0", async () => {
  const h11 = await rawExchange(server.port, GET("/unknown-length"), { responses: 1 });
  assert.deepEqual(
    [h11.responses[0]?.headers["transfer-encoding"], h11.responses[0]?.body.toString()],
    ["chunked", "part-end"],
  );
  const h10 = await rawExchange(server.port, "GET /unknown-length HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  assert.deepEqual(
    [
      h10.responses[0]?.headers.connection,
      h10.responses[0]?.headers["transfer-encoding"],
      h10.responses[0]?.body.toString(),
      h10.closed,
    ],
    ["close", undefined, "part-end", true],
  );
  const ka10 = await rawExchange(server.port, "GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", { responses: 1 });
  assert.equal(ka10.responses[0]?.headers.connection, "keep-alive", "HTTP/1.0 keep-alive is said explicitly");
});

test("a handler that throws: 500 JSON, never a crash", async () => {
  const r = await rawExchange(server.port, GET("/throw"));
  assert.equal(r.responses[0]?.status, 500);
  assert.equal(JSON.parse(r.responses[0]!.body.toString()).error.code, "INTERNAL");
});

test("timeouts: a trickled head gets 408; a body not sent in time gets 408; an idle connection closes quietly", async () => {
  const trickle = await rawExchange(server.port, "", {
    parts: ["GET /slow HTTP/1.1\r\n", "X-A: 1\r\n", "X-B: 2\r\n", "X-C: 3\r\n", "X-D: 4\r\n", "X-E: 5\r\n"],
    gapMs: 150,
  });
  assert.equal(trickle.responses[0]?.status, 408);
  assert.equal(JSON.parse(trickle.responses[0]!.body.toString()).error.code, "REQUEST_TIMEOUT");
  seen.length = 0;
  const body = await rawExchange(server.port, "POST /echo/slow HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  assert.equal(body.responses[0]?.status, 408);
  assert.deepEqual(seen, ["start /echo/slow", "abort /echo/slow request_timeout", "end /echo/slow"]);
  const idle = await rawExchange(server.port, GET("/one"), { timeoutMs: 4_000 });
  assert.deepEqual(
    [idle.responses.length, idle.closed, idle.timedOut],
    [1, true, false],
    "one answer, then closed by the server",
  );
});

test("half-close: the client's answers come, then the connection ends; a head cut by the shutdown is answered 400", async () => {
  const r = await rawExchange(server.port, GET("/h1") + GET("/h2"), { end: true });
  assert.deepEqual(
    r.responses.map((x) => x.body.toString()),
    ["ok GET /h1", "ok GET /h2"],
  );
  assert.equal(r.closed, true);
  const cut = await rawExchange(server.port, "GET /cut HTTP/1.1\r\nHost:", { end: true });
  assert.equal(cut.responses[0]?.status, 400);
  const body = await rawExchange(server.port, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc", {
    end: true,
  });
  assert.equal(body.responses[0]?.status, 400, "a body cut by the shutdown");
});

test("upgrade: the handler takes the socket with the bytes read past the head", async () => {
  const r = await rawExchange(server.port, "", {
    parts: ["GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nfirst", "second"],
    gapMs: 50,
    end: true,
  });
  const text = r.bytes.toString();
  assert.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.ok(text.endsWith("head=first;second"), text);
});

test("backpressure: a large response to a slow reader is written as the socket drains, every byte arrives", async () => {
  drains.clear();
  const got = await new Promise<number>((resolve, reject) => {
    const req = request({ port: server.port, host: "127.0.0.1", path: "/big", agent: false }, (res) => {
      let n = 0;
      res.pause();
      const tick = setInterval(() => {
        let c: Buffer | null = res.read();
        while (c !== null) {
          n += c.length;
          c = res.read();
        }
      }, 5);
      res.on("end", () => {
        clearInterval(tick);
        resolve(n);
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(got, 64 * big.length);
  assert.ok(
    [...drains.values()].some((n) => n > 0),
    "the writer waited for drain",
  );
});

test("TLS sockets feed the same engine", async () => {
  const ca = new TestCa();
  const leaf = ca.issue(["engine.test"]);
  const tls = createTlsServer(
    { cert: leaf.certPem, key: leaf.keyPem, ALPNProtocols: ["http/1.1"], allowHalfOpen: true },
    (s) => server.engine.accept(s),
  );
  await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
  const port = (tls.address() as { port: number }).port;
  const text = await new Promise<string>((resolve, reject) => {
    const s: TLSSocket = tlsConnect({ port, host: "127.0.0.1", servername: "engine.test", ca: ca.certPem }, () => {
      s.write(GET("/tls/1") + GET("/tls/2", "Connection: close\r\n"));
    });
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("end", () => resolve(Buffer.concat(chunks).toString()));
    s.on("error", reject);
  });
  await new Promise<void>((r) => tls.close(() => r()));
  assert.match(text, /ok GET \/tls\/1HTTP\/1\.1 200 OK/);
  assert.match(text, /connection: close\r\n\r\nok GET \/tls\/2$/);
});

test("graceful close: in-flight answers carry Connection: close, quiet connections close, the engine empties", async () => {
  const drainServer = new EngineServer({ onRequest: handle, keepAliveTimeoutMs: 60_000 });
  await drainServer.start();
  const quiet = rawExchange(drainServer.port, GET("/quiet"));
  const inflight = rawExchange(drainServer.port, GET("/hold/drain"));
  while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
  const stopping = drainServer.stop(5_000);
  const q = await quiet;
  assert.deepEqual([q.responses.length, q.closed], [1, true], "the idle keep-alive connection was closed");
  const ex = held.shift()!;
  ex.writeHead(200, null, { contentLength: 2 });
  ex.end(Buffer.from("ok"));
  const r = await inflight;
  assert.equal(r.responses[0]?.headers.connection, "close");
  await stopping;
  assert.equal(drainServer.engine.size, 0);
});
