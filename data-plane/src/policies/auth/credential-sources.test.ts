import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldListOf } from "../../http/field-list.js";
import { policyRequest } from "../../test/fixtures.js";
import {
  type CredentialSourcesSpec,
  extractBearerToken,
  extractCookieCredential,
  extractCredential,
  extractHeaderCredential,
  extractQueryCredential,
  removeCookie,
  removeQueryParams,
} from "./credential-sources.js";

test("Bearer, one space, one token68", () => {
  assert.deepEqual(extractBearerToken("Bearer abc.DEF-_~+/=="), {
    kind: "ok",
    value: "abc.DEF-_~+/==",
    from: "authorization",
  });
});

test("the scheme is case-insensitive (RFC 9110 §11.1)", () => {
  for (const scheme of ["bearer", "BEARER", "Bearer", "bEaReR"]) {
    assert.equal(extractBearerToken(`${scheme} abc`).kind, "ok", scheme);
  }
});

test("no header is missing", () => {
  assert.equal(extractBearerToken(undefined).kind, "missing");
});

test("every other shape is invalid: other schemes, empty, extra spaces, tab, two tokens, junk", () => {
  for (const v of [
    "",
    "Bearer",
    "Bearer ",
    "Bearer  abc",
    "Bearer\tabc",
    " Bearer abc",
    "Bearer abc ",
    "Basic dXNlcjpwYXNz",
    "Bearerabc",
    "Bearer abc def",
    "Bearer abc=def",
    'Bearer a"b',
    "Bearer a=b=",
    "Token abc",
    "Bearer ä",
    `Bearer ${"a".repeat(17 * 1024)}`,
  ]) {
    assert.equal(extractBearerToken(v).kind, "invalid", JSON.stringify(v.slice(0, 40)));
  }
});

test("comma lists are not one credential (invalid); two header lines are ambiguous", () => {
  assert.equal(extractBearerToken("Bearer a, Bearer b").kind, "invalid");
  assert.equal(extractBearerToken("Bearer a,b").kind, "invalid");
  assert.equal(extractBearerToken("Bearer a,").kind, "invalid");
  assert.equal(extractBearerToken(["Bearer a", "Bearer b"]).kind, "ambiguous");
});

test("a header credential counts every spelling of its name: two lines are ambiguous", () => {
  const fields = fieldListOf(["X-Api-Key", "a", "x-api-key", "b", "Host", "h", "X-API-KEY", "c"]);
  assert.equal(extractHeaderCredential(fields, "x-api-key", false).kind, "ambiguous");
  assert.equal(extractHeaderCredential(fieldListOf(["Authorization", "a"]), "x-api-key", false).kind, "missing");
  assert.deepEqual(extractHeaderCredential(fieldListOf(["X-API-KEY", "k1"]), "x-api-key", false), {
    kind: "ok",
    value: "k1",
    from: "header",
  });
});

test("cookies: exact name, quoted values, duplicates ambiguous, junk invalid", () => {
  assert.deepEqual(extractCookieCredential("a=1; jwt=abc.def; b=2", "jwt"), {
    kind: "ok",
    value: "abc.def",
    from: "cookie",
  });
  assert.deepEqual(extractCookieCredential('jwt="abc"', "jwt"), { kind: "ok", value: "abc", from: "cookie" });
  assert.equal(extractCookieCredential("JWT=abc", "jwt").kind, "missing", "names are case-sensitive");
  assert.equal(extractCookieCredential("xjwt=abc", "jwt").kind, "missing");
  assert.equal(extractCookieCredential("jwt=a; jwt=b", "jwt").kind, "ambiguous");
  assert.equal(extractCookieCredential("jwt=", "jwt").kind, "invalid");
  assert.equal(extractCookieCredential("jwt=a b", "jwt").kind, "invalid");
  assert.equal(extractCookieCredential(undefined, "jwt").kind, "missing");
});

test("removeCookie keeps the other cookies and their order", () => {
  assert.equal(removeCookie("a=1; jwt=x; b=2", "jwt"), "a=1; b=2");
  assert.equal(removeCookie("jwt=x", "jwt"), null);
  assert.equal(removeCookie("a=1;jwt=x", "jwt"), "a=1");
});

test("query: names compared decoded, duplicates ambiguous, values decoded", () => {
  assert.deepEqual(extractQueryCredential("?a=1&access_token=abc", "access_token"), {
    kind: "ok",
    value: "abc",
    from: "query",
  });
  assert.equal(extractQueryCredential("?%61ccess_token=abc", "access_token").kind, "ok");
  assert.equal(extractQueryCredential("?access%5Ftoken=abc", "access_token").kind, "ok");
  assert.equal(extractQueryCredential("?access_token=a&access_token=b", "access_token").kind, "ambiguous");
  assert.equal(extractQueryCredential("?access_token", "access_token").kind, "invalid");
  assert.equal(extractQueryCredential("?access_token=a+b", "access_token").kind, "invalid");
  assert.equal(extractQueryCredential("?access_tokens=a", "access_token").kind, "missing");
  assert.equal(extractQueryCredential("", "access_token").kind, "missing");
});

test("removeQueryParams drops every spelling of the name and keeps the rest byte for byte", () => {
  assert.equal(removeQueryParams("?a=1&access_token=x&b=%20", ["access_token"]), "?a=1&b=%20");
  assert.equal(removeQueryParams("?%61ccess_token=x", ["access_token"]), "");
  assert.equal(removeQueryParams("?access_token=x&access_token=y&c", ["access_token"]), "?c");
  assert.equal(removeQueryParams("", ["access_token"]), "");
});

test("extractCredential: one place only; two places (even the same value) → ambiguous", () => {
  const spec: CredentialSourcesSpec = {
    header: "authorization",
    cookie: "jwt",
    query: "access_token",
    tokenOnly: true,
  };
  const ok = extractCredential(spec, policyRequest({ authorization: "Bearer t" }));
  assert.deepEqual(ok, { kind: "ok", value: "t", from: "authorization" });
  assert.equal(extractCredential(spec, policyRequest({}, "?access_token=t")).kind, "ok");
  assert.equal(extractCredential(spec, policyRequest({ cookie: "jwt=t" })).kind, "ok");
  assert.equal(
    extractCredential(spec, policyRequest({ authorization: "Bearer t" }, "?access_token=t")).kind,
    "ambiguous",
  );
  assert.equal(
    extractCredential(spec, policyRequest({ authorization: "Bearer t", cookie: "jwt=t" })).kind,
    "ambiguous",
  );
  assert.equal(extractCredential(spec, policyRequest({ cookie: "jwt=t" }, "?access_token=u")).kind, "ambiguous");
  // A non-Bearer Authorization is still a credential in a second place.
  assert.equal(
    extractCredential(spec, policyRequest({ authorization: "Basic eA==", cookie: "jwt=t" })).kind,
    "ambiguous",
  );
  assert.equal(extractCredential(spec, policyRequest({})).kind, "missing");
});

test("extractCredential: a named header holds a raw value; sent twice → ambiguous", () => {
  const keys: CredentialSourcesSpec = { header: "x-api-key", cookie: null, query: "apikey", tokenOnly: false };
  assert.deepEqual(extractCredential(keys, policyRequest({ "X-Api-Key": "k!y" })), {
    kind: "ok",
    value: "k!y",
    from: "header",
  });
  assert.equal(extractCredential(keys, policyRequest({ "X-Api-Key": ["a", "b"] })).kind, "ambiguous");
  assert.equal(extractCredential(keys, policyRequest({ "X-Api-Key": ["a", "a"] })).kind, "ambiguous");
  assert.equal(extractCredential(keys, policyRequest({ "x-api-key": "a" }, "?apikey=a")).kind, "ambiguous");
  assert.equal(extractCredential(keys, policyRequest({ "x-api-key": "a b" })).kind, "invalid");
});
