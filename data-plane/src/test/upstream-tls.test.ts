// Multi-module test: TLS to upstreams, verified by default (CA bundle, server name), unverified
// only when asked. A real https upstream with an openssl-made certificate.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { TestCa } from "@palisade/test-support";
import { route, snapshot, upstream } from "./fixtures.js";
import { codeOf, send, TestProxy } from "./harness.js";

const ca = new TestCa();
const leaf = ca.issue(["svc.test"]);
let server: Server;
const proxy = new TestProxy();
let sni: string[] = [];

before(async () => {
  server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    res.end(`tls upstream: ${req.url} host=${req.headers.host}`);
  });
  server.on("secureConnection", (s) => sni.push((s as unknown as { servername: string }).servername));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const https = { scheme: "https" };
  proxy.apply(
    snapshot({
      upstreams: [
        upstream("verified", [target], { ...https, tls: { caPem: ca.certPem, serverName: "svc.test" } }),
        upstream("system-cas", [target], { ...https, tls: { serverName: "svc.test" } }),
        upstream("wrong-name", [target], { ...https, tls: { caPem: ca.certPem, serverName: "other.test" } }),
        upstream("unverified", [target], { ...https, tls: { skipVerify: true } }),
      ],
      routes: ["verified", "system-cas", "wrong-name", "unverified"].map((n) => route(n, n, [`/${n}`])),
    }),
  );
  await proxy.start();
});

after(async () => {
  await proxy.stop();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  ca.dispose();
});

test("an https upstream is verified against the configured CA and server name (sent as SNI)", async () => {
  sni = [];
  const r = await send(proxy.port, "/verified/x");
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, /^tls upstream: \/verified\/x/);
  assert.deepEqual(sni, ["svc.test"]);
});

test("a certificate the node cannot verify, or for another name, is a 502", async () => {
  for (const path of ["/system-cas/x", "/wrong-name/x"]) {
    const r = await send(proxy.port, path);
    assert.equal(r.status, 502, `${path}: ${r.body}`);
    assert.equal(codeOf(r), "UPSTREAM_UNAVAILABLE");
  }
});

test("skip_verify talks to it anyway (explicit opt-out)", async () => {
  const r = await send(proxy.port, "/unverified/x");
  assert.equal(r.status, 200, r.body);
});
