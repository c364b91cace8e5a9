/**
 * Issue 4's mtls policy on issue 3's HTTPS listener, against real processes: a certificate and an
 * mTLS route published through the admin API; the node asks for a client certificate on the mTLS
 * name only, verifies it, and forwards the sanitized subject; no certificate, one from another CA,
 * or a Host other than the TLS server name never reaches the upstream (C31 over HTTPS).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TestCa } from "./harness/certs.js";
import { ClientCa } from "./harness/client-ca.js";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { h2, https1 } from "./harness/tls-client.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("mTLS on the HTTPS listener", () => {
  const serverCa = new TestCa();
  const serverPair = serverCa.issue(["secure.test", "open.test"]);
  const clientCa = new ClientCa("Partner CA");
  const otherCa = new ClientCa("Unknown CA");
  const partner = clientCa.issue({ subject: "/O=Partner/CN=svc-a" });
  const stranger = otherCa.issue({ subject: "/O=Partner/CN=svc-a" });
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  before(async () => {
    upstream = await new RecordingUpstream("mtls-upstream").start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "echo", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/policies", {
      name: "partners",
      type: "mtls",
      config: { ca_pem: clientCa.certPem, subject_header: "X-Client-Cert-Subject" },
    });
    await cp.ok("POST", "/v1/routes", {
      name: "secure",
      hosts: ["secure.test"],
      paths: ["/"],
      upstream: "echo",
      policies: ["partners"],
    });
    await cp.ok("POST", "/v1/routes", { name: "open", paths: ["/"], upstream: "echo" });
    await cp.ok("POST", "/v1/certificates", {
      name: "edge",
      snis: ["secure.test", "open.test"],
      cert_pem: serverPair.certPem,
      key_pem: serverPair.keyPem,
    });
    const v = await cp.ok("POST", "/v1/config/versions", { message: "mTLS partners" });
    dp = await new DataPlaneProcess("node-mtls", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], v.version);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream?.stop();
    serverCa.dispose();
    clientCa.dispose();
    otherCa.dispose();
  });

  test("a partner certificate reaches the upstream with its subject, over HTTP/1.1 and HTTP/2", async () => {
    const one = await https1(dp.tlsPort, "secure.test", "/orders?h1", serverCa.certPem, {
      clientCert: partner,
      headers: { "x-client-cert-subject": "CN=forged" },
    });
    assert.equal(one.status, 200, one.body);
    const two = await h2(dp.tlsPort, "secure.test", "/orders?h2", serverCa.certPem, { clientCert: partner });
    assert.equal(two.status, 200, two.body);
    const seen = upstream.seenPath("/orders");
    assert.deepEqual(
      seen.map((s) => s.headers["x-client-cert-subject"]),
      ["CN=svc-a,O=Partner", "CN=svc-a,O=Partner"],
      "the node's view of the certificate, never the client's header",
    );
  });

  test("no certificate or another CA's is 403 AUTH_CERT_REQUIRED; nothing reaches the upstream", async () => {
    const before = upstream.seen.length;
    for (const clientCert of [undefined, stranger]) {
      const r = await https1(dp.tlsPort, "secure.test", "/orders?denied", serverCa.certPem, {
        ...(clientCert !== undefined ? { clientCert } : {}),
      });
      assert.equal(r.status, 403, r.body);
      assert.equal(JSON.parse(r.body).error.code, "AUTH_CERT_REQUIRED");
    }
    const events = await dp.securityEvents();
    assert.ok(events.recent.some((e) => e.reason === "cert_missing"));
    assert.ok(events.recent.some((e) => e.reason === "cert_untrusted"));
    assert.equal(upstream.seen.length, before);
  });

  test("C31 over HTTPS: a handshake for the open name cannot reach the mTLS name (421)", async () => {
    const before = upstream.seen.length;
    const r = await https1(dp.tlsPort, "open.test", "/orders?misdirected", serverCa.certPem, {
      clientCert: partner,
      headers: { host: "secure.test" },
    });
    assert.equal(r.status, 421, r.body);
    assert.equal(JSON.parse(r.body).error.code, "MISDIRECTED_REQUEST");
    assert.equal(upstream.seen.length, before);
    const open = await https1(dp.tlsPort, "open.test", "/public", serverCa.certPem);
    assert.equal(open.status, 200, "the open name needs no certificate");
  });
});
