// Multi-module test: the HTTPS listener (SNI certificates from the table, ALPN h2 + http/1.1) in
// front of the real proxy server, a real upstream on loopback, certificates from openssl.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { connect as h2connect } from "node:http2";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { type PeerCertificate, connect as tlsConnect } from "node:tls";
import { create } from "@bufbuild/protobuf";
import { DirectResponseActionSchema, RedirectActionSchema } from "@palisade/proto";
import { TestCa } from "@palisade/test-support";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { listen } from "../listen.js";
import { ProxyServer } from "../proxy/proxy-server.js";
import { TlsListener } from "../proxy/tls-listener.js";
import { TrafficStats } from "../telemetry/traffic-stats.js";
import { SecureContextCache } from "../tls/compile-certificates.js";
import { PoolManager } from "../upstream/pool-manager.js";
import { certificate, log, route, snapshot, upstream } from "./fixtures.js";

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const ca = new TestCa();
const a = ca.issue(["a.test"]);
const b = ca.issue(["b.test", "*.wild.test"]);
const seen: Seen[] = [];
let upstreamServer: Server;
let holder: TableHolder;
let pools: PoolManager;
let proxy: ProxyServer;
let tls: TlsListener;
let port = 0;
const contexts = new SecureContextCache();
const stats = new TrafficStats();

function table(version: bigint, certs: ReturnType<typeof certificate>[]) {
  const up = (upstreamServer.address() as AddressInfo).port;
  return compile(
    snapshot(
      {
        upstreams: [upstream("echo", [`127.0.0.1:${up}`])],
        routes: [
          route("all", "echo", ["/"]),
          // Route actions answer without an upstream (issue 22): over HTTP/2 too.
          route("moved", "", ["/moved"], {
            action: { case: "redirect", value: create(RedirectActionSchema, { status: 308, host: "b.test" }) },
          }),
          route("closed", "", ["/closed"], {
            action: {
              case: "directResponse",
              value: create(DirectResponseActionSchema, { status: 503, body: new TextEncoder().encode("closed") }),
            },
          }),
        ],
        certificates: certs,
      },
      version,
    ),
    { policyTypes: new Set(), tlsContexts: contexts },
  );
}

before(async () => {
  upstreamServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === "/slow") {
        setTimeout(() => res.end("slow but sure"), 600);
        return;
      }
      res.setHeader("x-upstream", "yes");
      res.setHeader("keep-alive", "timeout=5");
      res.end(`upstream:${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((r) => upstreamServer.listen(0, "127.0.0.1", r));
  pools = new PoolManager();
  holder = new TableHolder((t) => {
    pools.retain(t.poolKeys);
    contexts.retain(t.tlsContextKeys);
  });
  holder.swap(table(1n, [certificate("a", ["a.test"], a), certificate("b", ["b.test", "*.wild.test"], b)]));
  // A short idle timeout: HTTP/2 sessions idle for 200 ms are closed, streams are not timed out.
  // With traffic counters, as every node runs it: the logging phase records each exchange.
  proxy = new ProxyServer({ holder, pools, log, keepAliveTimeoutMs: 200, requestTimeoutMs: 400, stats });
  await listen(proxy.server, { host: "127.0.0.1", port: 0 }, "proxy", log);
  tls = new TlsListener({ holder, http1: (s) => proxy.accept(s), http2: () => proxy.h2, log });
  port = (await listen(tls.server, { host: "127.0.0.1", port: 0 }, "tls", log)).port;
});

after(async () => {
  const closed = tls.close();
  await proxy.close(1000);
  tls.destroyConnections();
  await closed;
  await pools.close(1000);
  upstreamServer.closeAllConnections();
  await new Promise<void>((r) => upstreamServer.close(() => r()));
  ca.dispose();
});

/** HTTPS/1.1 GET with SNI `servername`; resolves with status, body and the served certificate. */
function https1(servername: string, path: string) {
  return new Promise<{ status: number; body: string; cert: PeerCertificate; alpn: string | false }>(
    (resolve, reject) => {
      // ALPNProtocols is a tls option node's https typings leave out.
      const options = {
        host: "127.0.0.1",
        port,
        path,
        servername,
        headers: { host: servername },
        ca: ca.certPem,
        ALPNProtocols: ["http/1.1"],
        agent: false,
      } as RequestOptions;
      const req = httpsRequest(options, (res) => {
        const socket = res.socket as import("node:tls").TLSSocket;
        const cert = socket.getPeerCertificate();
        const alpn = socket.alpnProtocol ?? false;
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode!, body, cert, alpn }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

/** HTTP/2 request with SNI `servername`. */
async function h2(servername: string, path: string, body?: string) {
  const session = h2connect(`https://127.0.0.1:${port}`, { servername, ca: ca.certPem });
  try {
    await new Promise<void>((resolve, reject) => {
      session.once("connect", () => resolve());
      session.once("error", reject);
    });
    const socket = session.socket as import("node:tls").TLSSocket;
    const cert = socket.getPeerCertificate();
    const alpn = socket.alpnProtocol ?? false;
    const stream = session.request(
      { ":method": body === undefined ? "GET" : "POST", ":path": path, ":authority": servername },
      { endStream: body === undefined },
    );
    if (body !== undefined) stream.end(body);
    const headers = await new Promise<Record<string, unknown>>((resolve) =>
      stream.once("response", (h) => resolve(h as Record<string, unknown>)),
    );
    let text = "";
    for await (const c of stream) text += c;
    return { status: headers[":status"] as number, headers, body: text, cert, alpn };
  } finally {
    session.close();
  }
}

test("HTTPS/1.1 serves the certificate of the SNI name and proxies with X-Forwarded-Proto https", async () => {
  const r = await https1("a.test", "/one?q=1");
  assert.equal(r.status, 200);
  assert.equal(r.alpn, "http/1.1");
  assert.equal(r.cert.subject.CN, "a.test");
  assert.equal(r.body, "upstream:GET /one?q=1");
  const s = seen.find((x) => x.url === "/one?q=1")!;
  assert.equal(s.headers["x-forwarded-proto"], "https");
  assert.equal(s.headers["x-forwarded-host"], "a.test");
});

test("HTTP/2 via ALPN: each SNI name gets its certificate; bodies stream to the HTTP/1.1 upstream", async () => {
  const r = await h2("b.test", "/two");
  assert.equal(r.alpn, "h2");
  assert.equal(r.status, 200);
  assert.equal(r.cert.subject.CN, "b.test");
  assert.equal(r.body, "upstream:GET /two");
  assert.equal(r.headers["x-upstream"], "yes");
  assert.equal(r.headers["keep-alive"], undefined, "connection-specific headers are not sent over HTTP/2");
  const s = seen.find((x) => x.url === "/two")!;
  assert.equal(s.headers.host, `127.0.0.1:${(upstreamServer.address() as AddressInfo).port}`);
  assert.equal(s.headers["x-forwarded-host"], "b.test");
  assert.equal(s.headers["x-forwarded-proto"], "https");
  assert.ok(!Object.keys(s.headers).some((k) => k.startsWith(":")), "no pseudo-header reaches the upstream");

  const w = await h2("x.wild.test", "/three", "hello body");
  assert.equal(w.status, 200);
  assert.equal(w.cert.subject.CN, "b.test", "the wildcard name gets b's certificate");
  assert.equal(seen.find((x) => x.url === "/three")?.body, "hello body");

  const other = await h2("a.test", "/four");
  assert.equal(other.cert.subject.CN, "a.test");
});

test("HTTP/2 to redirect and fixed-response routes: answered, logged, and the process serves on", async () => {
  const moved = await h2("a.test", "/moved/x?y=1");
  assert.equal(moved.status, 308);
  assert.equal(moved.headers.location, "https://b.test/moved/x?y=1");
  const closed = await h2("a.test", "/closed");
  assert.equal(closed.status, 503);
  assert.equal(closed.body, "closed");
  // The logging phase of those exchanges ran when their streams ended; the process is still here.
  const after = await h2("a.test", "/after-actions");
  assert.equal(after.status, 200);
  assert.equal(after.body, "upstream:GET /after-actions");
  const series = stats.routes.series().filter((r) => r.route === "moved" || r.route === "closed");
  assert.deepEqual(
    series.map((r) => [r.route, r.upstream]).sort(),
    [
      ["closed", ""],
      ["moved", ""],
    ],
    "both counted, no upstream",
  );
});

test("HTTP/2: a response slower than the idle timeout arrives; an idle session is closed", async () => {
  const session = h2connect(`https://127.0.0.1:${port}`, { servername: "a.test", ca: ca.certPem });
  const closed = new Promise<void>((r) => session.once("close", () => r()));
  const stream = session.request({ ":path": "/slow", ":authority": "a.test" });
  let body = "";
  for await (const c of stream) body += c;
  assert.equal(body, "slow but sure");
  await closed;
});

test("HTTP/2: a request body that does not arrive in time gets 408 and never reaches the upstream whole", async () => {
  const session = h2connect(`https://127.0.0.1:${port}`, { servername: "a.test", ca: ca.certPem });
  try {
    const stream = session.request({ ":method": "POST", ":path": "/trickle", ":authority": "a.test" });
    stream.write("the start of a body that never ends");
    const headers = await new Promise<Record<string, unknown>>((resolve) =>
      stream.once("response", (h) => resolve(h as Record<string, unknown>)),
    );
    assert.equal(headers[":status"], 408);
    assert.equal(
      seen.find((s) => s.url === "/trickle"),
      undefined,
    );
  } finally {
    session.destroy();
  }
});

test("a server name no certificate covers, or no SNI at all, fails the handshake", async () => {
  for (const servername of ["c.test", "deep.x.wild.test", undefined]) {
    const err = await new Promise<Error>((resolve) => {
      const s = tlsConnect({ host: "127.0.0.1", port, ca: ca.certPem, ...(servername ? { servername } : {}) });
      s.once("secureConnect", () => {
        s.destroy();
        resolve(new Error("connected"));
      });
      s.once("error", resolve);
    });
    assert.notEqual(err.message, "connected", `handshake for ${servername} must fail`);
  }
});

test("certificates are hot-swapped with the table: new connections get the new one", async () => {
  const renewed = ca.issue(["a.test", "new.test"]);
  holder.swap(table(2n, [certificate("a", ["a.test", "new.test"], renewed)]));
  const r = await https1("a.test", "/five");
  assert.equal(r.status, 200);
  assert.notEqual(r.cert.serialNumber, (await peerSerial(a)).toUpperCase());
  assert.equal(r.cert.subject.CN, "a.test");
  assert.equal((await https1("new.test", "/six")).status, 200);
  const gone = await new Promise<Error | undefined>((resolve) => {
    const s = tlsConnect({ host: "127.0.0.1", port, ca: ca.certPem, servername: "b.test" });
    s.once("secureConnect", () => {
      s.destroy();
      resolve(undefined);
    });
    s.once("error", resolve);
  });
  assert.ok(gone, "b.test is no longer served");
});

async function peerSerial(pair: { certPem: string }): Promise<string> {
  const { X509Certificate } = await import("node:crypto");
  return new X509Certificate(pair.certPem).serialNumber;
}
