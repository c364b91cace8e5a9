import assert from "node:assert/strict";
import { test } from "node:test";
import { connectionTokens, HOP_BY_HOP, withoutHopByHop } from "./hop-by-hop.js";
import { duplicateHeaderError } from "./raw-headers.js";

test("the RFC 9110 §7.6.1 list is removed", () => {
  const headers: Record<string, string> = { "content-type": "text/plain", accept: "*/*" };
  for (const h of HOP_BY_HOP) headers[h] = "x";
  assert.deepEqual(withoutHopByHop(headers), { "content-type": "text/plain", accept: "*/*" });
  assert.deepEqual([...HOP_BY_HOP].sort(), [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
  ]);
});

test("fields named in Connection are removed too", () => {
  const out = withoutHopByHop({ connection: "close, X-Secret ,x-other", "x-secret": "1", "x-other": "2", keep: "3" });
  assert.deepEqual(out, { keep: "3" });
});

test("extra drop names and undefined values are left out", () => {
  const out = withoutHopByHop(
    { host: "a", "x-forwarded-for": "1.2.3.4", v: undefined, ok: ["a", "b"] },
    new Set(["host", "x-forwarded-for"]),
  );
  assert.deepEqual(out, { ok: ["a", "b"] });
});

test("connectionTokens", () => {
  assert.equal(connectionTokens(undefined), null);
  assert.deepEqual([...connectionTokens("Keep-Alive, Upgrade")!], ["keep-alive", "upgrade"]);
  assert.deepEqual([...connectionTokens(["a", "b, c"])!], ["a", "b", "c"]);
});

test("duplicate Authorization or Host in raw headers", () => {
  assert.equal(duplicateHeaderError(["Host", "a", "Authorization", "x"]), undefined);
  assert.equal(duplicateHeaderError(["Host", "a", "Authorization", "x", "authorization", "y"]), "AUTH_AMBIGUOUS");
  assert.equal(duplicateHeaderError(["Host", "a", "HOST", "b"]), "BAD_REQUEST");
  assert.equal(duplicateHeaderError(["X-Authorization", "a", "authorization", "b"]), undefined);
});
