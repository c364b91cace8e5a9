import assert from "node:assert/strict";
import { after, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { SnapshotSchema } from "@palisade/proto";
import { TestCa } from "@palisade/test-support";
import { testAdminApi } from "../test/admin-app.js";

const ca = new TestCa();
after(() => ca.dispose());
const a = ca.issue(["a.test", "*.a.test"]);
const b = ca.issue(["b.test"]);
const keyBody = (pem: string) => pem.split("\n").slice(1, -2).join("");

async function app() {
  return testAdminApi();
}

test("a certificate is stored with its SNI names; the key never comes back", async () => {
  const { call, store } = await app();
  const created = await call("POST", "/v1/certificates", {
    name: "a",
    snis: ["a.test", "*.a.test"],
    cert_pem: a.certPem,
    key_pem: a.keyPem,
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.key_pem, "[redacted]");
  assert.deepEqual(created.body.snis, ["a.test", "*.a.test"]);
  assert.equal(created.body.subject, "CN=a.test");
  assert.match(created.body.not_after, /^\d{4}-\d\d-\d\dT/);
  assert.match(created.body.fingerprint_sha256, /^[0-9A-F:]+$/);
  const list = await call("GET", "/v1/certificates");
  const one = await call("GET", "/v1/certificates/a");
  for (const r of [created, list, one]) assert.ok(!r.text.includes(keyBody(a.keyPem)), "key material in an answer");

  await call("POST", "/v1/upstreams", { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] });
  await call("POST", "/v1/routes", { name: "r", paths: ["/"], upstream: "up" });
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  // Nodes get the key in the snapshot; the versions endpoint shows it redacted.
  const snap = fromBinary(SnapshotSchema, (await store.getVersion(1))!.snapshot);
  assert.equal(snap.certificates[0]?.keyPem, a.keyPem);
  assert.deepEqual(snap.certificates[0]?.snis, ["a.test", "*.a.test"]);
  const v = await call("GET", "/v1/config/versions/1");
  assert.equal(v.body.snapshot.certificates[0].keyPem, "[redacted]");
  assert.ok(!v.text.includes(keyBody(a.keyPem)));

  // Replacing it keeps its own names (no conflict with itself); a new key makes a new version.
  const renewed = ca.issue(["a.test", "*.a.test"]);
  const put = await call("PUT", `/v1/certificates/${created.body.id}`, {
    name: "a",
    snis: ["a.test"],
    cert_pem: renewed.certPem,
    key_pem: renewed.keyPem,
  });
  assert.equal(put.status, 200);
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  assert.equal((await call("DELETE", "/v1/certificates/a")).status, 204);
});

test("bad certificates answer 400 naming the field, without quoting the PEM", async () => {
  const { call } = await app();
  await call("POST", "/v1/certificates", { name: "b", snis: ["b.test"], cert_pem: b.certPem, key_pem: b.keyPem });
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ snis: ["a.test"], cert_pem: a.certPem, key_pem: b.keyPem }, "key_pem"],
    [{ snis: ["a.test"], cert_pem: a.certPem, key_pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n" }, "key_pem"],
    [{ snis: ["a.test"], cert_pem: "-----BEGIN CERTIFICATE-----\nAAAA\n", key_pem: a.keyPem }, "cert_pem"],
    [{ snis: ["a.test"], cert_pem: a.certPem }, "key_pem"],
    [{ snis: [], cert_pem: a.certPem, key_pem: a.keyPem }, "snis"],
    [{ snis: ["A.test"], cert_pem: a.certPem, key_pem: a.keyPem }, "snis.0"],
    [{ snis: ["a.test", "other.test"], cert_pem: a.certPem, key_pem: a.keyPem }, "snis.1"],
    [{ snis: ["*.test"], cert_pem: a.certPem, key_pem: a.keyPem }, "snis.0"],
    [{ snis: ["x.y.a.test"], cert_pem: a.certPem, key_pem: a.keyPem }, "snis.0"],
    [{ snis: ["b.test"], cert_pem: b.certPem, key_pem: b.keyPem }, "snis.0"],
  ];
  for (const [body, field] of cases) {
    const r = await call("POST", "/v1/certificates", { name: "x", ...body });
    assert.equal(r.status, 400, `${JSON.stringify(body.snis)} → ${r.text}`);
    assert.equal(r.body.error.code, "VALIDATION_FAILED");
    assert.equal(r.body.error.field, field, r.text);
    assert.ok(!r.text.includes(keyBody(a.keyPem)) && !r.text.includes(keyBody(b.keyPem)));
  }
});
