import assert from "node:assert/strict";
import { test } from "node:test";
import { extractBearerToken } from "./extract-token.js";

test("Bearer, one space, one token68", () => {
  assert.deepEqual(extractBearerToken("Bearer abc.DEF-_~+/=="), { kind: "ok", token: "abc.DEF-_~+/==" });
});

test("the scheme is case-insensitive", () => {
  assert.deepEqual(extractBearerToken("bearer abc"), { kind: "ok", token: "abc" });
  assert.deepEqual(extractBearerToken("BEARER abc"), { kind: "ok", token: "abc" });
});

test("no header is missing", () => {
  assert.equal(extractBearerToken(undefined).kind, "missing");
});

test("anything else is invalid", () => {
  for (const v of [
    "",
    "Bearer",
    "Bearer ",
    "Bearer  abc",
    "Bearer\tabc",
    "Basic dXNlcjpwYXNz",
    "Bearerabc",
    "Bearer abc def",
    "Bearer abc=def",
    'Bearer a"b',
    "Token abc",
  ]) {
    assert.equal(extractBearerToken(v).kind, "invalid", JSON.stringify(v));
  }
});

test("more than one credential is ambiguous", () => {
  assert.equal(extractBearerToken("Bearer a, Bearer b").kind, "ambiguous");
  assert.equal(extractBearerToken("Bearer a,b").kind, "ambiguous");
  assert.equal(extractBearerToken(["Bearer a", "Bearer b"]).kind, "ambiguous");
});
