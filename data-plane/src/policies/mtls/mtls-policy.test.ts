// The mTLS policy against real TLS connections: a test-local node:https server that asks for a
// client certificate and verifies it with the policy's CA bundle (per SNI name, as the node's
// HTTPS listener does), then runs the policy on each request.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { type Agent, createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createSecureContext } from "node:tls";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ConsumerSchema, MtlsPolicySchema } from "@palisade/proto";
import { ClientCa, type ClientPem } from "@palisade/test-support";
import { normalizeHost } from "../../router/host.js";
import { ConsumerIndex } from "../auth/consumers.js";
import type { Policy as PolicyInstance } from "../contract.js";
import { authOutcome, type AuthOutcome as PolicyOutcome, testRequest } from "../test-request.js";
import { subjectDn } from "./certificate-facts.js";
import { createMtlsPolicy } from "./mtls-policy.js";

const ca = new ClientCa("Test Client CA");
const other = new ClientCa("Another CA");
const serverCert = ca.server(["mtls.example.test", "other.example.test", "public.example.test"]);
const good = ca.issue({
  subject: "/O=Example/CN=svc-a",
  sans: ["DNS:svc-a.example.test", "URI:spiffe://example/svc-a", "email:svc-a@example.test"],
});
const expired = ca.issue({ subject: "/CN=svc-old", expired: true });
const foreign = other.issue({ subject: "/CN=svc-a" });
const serverOnly = ca.issue({ subject: "/CN=svc-s", eku: "serverAuth" });
// A trusted certificate whose subject would end the header line, and one with a SAN node quotes.
const crlfSubject = ca.issue({ subject: "/O=Example/CN=svc-b\r\nX-Admin: 1", sans: ["DNS:svc-b.example.test"] });
const commaSan = ca.issue({ subject: "/CN=svc-c", sans: ["URI:spiffe://example/a,b", "DNS:svc-c.example.test"] });
const utf8Subject = ca.issue({ subject: "/CN=Jos\u00e9" });
const consumers = new ConsumerIndex([
  create(ConsumerSchema, {
    id: "c-a",
    name: "svc-a",
    credentials: [
      { id: "1", kind: { case: "clientCert", value: { match: { case: "sanDns", value: "svc-a.example.test" } } } },
    ],
  }),
]);

function policy(cfg: MessageInitShape<typeof MtlsPolicySchema> = {}): PolicyInstance {
  return createMtlsPolicy(
    create(MtlsPolicySchema, {
      caPem: ca.certPem,
      subjectHeader: "X-Client-Cert-Subject",
      sanHeader: "X-Client-Cert-San",
      fingerprintHeader: "X-Client-Cert-Fingerprint",
      ...cfg,
    }),
    { id: "mtls", warn: () => {}, consumers },
  );
}

let current: PolicyInstance = policy();
let port = 0;
const mtlsContext = createSecureContext({ cert: serverCert.certPem, key: serverCert.keyPem, ca: ca.certPem });
const plainContext = createSecureContext({ cert: serverCert.certPem, key: serverCert.keyPem });
// Like the node's listener: a certificate is asked for on every connection, verified against the
// CA of the name's mTLS policy (none for public.example.test), never refused at the handshake.
const server = createServer(
  {
    cert: serverCert.certPem,
    key: serverCert.keyPem,
    requestCert: true,
    rejectUnauthorized: false,
    SNICallback: (name, cb) => cb(null, name === "public.example.test" ? plainContext : mtlsContext),
  },
  async (req, res) => {
    const view = testRequest({ host: normalizeHost(req.headers.host), socket: req.socket as never });
    const o = await authOutcome(current, view);
    res.end(JSON.stringify(o));
  },
);

before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
  ca.dispose();
  other.dispose();
});

function call(opts: { servername?: string; host?: string; client?: ClientPem; agent?: Agent }): Promise<PolicyOutcome> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: "127.0.0.1",
        port,
        path: "/",
        ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
        headers: { host: opts.host ?? opts.servername ?? "mtls.example.test" },
        rejectUnauthorized: false,
        ...(opts.client ? { cert: opts.client.certPem, key: opts.client.keyPem } : {}),
        ...(opts.agent ? { agent: opts.agent } : { agent: false }),
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(JSON.parse(body)));
      },
    );
    r.on("error", reject);
    r.end();
  });
}

function refused(o: PolicyOutcome, code: string, reason: string): void {
  assert.equal(o.allow, false, `expected ${reason}`);
  if (o.allow) return;
  assert.equal(o.code, code);
  assert.equal(o.reason, reason);
}

test("a good certificate: allowed, sanitized facts forwarded, consumer resolved by SAN", async () => {
  current = policy();
  const o = await call({ servername: "mtls.example.test", client: good });
  assert.equal(o.allow, true);
  if (!o.allow) return;
  const fp = createHash("sha256")
    .update(Buffer.from(good.certPem.replace(/-----[^-]+-----|\s/g, ""), "base64"))
    .digest("hex");
  assert.deepEqual(o.upstreamHeaders, {
    "x-client-cert-subject": "CN=svc-a,O=Example",
    "x-client-cert-san": "DNS:svc-a.example.test, URI:spiffe://example/svc-a, email:svc-a@example.test",
    "x-client-cert-fingerprint": fp,
  });
  assert.deepEqual(o.consumer, { id: "c-a", name: "svc-a" });
  assert.equal(o.authMethod, "mtls");
});

test("expired, another CA's, no certificate, a server-only certificate → 403 AUTH_CERT_REQUIRED", async () => {
  current = policy();
  refused(await call({ servername: "mtls.example.test", client: expired }), "AUTH_CERT_REQUIRED", "cert_expired");
  refused(await call({ servername: "mtls.example.test", client: foreign }), "AUTH_CERT_REQUIRED", "cert_untrusted");
  refused(await call({ servername: "mtls.example.test" }), "AUTH_CERT_REQUIRED", "cert_missing");
  refused(await call({ servername: "mtls.example.test", client: serverOnly }), "AUTH_CERT_REQUIRED", "cert_invalid");
});

test("C31: SNI and Host must name the same host (421), on every request of a keep-alive connection", async () => {
  current = policy();
  refused(
    await call({ servername: "public.example.test", host: "mtls.example.test" }),
    "MISDIRECTED_REQUEST",
    "sni_mismatch",
  );
  refused(
    await call({ servername: "public.example.test", host: "mtls.example.test", client: good }),
    "MISDIRECTED_REQUEST",
    "sni_mismatch",
  );
  // No SNI at all (connecting by IP address).
  refused(
    await call({ servername: "", host: "mtls.example.test", client: good }),
    "MISDIRECTED_REQUEST",
    "sni_mismatch",
  );
  const { Agent } = await import("node:https");
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    assert.equal((await call({ servername: "mtls.example.test", client: good, agent })).allow, true);
    refused(
      await call({ servername: "mtls.example.test", host: "other.example.test", client: good, agent }),
      "MISDIRECTED_REQUEST",
      "sni_mismatch",
    );
  } finally {
    agent.destroy();
  }
});

test("allowed_subjects, require_consumer; the plain HTTP listener never passes", async () => {
  current = policy({ allowedSubjects: ["CN=svc-b"] });
  refused(await call({ servername: "mtls.example.test", client: good }), "AUTH_CERT_REQUIRED", "cert_not_allowed");
  current = policy({ allowedSubjects: ["CN=svc-a,O=Example"], requireConsumer: true });
  assert.equal((await call({ servername: "mtls.example.test", client: good })).allow, true);
  const noConsumer = ca.issue({ subject: "/CN=svc-x" });
  current = policy({ requireConsumer: true });
  refused(
    await call({ servername: "mtls.example.test", client: noConsumer }),
    "AUTH_CERT_REQUIRED",
    "consumer_unknown",
  );
  const plain = createHttpServer(async (req, res) => {
    const view = testRequest({ host: normalizeHost(req.headers.host), socket: req.socket as never });
    res.end(JSON.stringify(await authOutcome(policy(), view)));
  });
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  const res = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/`);
  refused((await res.json()) as PolicyOutcome, "AUTH_CERT_REQUIRED", "cert_missing");
  plain.close();
});

test("config: CA bundle must hold CA certificates; header names are checked", () => {
  assert.throws(() => policy({ caPem: "" }), /ca_pem/);
  assert.throws(() => policy({ caPem: good.certPem }), /not a CA/);
  assert.throws(() => policy({ crlPem: "junk" }), /crl_pem/);
  assert.throws(() => policy({ subjectHeader: "Authorization" }), /reserved/);
});

test("subjectDn renders RFC 4514 (reversed, escaped)", () => {
  assert.equal(subjectDn({ C: "US", O: "Example, Inc.", CN: "svc+a" }), "CN=svc\\+a,O=Example\\, Inc.,C=US");
  assert.equal(subjectDn({ OU: ["a", "b"], CN: "x" }), "CN=x,OU=b,OU=a");
});

test("a trusted certificate whose subject or SANs no header carries unchanged: 403 naming the fact, or dropped by choice", async () => {
  current = policy();
  const o = await call({ servername: "mtls.example.test", client: crlfSubject });
  refused(o, "AUTH_CERT_IDENTITY_UNSAFE", "identity_unsafe");
  assert.equal(!o.allow && o.field, "subject");
  assert.equal(!o.allow && o.responseHeaders, null, "no challenge scheme for client certificates");
  const s = await call({ servername: "mtls.example.test", client: commaSan });
  refused(s, "AUTH_CERT_IDENTITY_UNSAFE", "identity_unsafe");
  assert.equal(!s.allow && s.field, "san");
  // Without the header, nothing unsafe is forwarded: the certificate passes.
  current = policy({ subjectHeader: "", sanHeader: "" });
  assert.equal((await call({ servername: "mtls.example.test", client: crlfSubject })).allow, true);
  current = policy({ unsafeIdentity: 2 });
  for (const client of [crlfSubject, commaSan]) {
    const d = await call({ servername: "mtls.example.test", client });
    assert.equal(d.allow, true);
    const h = d.allow ? (d.upstreamHeaders ?? {}) : {};
    assert.ok(client === crlfSubject ? h["x-client-cert-subject"] === null : h["x-client-cert-san"] === null);
    assert.match(String(h["x-client-cert-fingerprint"]), /^[0-9a-f]{64}$/);
  }
  current = policy();
  // Non-ASCII in a subject is forwarded as UTF-8 bytes (obs-text), not refused.
  const u = await call({ servername: "mtls.example.test", client: utf8Subject });
  assert.equal(u.allow, true);
  const subject = String(u.allow && u.upstreamHeaders?.["x-client-cert-subject"]);
  assert.match(subject, /^CN=Jos[\x80-\xff]+$/);
});
