// The engine end to end: a prototype proxy built from the engine alone (server → ClientPool →
// writer) between raw clients and real upstreams on loopback — forwarding, issue 13 point 4
// (pipelined requests answered in order before a refusal; a framing error after the head
// answered and the upstream exchange aborted, its connection not reused; CONNECT answered), a
// malformed upstream answer as 502, large bodies both ways, a WebSocket through it.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { PrototypeProxy } from "./prototype-proxy.js";
import { rawExchange } from "./test-wire.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  complete: boolean;
  socket: number;
}

const seen: Seen[] = [];
let sockets = 0;
const upstream: Server = createServer((req, res) => {
  const entry: Seen = {
    method: req.method!,
    url: req.url!,
    headers: req.headers,
    body: "",
    complete: false,
    socket: 0,
  };
  entry.socket = (req.socket as Socket & { n?: number }).n ?? 0;
  seen.push(entry);
  const hash = createHash("sha256");
  let n = 0;
  req.on("data", (c: Buffer) => {
    n += c.length;
    hash.update(c);
    if (entry.body.length < 100) entry.body += c.toString();
  });
  req.on("end", () => {
    entry.complete = true;
    if (req.url === "/download") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const block = Buffer.alloc(64 * 1024, 7);
      let left = 80;
      const pump = () => {
        while (left > 0) {
          left--;
          if (left === 0) {
            res.end(block);
            return;
          }
          if (!res.write(block)) {
            res.once("drain", pump);
            return;
          }
        }
      };
      pump();
      return;
    }
    res.setHeader("set-cookie", ["a=1", "b=2"]);
    res.setHeader("x-upstream-sha", hash.digest("hex"));
    res.end(`up:${req.method} ${req.url} ${n}`);
  });
});
upstream.on("connection", (s: Socket & { n?: number }) => {
  s.n = ++sockets;
});
const wss = new WebSocketServer({ server: upstream });
wss.on("connection", (ws) => ws.on("message", (d, binary) => ws.send(d, { binary })));

/** An upstream that answers every request with bytes no strict reader accepts. */
const broken = createTcpServer((s) => {
  s.on("data", () => s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nok"));
  s.on("error", () => {});
});

let proxy: PrototypeProxy;
let brokenProxy: PrototypeProxy;

before(async () => {
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => broken.listen(0, "127.0.0.1", r));
  proxy = await new PrototypeProxy({ host: "127.0.0.1", port: (upstream.address() as AddressInfo).port }).listen();
  brokenProxy = await new PrototypeProxy({ host: "127.0.0.1", port: (broken.address() as AddressInfo).port }).listen();
});

after(async () => {
  await proxy.close();
  await brokenProxy.close();
  for (const c of wss.clients) c.terminate();
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
  await new Promise<void>((r) => broken.close(() => r()));
});

const H = "Host: client.test\r\n";

test("requests and answers pass with their fields; Host is the upstream's; hop-by-hop fields stay", async () => {
  seen.length = 0;
  const r = await rawExchange(
    proxy.port,
    `GET /a?x=1 HTTP/1.1\r\n${H}X-Custom: one\r\nKeep-Alive: timeout=99\r\n\r\n` +
      `POST /b HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello` +
      `PUT /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    { responses: 3 },
  );
  assert.equal(r.error, null);
  assert.deepEqual(
    r.responses.map((x) => x.body.toString()),
    ["up:GET /a?x=1 0", "up:POST /b 5", "up:PUT /c 3"],
  );
  assert.equal(r.responses[0]!.headers["set-cookie"], "a=1, b=2");
  assert.deepEqual(
    seen.map((s) => [s.headers["x-custom"], s.headers["keep-alive"], s.headers.host?.startsWith("127.0.0.1:")]),
    [
      ["one", undefined, true],
      [undefined, undefined, true],
      [undefined, undefined, true],
    ],
  );
  assert.equal(new Set(seen.map((s) => s.socket)).size, 1, "one keep-alive upstream connection");
});

test("issue 13 point 4: pipelined requests before a malformed one are each answered, in order, then the 400", async () => {
  seen.length = 0;
  const r = await rawExchange(
    proxy.port,
    `GET /first HTTP/1.1\r\n${H}\r\nGET /second HTTP/1.1\r\n${H}\r\nGET /third HTTP/1.1\r\nHost : x\r\n\r\n`,
  );
  assert.deepEqual(
    r.responses.map((x) => [x.status, x.body.toString().slice(0, 20)]),
    [
      [200, "up:GET /first 0"],
      [200, "up:GET /second 0"],
      [400, '{"error":{"code":"BA'],
    ],
  );
  assert.equal(r.closed, true);
  assert.deepEqual(
    seen.map((s) => s.url),
    ["/first", "/second"],
  );
});

test("issue 13 point 4: a framing error after the head is answered 400 and the upstream exchange is aborted, its connection dropped", async () => {
  seen.length = 0;
  const before = sockets;
  const r = await rawExchange(proxy.port, "", {
    parts: [`POST /upload HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`, "zz\r\nmore"],
    gapMs: 100,
  });
  assert.deepEqual(
    [
      r.responses[0]?.status,
      r.responses[0]?.headers.connection,
      JSON.parse(r.responses[0]!.body.toString()).error.code,
    ],
    [400, "close", "BAD_REQUEST"],
  );
  for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((x) => setTimeout(x, 10));
  await new Promise((x) => setTimeout(x, 50));
  assert.equal(seen[0]?.url, "/upload");
  assert.equal(seen[0]?.complete, false, "the upstream never got a complete request");
  const next = await rawExchange(proxy.port, `GET /after HTTP/1.1\r\n${H}\r\n`, { responses: 1 });
  assert.equal(next.responses[0]?.status, 200);
  assert.ok(sockets > before, "the aborted exchange's upstream connection was not reused");
});

test("issue 13 point 4: CONNECT is answered 501 with Palisade's JSON error and never reaches the upstream", async () => {
  seen.length = 0;
  const r = await rawExchange(proxy.port, "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n");
  assert.equal(r.responses[0]?.status, 501);
  assert.equal(JSON.parse(r.responses[0]!.body.toString()).error.code, "NOT_IMPLEMENTED");
  assert.equal(seen.length, 0);
});

test("a malformed upstream answer is a 502 UPSTREAM_BAD_RESPONSE, never a crash or a silent close", async () => {
  const r = await rawExchange(brokenProxy.port, `GET /x HTTP/1.1\r\n${H}\r\n`);
  assert.equal(r.responses[0]?.status, 502);
  assert.equal(JSON.parse(r.responses[0]!.body.toString()).error.code, "UPSTREAM_BAD_RESPONSE");
});

test("large bodies stream both ways with backpressure, intact", async () => {
  const up = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < up.length; i++) up[i] = i % 251;
  const sha = createHash("sha256").update(up).digest("hex");
  const upload = await new Promise<{ status: number; sha: string }>((resolve, reject) => {
    const req = request(
      { port: proxy.port, host: "127.0.0.1", path: "/upload-big", method: "POST", agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode!, sha: String(res.headers["x-upstream-sha"]) }));
      },
    );
    req.on("error", reject);
    for (let i = 0; i < up.length; i += 100_000) req.write(up.subarray(i, i + 100_000));
    req.end();
  });
  assert.deepEqual(upload, { status: 200, sha });
  const got = await new Promise<number>((resolve, reject) => {
    request({ port: proxy.port, host: "127.0.0.1", path: "/download", agent: false }, (res) => {
      let n = 0;
      res.on("data", (c: Buffer) => {
        n += c.length;
      });
      res.on("end", () => resolve(n));
    })
      .on("error", reject)
      .end();
  });
  assert.equal(got, 80 * 64 * 1024);
});

test("a WebSocket goes through: upgrade both sides, frames both ways", async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const echoed = new Promise<string>((resolve) => ws.once("message", (d) => resolve(d.toString())));
  ws.send("ping through the engine");
  assert.equal(await echoed, "ping through the engine");
  ws.close();
  await new Promise((r) => ws.once("close", r));
});
