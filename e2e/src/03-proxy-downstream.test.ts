/**
 * Issue 3, the client side of a node: a WebSocket echoes through; a client that trickles its
 * headers is cut off; an upstream that answers with an invalid header byte gets the client a
 * 502 and the node lives on; SIGTERM under load finishes every request already taken in.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { Pool } from "undici";
import { WebSocket, WebSocketServer } from "ws";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("downstream: WebSocket, slow clients, bad upstream headers, graceful SIGTERM", () => {
  const echo = new RecordingUpstream("echo");
  let wsServer: Server;
  let wss: WebSocketServer;
  let badHeaders: TcpServer;
  /** Answers every request after a pause, so that requests are in flight when SIGTERM comes. */
  let slow: Server;
  const slowSeen = new Set<string>();
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  before(async () => {
    await echo.start();
    wsServer = createServer((_req, res) => res.writeHead(426).end());
    wss = new WebSocketServer({ server: wsServer });
    wss.on("connection", (s) => s.on("message", (data, binary) => s.send(data, { binary })));
    await new Promise<void>((r) => wsServer.listen(0, "127.0.0.1", r));
    badHeaders = createTcpServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", (d: Buffer) => {
        const name = d.toString().includes("/bad/name") ? "Bad Name" : "X-Bad";
        const value = d.toString().includes("/bad/name") ? "x" : "a\u0001b";
        socket.end(`HTTP/1.1 200 OK\r\n${name}: ${value}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`);
      });
    });
    await new Promise<void>((r) => badHeaders.listen(0, "127.0.0.1", r));
    slow = createServer((req, res) => {
      slowSeen.add(req.url!);
      setTimeout(() => res.end(`done ${req.url}`), 200);
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));

    cp = await new ControlPlaneProcess().start();
    const up = async (name: string, port: number) =>
      cp.ok("POST", "/v1/upstreams", { name, targets: [{ host: "127.0.0.1", port }] });
    await up("echo", echo.port);
    await up("ws", (wsServer.address() as AddressInfo).port);
    await up("bad", (badHeaders.address() as AddressInfo).port);
    await up("slow", (slow.address() as AddressInfo).port);
    await cp.ok("POST", "/v1/routes", { name: "echo", paths: ["/echo"], upstream: "echo" });
    await cp.ok("POST", "/v1/routes", { name: "ws", paths: ["/ws"], upstream: "ws" });
    await cp.ok("POST", "/v1/routes", { name: "bad", paths: ["/bad"], upstream: "bad" });
    await cp.ok("POST", "/v1/routes", { name: "slow", paths: ["/slow"], upstream: "slow" });
    const v = await cp.ok("POST", "/v1/config/versions", { message: "downstream" });
    dp = await new DataPlaneProcess("node-downstream", cp.syncPort, {
      extraArgs: ["--client-header-timeout-ms", "1000"],
    }).start();
    await cp.waitForNodes([dp.nodeId], v.version);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await echo.stop();
    for (const c of wss.clients) c.terminate();
    wsServer.closeAllConnections();
    slow.closeAllConnections();
    await Promise.all([
      new Promise((r) => wsServer.close(r)),
      new Promise((r) => badHeaders.close(r)),
      new Promise((r) => slow.close(r)),
    ]);
  });

  test("a WebSocket echoes through", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${dp.proxyPort}/ws/chat`);
    const got: string[] = [];
    ws.on("message", (d) => got.push(d.toString()));
    await once(ws, "open");
    for (const m of ["one", "two", "three"]) ws.send(m);
    await eventually("three echoes", async () => (got.length === 3 ? true : undefined));
    assert.deepEqual(got, ["one", "two", "three"]);
    ws.close();
    await once(ws, "close");
  });

  test("a slow-header client is cut off by the header timeout", async () => {
    const socket = connect(dp.proxyPort, "127.0.0.1");
    let answer = "";
    socket.on("data", (c: Buffer) => {
      answer += c;
    });
    socket.write("GET /echo/slowloris HTTP/1.1\r\nhost: x\r\n");
    const trickle = setInterval(() => socket.writable && socket.write("x-more: 1\r\n"), 100);
    await once(socket, "close");
    clearInterval(trickle);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /"REQUEST_TIMEOUT"/);
    assert.equal(echo.seenPath("/echo/slowloris").length, 0);
  });

  test("an upstream answering with an invalid header byte yields 502 and the process lives on", async () => {
    for (const path of ["/bad/value", "/bad/name"]) {
      const r = await dp.get(path);
      assert.equal(r.status, 502, `${path}: ${r.text}`);
      assert.equal(r.json().error.code, "UPSTREAM_BAD_RESPONSE");
      assert.equal(r.headers["x-bad"], undefined);
    }
    assert.equal(dp.proc.exited, false);
    assert.equal((await http(dp.statusPort, "/healthz")).status, 200);
    assert.equal((await dp.get("/echo/still-alive")).status, 200);
  });

  test("SIGTERM under load loses no in-flight request, then the node exits 0", async (t) => {
    const node = await new DataPlaneProcess("node-sigterm", cp.syncPort).start();
    await cp.waitForNodes([node.nodeId], (await cp.ok("GET", `/v1/nodes/${dp.nodeId}`)).applied_version);
    const pool = new Pool(`http://127.0.0.1:${node.proxyPort}`, { connections: 16 });
    const answered = new Map<string, number>();
    const failures: string[] = [];
    let sent = 0;
    const loops = Array.from({ length: 16 }, async (_, c) => {
      for (let i = 0; ; i++) {
        const path = `/slow/c${c}-r${i}`;
        sent++;
        try {
          const r = await pool.request({ path, method: "GET" });
          await r.body.text();
          answered.set(path, r.statusCode);
        } catch (err) {
          failures.push(`${path} ${(err as { code?: string }).code}`);
          return;
        }
      }
    });
    await eventually("load flowing", async () => (slowSeen.size >= 40 ? true : undefined));
    const exited = once(node.proc.child, "exit");
    node.proc.child.kill("SIGTERM");
    await Promise.all(loops);
    const [code] = await exited;
    await pool.close();
    assert.equal(code, 0, "graceful exit");
    t.diagnostic(`${answered.size} answered, ${failures.length} refused after SIGTERM`);
    const lost = [...slowSeen].filter((p) => !answered.has(p));
    assert.deepEqual(lost, [], "every request the upstream got was answered to the client");
    for (const [path, status] of answered) assert.equal(status, 200, path);
    assert.ok(answered.size >= 40 && sent > answered.size);
    for (const f of failures) assert.match(f, /ECONNREFUSED$/, "the only failures are new connections refused");
  });
});
