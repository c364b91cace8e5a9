/**
 * Issue 4's mtls policy on issue 3's HTTPS listener, against real processes: a certificate and an
 * mTLS route published through the admin API; the node asks for a client certificate on the mTLS
 * names only, verifies it, and forwards the sanitized subject; no certificate, one from another CA,
 * or a Host other than the TLS server name never reaches the upstream. C31 over real TLS with its
 * variants: the open name's handshake (with or without a certificate, HTTP/1.1 and HTTP/2), no SNI
 * at all, and a Host switched to another mTLS name on the same keep-alive connection. A resumed
 * TLS session (no certificate exchanged) keeps the verdict of the handshake that made it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ClientCa, TestCa } from "@palisade/test-support";
import { ControlPlaneProcess, certificateBody, DataPlaneProcess } from "./harness/fleet.js";
import { h2, https1, https1KeepAlive, https1Resumed, tlsWithoutSni } from "./harness/tls-client.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("mTLS on the HTTPS listener", () => {
  const serverCa = new TestCa();
  const serverPair = serverCa.issue(["secure.test", "open.test", "vault.test"]);
  const clientCa = new ClientCa("Partner CA");
  const otherCa = new ClientCa("Unknown CA");
  const partner = clientCa.issue({ subject: "/O=Partner/CN=svc-a" });
  const stranger = otherCa.issue({ subject: "/O=Partner/CN=svc-a" });
  // Issued by the trusted CA, but its subject would end the forwarded header line (issue 13 point 3).
  const crlf = clientCa.issue({ subject: "/O=Partner/CN=svc-b\r\nX-Client-Cert-Subject: CN=admin" });
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  before(async () => {
    upstream = await new RecordingUpstream("mtls-upstream").start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "echo", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    // Two mTLS names, each with its own policy (same partner CA): a connection verified for one
    // mTLS name must not carry requests for the other.
    for (const [route, policy] of [
      ["secure", "partners"],
      ["vault", "vault-partners"],
    ]) {
      await cp.ok("POST", "/v1/policies", {
        name: policy,
        type: "mtls",
        config: { ca_pem: clientCa.certPem, subject_header: "X-Client-Cert-Subject" },
      });
      await cp.ok("POST", "/v1/routes", {
        name: route,
        hosts: [`${route}.test`],
        paths: ["/"],
        upstream: "echo",
        policies: [policy],
      });
    }
    await cp.ok("POST", "/v1/routes", { name: "open", paths: ["/"], upstream: "echo" });
    await cp.ok(
      "POST",
      "/v1/certificates",
      certificateBody("edge", ["secure.test", "open.test", "vault.test"], serverPair),
    );
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

  test("a trusted certificate whose subject no header value carries is 403 AUTH_CERT_IDENTITY_UNSAFE naming the subject", async () => {
    const before = upstream.seen.length;
    for (const send of [
      () => https1(dp.tlsPort, "secure.test", "/orders?crlf", serverCa.certPem, { clientCert: crlf }),
      () => h2(dp.tlsPort, "secure.test", "/orders?crlf2", serverCa.certPem, { clientCert: crlf }),
    ]) {
      const r = await send();
      assert.equal(r.status, 403, r.body);
      const body = JSON.parse(r.body);
      assert.deepEqual([body.error.code, body.error.field], ["AUTH_CERT_IDENTITY_UNSAFE", "subject"]);
      assert.doesNotMatch(r.body, /svc-b|admin/, "the value never reaches the answer");
    }
    assert.equal(upstream.seen.length, before, "never an authenticated request without its identity");
    const events = await dp.securityEvents();
    assert.ok(events.recent.some((e) => e.reason === "identity_unsafe" && e.code === "AUTH_CERT_IDENTITY_UNSAFE"));
  });

  test("a resumed TLS session keeps its verdict: a partner is served again, another CA's certificate is refused again", async () => {
    const partnerTwice = await https1Resumed(dp.tlsPort, "secure.test", "/orders?resumed", serverCa.certPem, {
      clientCert: partner,
    });
    assert.equal(partnerTwice.resumed, true, "the second handshake resumed the first one's session");
    assert.deepEqual(
      partnerTwice.answers.map((a) => a.status),
      [200, 200],
      JSON.stringify(partnerTwice.answers),
    );
    assert.deepEqual(
      upstream.seenPath("/orders?resumed").map((s) => s.headers["x-client-cert-subject"]),
      ["CN=svc-a,O=Partner", "CN=svc-a,O=Partner"],
    );
    const strangerTwice = await https1Resumed(dp.tlsPort, "secure.test", "/orders?resumed-stranger", serverCa.certPem, {
      clientCert: stranger,
    });
    assert.deepEqual(
      strangerTwice.answers.map((a) => a.status),
      [403, 403],
      JSON.stringify(strangerTwice.answers),
    );
    assert.equal(upstream.seenPath("/orders?resumed-stranger").length, 0);
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

  test("C31 as filed: the open name's handshake without a certificate, Host of the mTLS name → 421, HTTP/1.1 and HTTP/2", async () => {
    const before = upstream.seen.length;
    const one = await https1(dp.tlsPort, "open.test", "/internal/report?c31-h1", serverCa.certPem, {
      headers: { host: "secure.test" },
    });
    assert.equal(one.status, 421, one.body);
    assert.equal(JSON.parse(one.body).error.code, "MISDIRECTED_REQUEST");
    const two = await h2(dp.tlsPort, "open.test", "/internal/report?c31-h2", serverCa.certPem, {
      headers: { ":authority": "secure.test" },
    });
    assert.equal(two.status, 421, two.body);
    assert.equal(JSON.parse(two.body).error.code, "MISDIRECTED_REQUEST");
    assert.equal(upstream.seen.length, before, "the mTLS upstream is never reached");
  });

  test("C31 variant: no SNI at all (connecting by IP address) fails the handshake; nothing is served", async () => {
    const before = upstream.seen.length;
    const r = await tlsWithoutSni(dp.tlsPort, serverCa.certPem);
    assert.equal(r.handshake, "refused", "no default certificate: a name-less handshake reaches no route");
    assert.equal(upstream.seen.length, before);
  });

  test("C31 variant: a verified partner certificate, then Host switched to another mTLS name on the same connection → 421", async () => {
    const before = upstream.seen.length;
    const answers = await https1KeepAlive(
      dp.tlsPort,
      "secure.test",
      [{ path: "/ka/first" }, { path: "/ka/switched", host: "vault.test" }, { path: "/ka/back" }],
      serverCa.certPem,
      { clientCert: partner },
    );
    const trace = JSON.stringify(answers.map((a) => [a.status, a.reusedSocket, a.body.slice(0, 120)]));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 421, 200],
      trace,
    );
    assert.equal(answers[1]!.reusedSocket, true, `the switched Host came on the verified connection: ${trace}`);
    assert.equal(JSON.parse(answers[1]!.body).error.code, "MISDIRECTED_REQUEST");
    assert.deepEqual(
      upstream.seen.slice(before).map((s) => s.url),
      ["/ka/first", "/ka/back"],
      "only the requests for the handshake's own name reach the upstream",
    );
    // The vault name itself works with a handshake of its own.
    const vault = await https1(dp.tlsPort, "vault.test", "/ka/vault", serverCa.certPem, { clientCert: partner });
    assert.equal(vault.status, 200, vault.body);
  });
});
