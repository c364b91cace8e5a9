import assert from "node:assert/strict";
import { after, test } from "node:test";
import { TestCa } from "@palisade/test-support";
import { CompileError } from "../config/compile-error.js";
import { certificate } from "../test/fixtures.js";
import { compileCertificates, SecureContextCache } from "./compile-certificates.js";

const ca = new TestCa();
after(() => ca.dispose());
const a = ca.issue(["a.test"]);
const b = ca.issue(["b.test", "*.wild.test"]);

function refused(fn: () => unknown, resource: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CompileError);
    assert.equal(err.code, "RESOURCE_INVALID");
    assert.equal(err.resource, resource);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, /PRIVATE KEY|BEGIN/);
    return true;
  });
}

test("SNI lookup: exact names win, a wildcard covers one label, case and trailing dot ignored", () => {
  const { sni } = compileCertificates(
    [certificate("a", ["a.test"], a), certificate("b", ["b.test", "*.wild.test", "exact.wild.test"], b)],
    new SecureContextCache(),
  );
  assert.equal(sni.size, 4);
  assert.equal(sni.resolve("a.test")?.certificateId, "a");
  assert.equal(sni.resolve("A.Test.")?.certificateId, "a");
  assert.equal(sni.resolve("x.wild.test")?.certificateId, "b");
  assert.equal(sni.resolve("exact.wild.test")?.certificateId, "b");
  assert.equal(sni.resolve("x.y.wild.test"), undefined, "one label only");
  assert.equal(sni.resolve("wild.test"), undefined, "the apex is not covered by the wildcard");
  assert.equal(sni.resolve("c.test"), undefined);
  assert.equal(sni.resolve(""), undefined);
});

test("contexts are reused across compiles while the PEM pair is unchanged", () => {
  const cache = new SecureContextCache();
  const one = compileCertificates([certificate("a", ["a.test"], a)], cache);
  const two = compileCertificates([certificate("a2", ["a.test", "b.test"], a)], cache);
  assert.equal(one.sni.resolve("a.test")?.context, two.sni.resolve("b.test")?.context);
  assert.equal(cache.size, 1);
  cache.retain(new Set());
  assert.equal(cache.size, 0);
});

test("bad certificates are refused naming the field, never quoting key material", () => {
  const cache = new SecureContextCache();
  refused(
    () => compileCertificates([certificate("x", ["a.test"], { certPem: a.certPem, keyPem: b.keyPem })], cache),
    "certificate/x",
    /key_pem: the key does not belong/,
  );
  refused(
    () => compileCertificates([certificate("x", ["a.test"], { certPem: "nope", keyPem: a.keyPem })], cache),
    "certificate/x",
    /cert_pem: not a PEM certificate/,
  );
  refused(
    () => compileCertificates([certificate("x", ["a.test"], { certPem: a.certPem, keyPem: "-----BEGIN" })], cache),
    "certificate/x",
    /key_pem: not a PEM private key/,
  );
  refused(() => compileCertificates([certificate("x", [], a)], cache), "certificate/x", /snis: at least one/);
  for (const bad of ["A.test", "*.*.test", "a..test", "a.test:443", "*", "*.test", "a_b.test"]) {
    refused(() => compileCertificates([certificate("x", [bad], a)], cache), "certificate/x", /snis\[0\]/);
  }
  refused(
    () => compileCertificates([certificate("x", ["a.test"], a), certificate("y", ["b.test", "a.test"], b)], cache),
    "certificate/y",
    /snis\[1\]: "a.test" is also served by certificate "x"/,
  );
  refused(
    () => compileCertificates([certificate("x", ["a.test"], a), certificate("x", ["b.test"], b)], cache),
    "certificate/x",
    /duplicate certificate id/,
  );
});
