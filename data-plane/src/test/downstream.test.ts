// Multi-module test of the client side: WebSocket upgrades through the phases, header limits,
// Expect: 100-continue, the slow-header cut-off and the graceful drain. Real servers on loopback.
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { eventually } from "./eventually.js";
import { jwtPolicy, nowS, route, rsaKeys, snapshot, upstream } from "./fixtures.js";
import { codeOf, send, TestProxy, TestUpstream } from "./harness.js";

const keys = await rsaKeys();
const plain = new TestUpstream("plain");
let wsHttp: Server;
let wss: WebSocketServer;
const proxy = new TestProxy({ headersTimeoutMs: 300, maxHeaders: 20, maxHeaderBytes: 4096 });
const held: Array<() => void> = [];

before(async () => {
  await plain.start();
  wsHttp = createServer((_req, res) => res.writeHead(426).end("websocket only"));
  wss = new WebSocketServer({ server: wsHttp });
  wss.on("connection", (socket, req) => {
    socket.send(`hello ${req.url} proto=${socket.protocol}`);
    socket.on("message", (data, binary) => socket.send(data, { binary }));
  });
  await new Promise<void>((r) => wsHttp.listen(0, "127.0.0.1", r));
  const wsPort = (wsHttp.address() as AddressInfo).port;
  plain.behaviour = (s, res) => {
    if (!s.url.startsWith("/hold")) return undefined;
    held.push(() => res.end("held done"));
    return true;
  };
  proxy.apply(
    snapshot({
      upstreams: [upstream("ws", [`127.0.0.1:${wsPort}`]), upstream("plain", [plain.address])],
      policies: [jwtPolicy("jwt", { jwksJson: keys.jwksJson, algorithms: ["RS256"] })],
      routes: [
        route("ws", "ws", ["/ws"]),
        route("ws-secure", "ws", ["/secure-ws"], { policyIds: ["jwt"] }),
        route("plain", "plain", ["/"]),
        route("secure", "plain", ["/secure"], { policyIds: ["jwt"] }),
      ],
    }),
    new Set(["jwt"]),
  );
  await proxy.start();
});

after(async () => {
  for (const r of held.splice(0)) r();
  await proxy.stop();
  await plain.stop();
  for (const c of wss.clients) c.terminate();
  wsHttp.closeAllConnections();
  await new Promise<void>((r) => wsHttp.close(() => r()));
});

function openWs(path: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}${path}`, ["chat"], { headers });
  const messages: string[] = [];
  ws.on("message", (d) => messages.push(d.toString()));
  return { ws, messages };
}

test("a WebSocket echoes through the proxy, both ways, with its subprotocol", async () => {
  const { ws, messages } = openWs("/ws/room?x=1");
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  assert.equal(ws.protocol, "chat");
  ws.send("ping one");
  ws.send(Buffer.from([1, 2, 3]));
  await eventually("three messages", () => messages.length === 3);
  assert.deepEqual(messages, ["hello /ws/room?x=1 proto=chat", "ping one", "\u0001\u0002\u0003"]);
  ws.close();
  await new Promise((r) => ws.once("close", r));
});

test("a WebSocket upgrade goes through the route's policies first", async () => {
  const refused = await new Promise<number>((resolve) => {
    const { ws } = openWs("/secure-ws/x");
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode!));
    ws.once("open", () => resolve(101));
  });
  assert.equal(refused, 401);
  const token = await keys.sign({ sub: "u1", exp: nowS() + 60 });
  const { ws, messages } = openWs("/secure-ws/x", { authorization: `Bearer ${token}` });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  await eventually("greeting", () => messages.length === 1);
  ws.close();
});

test("a non-WebSocket upgrade (h2c) is served as a plain request", async () => {
  const r = await send(proxy.port, "/plain/h2c", {
    headers: { connection: "Upgrade, HTTP2-Settings", upgrade: "h2c", "http2-settings": "AAMAAABkAAQAAP__" },
  });
  assert.equal(r.status, 200);
  assert.equal(r.body, "plain:GET /plain/h2c");
  const seen = plain.seen.find((s) => s.url === "/plain/h2c")!;
  assert.equal(seen.headers.upgrade, undefined, "Upgrade is hop-by-hop");
});

test("too many header fields, or too large a header section, is refused with 431", async () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < 25; i++) many[`x-h${i}`] = "v";
  const r = await send(proxy.port, "/plain/many", { headers: many });
  assert.equal(r.status, 431);
  assert.equal(codeOf(r), "HEADERS_TOO_LARGE");
  assert.equal(plain.count("/plain/many"), 0);
  const big = await rawExchange(
    `GET /plain/big HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(5000)}\r\nconnection: close\r\n\r\n`,
  );
  assert.match(big, /^HTTP\/1\.1 431 /);
  assert.match(big, /"HEADERS_TOO_LARGE"/);
});

test("Expect: 100-continue gets 100 only when the request may go on", async () => {
  const token = await keys.sign({ sub: "u1", exp: nowS() + 60 });
  const ok = await expectContinue("/secure/upload", { authorization: `Bearer ${token}` });
  assert.deepEqual([ok.continued, ok.status], [true, 200]);
  assert.equal(plain.seen.find((s) => s.url === "/secure/upload")?.body, "the body");
  const denied = await expectContinue("/secure/upload-denied", {});
  assert.deepEqual([denied.continued, denied.status], [false, 401]);
  assert.equal(plain.count("/secure/upload-denied"), 0);
});

test("a client that trickles its headers is cut off by the header timeout (408)", async () => {
  const socket = connect(proxy.port, "127.0.0.1");
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  socket.write("GET /plain/slow HTTP/1.1\r\nhost: x\r\n");
  const trickle = setInterval(() => socket.writable && socket.write("x-slow: 1\r\n"), 50);
  await closed;
  clearInterval(trickle);
  assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 408 /);
  assert.equal(plain.count("/plain/slow"), 0);
});

test("graceful close: in-flight requests finish, quiet keep-alive connections close, new ones are refused", async () => {
  // A keep-alive client that stays connected and quiet.
  const idle = connect(proxy.port, "127.0.0.1");
  await new Promise((r) => idle.once("connect", r));
  idle.resume();
  const idleClosed = new Promise<void>((r) => idle.once("close", () => r()));
  idle.write("GET /plain/first HTTP/1.1\r\nhost: x\r\n\r\n");
  await eventually("first answer", () => plain.count("/plain/first") === 1);

  const inflight = send(proxy.port, "/hold/1");
  await eventually("request held upstream", () => held.length === 1);
  const closing = proxy.server.close(5_000);
  await idleClosed;
  await assert.rejects(send(proxy.port, "/plain/after"), /ECONNREFUSED/);
  for (const r of held.splice(0)) r();
  const r = await inflight;
  assert.equal(r.status, 200);
  assert.equal(r.body, "held done");
  assert.equal(r.headers.connection, "close");
  await closing;
});

/** Sends raw bytes on a new connection and returns everything the proxy wrote back. */
function rawExchange(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(proxy.port, "127.0.0.1", () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString()));
    socket.on("error", reject);
  });
}

/** A POST with `Expect: 100-continue` that sends its body only after a 100. */
function expectContinue(path: string, headers: Record<string, string>) {
  return new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
    let continued = false;
    const req = request(
      {
        host: "127.0.0.1",
        port: proxy.port,
        path,
        method: "POST",
        agent: false,
        headers: { ...headers, expect: "100-continue", "content-length": "8" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ continued, status: res.statusCode! }));
      },
    );
    req.on("continue", () => {
      continued = true;
      req.end("the body");
    });
    req.on("error", reject);
  });
}
