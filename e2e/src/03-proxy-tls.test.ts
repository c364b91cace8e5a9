/**
 * Issue 3, downstream TLS: certificates uploaded through the admin API are served by SNI on the
 * node's HTTPS listener, over HTTP/1.1 and HTTP/2 (ALPN), and hot-swapped by a publish.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { TestCa } from "@palisade/test-support";
import { ControlPlaneProcess, certificateBody, DataPlaneProcess } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { h2, https1 } from "./harness/tls-client.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("HTTPS listener: SNI certificates from config, HTTP/2 beside HTTP/1.1", () => {
  const ca = new TestCa();
  const api = ca.issue(["api.test"]);
  const shop = ca.issue(["shop.test", "*.shop.test"]);
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  before(async () => {
    upstream = await new RecordingUpstream("tls-upstream").start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "echo", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/routes", { name: "all", paths: ["/"], upstream: "echo" });
    await cp.ok("POST", "/v1/certificates", certificateBody("api", ["api.test"], api));
    await cp.ok("POST", "/v1/certificates", certificateBody("shop", ["shop.test", "*.shop.test"], shop));
    await cp.ok("POST", "/v1/config/versions", { message: "two certificates" });
    dp = await new DataPlaneProcess("node-tls", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], 1);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream?.stop();
    ca.dispose();
  });

  test("HTTPS/1.1 and HTTP/2 each get the certificate of the name they ask for", async () => {
    const one = await https1(dp.tlsPort, "api.test", "/hello?via=h1", ca.certPem);
    assert.equal(one.status, 200, one.body);
    assert.equal(one.alpn, "http/1.1");
    assert.equal(one.cert.subject.CN, "api.test");
    assert.equal(JSON.parse(one.body).upstream, "tls-upstream");

    const two = await h2(dp.tlsPort, "shop.test", "/hello?via=h2", ca.certPem);
    assert.equal(two.status, 200, two.body);
    assert.equal(two.alpn, "h2");
    assert.equal(two.cert.subject.CN, "shop.test");

    const wild = await h2(dp.tlsPort, "eu.shop.test", "/hello?via=wild", ca.certPem, { method: "POST", body: "{}" });
    assert.equal(wild.status, 200);
    assert.equal(wild.cert.subject.CN, "shop.test");

    const seen = upstream.seenPath("/hello");
    assert.deepEqual(
      seen.map((s) => [s.url, s.headers["x-forwarded-proto"], s.headers["x-forwarded-host"]]),
      [
        ["/hello?via=h1", "https", "api.test"],
        ["/hello?via=h2", "https", "shop.test"],
        ["/hello?via=wild", "https", "eu.shop.test"],
      ],
    );
    assert.equal(seen[2]!.body, "{}");
  });

  test("an unknown server name fails the handshake", async () => {
    await assert.rejects(https1(dp.tlsPort, "other.test", "/", ca.certPem));
  });

  test("a renewed certificate is served after publish, without a restart", async () => {
    const renewed = ca.issue(["api.test"]);
    await cp.ok("PUT", "/v1/certificates/api", certificateBody("api", ["api.test"], renewed));
    const v = await cp.ok("POST", "/v1/config/versions", { message: "renew api.test" });
    await cp.waitForNodes([dp.nodeId], v.version);
    const want = new X509Certificate(renewed.certPem).serialNumber.toUpperCase();
    await eventually("the renewed certificate", async () => {
      const r = await https1(dp.tlsPort, "api.test", "/renewed", ca.certPem);
      return r.cert.serialNumber.toUpperCase() === want ? r : undefined;
    });
  });
});
