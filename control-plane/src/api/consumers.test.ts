import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { SnapshotSchema } from "@palisade/proto";
import { testAdminApi } from "../test/admin-app.js";

async function app() {
  return testAdminApi();
}

test("consumers: create, read by name, disable with PUT, delete takes the credentials along", async () => {
  const { call, store } = await app();
  const c = await call("POST", "/v1/consumers", {
    name: "alice",
    labels: { team: "a" },
    tags: ["billing", "internal"],
  });
  assert.equal(c.status, 201);
  assert.equal(c.body.disabled, false);
  assert.deepEqual(c.body.tags, ["billing", "internal"]);
  assert.equal((await call("GET", "/v1/consumers/alice")).body.id, c.body.id);
  const d = await call("PUT", "/v1/consumers/alice", { name: "alice", disabled: true });
  assert.equal(d.body.disabled, true);
  await call("POST", "/v1/consumers/alice/credentials", { type: "api-key" });
  assert.equal((await store.listCredentials()).length, 1);
  assert.equal((await call("DELETE", "/v1/consumers/alice")).status, 204);
  assert.equal((await store.listCredentials()).length, 0);
  const bad = await call("POST", "/v1/consumers", { name: "bob", disabled: "yes" });
  assert.deepEqual([bad.status, bad.body.error.field], [400, "disabled"]);
});

test("API keys: shown once at creation (no-store), then only the prefix; stored as SHA-256", async () => {
  const { call, store } = await app();
  await call("POST", "/v1/consumers", { name: "alice" });
  const created = await call("POST", "/v1/consumers/alice/credentials", { type: "api-key" });
  assert.equal(created.status, 201);
  assert.equal(created.headers["cache-control"], "no-store");
  const key = created.body.key as string;
  assert.match(key, /^pk_[A-Za-z0-9_-]{43}$/);
  assert.equal(created.body.key_prefix, key.slice(0, 10));
  const listed = await call("GET", "/v1/consumers/alice/credentials");
  assert.equal(listed.body.items.length, 1);
  assert.ok(!listed.text.includes(key.slice(10)), "the key never comes back");
  assert.equal(listed.body.items[0].sha256, undefined, "nor its hash");
  const one = await call("GET", `/v1/consumers/alice/credentials/${created.body.id}`);
  assert.equal(one.body.key, undefined);
  const stored = (await store.listCredentials())[0]!;
  assert.equal(stored.body.sha256, createHash("sha256").update(key).digest("hex"));
  assert.ok(!JSON.stringify(stored).includes(key.slice(10)), "the store holds no key");
  const second = await call("POST", "/v1/consumers/alice/credentials", { type: "api-key" });
  assert.notEqual(second.body.key, key);
  assert.equal((await call("DELETE", `/v1/consumers/alice/credentials/${created.body.id}`)).status, 204);
  assert.equal((await call("DELETE", `/v1/consumers/alice/credentials/${created.body.id}`)).status, 404);
});

test("JWT and certificate identities: validated, normalized, unique across consumers", async () => {
  const { call } = await app();
  await call("POST", "/v1/consumers", { name: "a" });
  await call("POST", "/v1/consumers", { name: "b" });
  const jwt = await call("POST", "/v1/consumers/a/credentials", { type: "jwt", issuer: "https://idp", subject: "u1" });
  assert.equal(jwt.status, 201);
  assert.deepEqual([jwt.body.issuer, jwt.body.subject], ["https://idp", "u1"]);
  const dup = await call("POST", "/v1/consumers/b/credentials", { type: "jwt", issuer: "https://idp", subject: "u1" });
  assert.deepEqual([dup.status, dup.body.error.code], [409, "CREDENTIAL_CONFLICT"]);
  const claim = await call("POST", "/v1/consumers/b/credentials", {
    type: "jwt",
    issuer: "https://idp",
    claim: "client_id",
    value: "svc",
  });
  assert.equal(claim.status, 201);
  const fp = `${"AB:".repeat(31)}AB`;
  const cert = await call("POST", "/v1/consumers/a/credentials", { type: "client-cert", fingerprint_sha256: fp });
  assert.equal(cert.body.fingerprint_sha256, "ab".repeat(32));
  const sameFp = await call("POST", "/v1/consumers/b/credentials", {
    type: "client-cert",
    fingerprint_sha256: "ab".repeat(32),
  });
  assert.equal(sameFp.status, 409);
  const dns = await call("POST", "/v1/consumers/a/credentials", { type: "client-cert", san_dns: "Svc.Example.Test" });
  assert.equal(dns.body.san_dns, "svc.example.test");
  for (const body of [
    { type: "jwt", issuer: "https://idp" },
    { type: "jwt", issuer: "https://idp", subject: "x", claim: "c", value: "v" },
    { type: "client-cert" },
    { type: "client-cert", subject_dn: "CN=a", san_dns: "a" },
    { type: "client-cert", fingerprint_sha256: "zz" },
    { type: "api-key", key: "my-own-key" },
    { type: "password" },
  ]) {
    const r = await call("POST", "/v1/consumers/a/credentials", body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.code, "VALIDATION_FAILED");
  }
  assert.equal((await call("POST", "/v1/consumers/nobody/credentials", { type: "api-key" })).status, 404);
});

test("auth policies: api-key, introspection (secret redacted), auth-any resolved by name", async () => {
  const { call } = await app();
  const key = await call("POST", "/v1/policies", { name: "keys", type: "api-key", config: { header: "X-Key" } });
  assert.equal(key.status, 201);
  const intro = await call("POST", "/v1/policies", {
    name: "intro",
    type: "introspection",
    config: { endpoint: "https://as.test/introspect", client_id: "gw", client_secret: "very-secret" },
  });
  assert.equal(intro.status, 201);
  assert.equal(intro.body.config.client_secret, "[redacted]");
  assert.ok(!JSON.stringify((await call("GET", "/v1/policies")).body).includes("very-secret"));
  const any = await call("POST", "/v1/policies", {
    name: "any",
    type: "auth-any",
    config: { policies: ["keys", "intro"] },
  });
  assert.equal(any.status, 201);
  assert.deepEqual(any.body.config.policies, [key.body.id, intro.body.id]);
  const missing = await call("POST", "/v1/policies", { name: "x", type: "auth-any", config: { policies: ["ghost"] } });
  assert.deepEqual(
    [missing.status, missing.body.error.code, missing.body.error.field],
    [400, "REFERENCE_NOT_FOUND", "config.policies.0"],
  );
  const nested = await call("POST", "/v1/policies", { name: "y", type: "auth-any", config: { policies: ["any"] } });
  assert.deepEqual([nested.status, nested.body.error.field], [400, "config.policies.0"]);
  const inUse = await call("DELETE", "/v1/policies/keys");
  assert.deepEqual([inUse.status, inUse.body.error.code], [409, "RESOURCE_IN_USE"]);
  const bad = [
    { name: "k2", type: "api-key", config: { header: "Authorization" } },
    { name: "k3", type: "api-key", config: { query_param: "a&b" } },
    { name: "i2", type: "introspection", config: { endpoint: "https://as/x", client_id: "gw" } },
    { name: "i3", type: "introspection", config: { endpoint: "ftp://as/x", client_id: "gw", client_secret: "s" } },
  ];
  for (const b of bad) assert.equal((await call("POST", "/v1/policies", b)).status, 400, JSON.stringify(b));
});

test("jwt policy: PEM keys, claim rules, token sources; reserved headers and private PEMs refused", async () => {
  const { call } = await app();
  const { generateKeyPairSync } = await import("node:crypto");
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const ok = await call("POST", "/v1/policies", {
    name: "j",
    type: "jwt",
    config: {
      pem_keys: [{ pem, kid: "k1" }],
      algorithms: ["RS256"],
      claim_rules: [
        { claim: "role", equals: "admin" },
        { claim: "scope", contains: "read" },
      ],
      token_cookie: "jwt",
      token_query_param: "access_token",
      max_lifetime_s: 86400,
      cache: false,
    },
  });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  const privPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const bad: Array<[unknown, string]> = [
    [{ pem_keys: [{ pem: privPem }], algorithms: ["RS256"] }, "config.pem_keys.0.pem"],
    [{ pem_keys: [{ pem: "junk" }], algorithms: ["RS256"] }, "config.pem_keys.0.pem"],
    [
      { pem_keys: [{ pem }], algorithms: ["RS256"], claims_to_headers: { sub: "X-Forwarded-For" } },
      "config.claims_to_headers.sub",
    ],
    [{ pem_keys: [{ pem }], algorithms: ["RS256"], claim_rules: [{ claim: "role" }] }, "config.claim_rules.0.equals"],
    [{ pem_keys: [{ pem }], algorithms: ["RS256"], leeway_s: 301 }, "config.leeway_s"],
    [{ pem_keys: [{ pem }], jwks_url: "https://idp/jwks", algorithms: ["RS256"] }, "config.jwks_url"],
  ];
  for (const [config, field] of bad) {
    const r = await call("POST", "/v1/policies", { name: "j2", type: "jwt", config });
    assert.deepEqual([r.status, r.body.error.field], [400, field], JSON.stringify(config).slice(0, 80));
  }
});

test("publish carries consumers with credential hashes (never keys) and the new policy types", async () => {
  const { call, store } = await app();
  await call("POST", "/v1/upstreams", { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] });
  await call("POST", "/v1/policies", { name: "keys", type: "api-key", config: {} });
  await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up", policies: ["keys"] });
  await call("POST", "/v1/consumers", { name: "alice" });
  const k = await call("POST", "/v1/consumers/alice/credentials", { type: "api-key" });
  const v = await call("POST", "/v1/config/versions", {});
  assert.equal(v.status, 201);
  const snap = fromBinary(SnapshotSchema, (await store.getVersion(1))!.snapshot);
  assert.equal(snap.policies[0]?.config.case, "apiKey");
  const cred = snap.consumers[0]?.credentials[0];
  assert.equal(cred?.kind.case, "apiKey");
  assert.deepEqual(
    Buffer.from(cred?.kind.case === "apiKey" ? cred.kind.value.sha256 : []).toString("hex"),
    createHash("sha256").update(k.body.key).digest("hex"),
  );
  assert.ok(
    !Buffer.from((await store.getVersion(1))!.snapshot).includes(Buffer.from(k.body.key)),
    "no key in the snapshot",
  );
  const shown = await call("GET", "/v1/config/versions/1");
  assert.equal(shown.body.snapshot.consumers[0].credentials[0].apiKey.sha256, "[redacted]");
  await call("PUT", "/v1/consumers/alice", { name: "alice", disabled: true });
  const v2 = await call("POST", "/v1/config/versions", {});
  assert.equal(v2.body.version, 2, "disabling a consumer makes a new version");
  assert.equal(fromBinary(SnapshotSchema, (await store.getVersion(2))!.snapshot).consumers[0]?.disabled, true);
});

test("mtls policy: a CA bundle is required and checked; fact headers may not be the gateway's", async () => {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "palisade-cp-ca-"));
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"];
    execFileSync("openssl", ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=ca"], {
      cwd: dir,
      stdio: "pipe",
    });
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        ...ec,
        "-keyout",
        "l.key",
        "-out",
        "l.crt",
        "-subj",
        "/CN=leaf",
        "-addext",
        "basicConstraints=CA:FALSE",
      ],
      { cwd: dir, stdio: "pipe" },
    );
    const caPem = readFileSync(join(dir, "ca.crt"), "utf8");
    const leafPem = readFileSync(join(dir, "l.crt"), "utf8");
    const { call } = await app();
    const ok = await call("POST", "/v1/policies", {
      name: "m",
      type: "mtls",
      config: { ca_pem: caPem, subject_header: "X-Client-Cert-Subject", allowed_subjects: ["CN=svc-a"] },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const any = await call("POST", "/v1/policies", { name: "any", type: "auth-any", config: { policies: ["m"] } });
    assert.equal(any.status, 201, "mtls is an authentication method");
    for (const [config, field] of [
      [{ ca_pem: "junk" }, "config.ca_pem"],
      [{ ca_pem: leafPem }, "config.ca_pem"],
      [{ ca_pem: caPem, crl_pem: "junk" }, "config.crl_pem"],
      [{ ca_pem: caPem, san_header: "X-Forwarded-For" }, "config.san_header"],
    ] as const) {
      const r = await call("POST", "/v1/policies", { name: "m2", type: "mtls", config });
      assert.deepEqual([r.status, r.body.error.field], [400, field]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
