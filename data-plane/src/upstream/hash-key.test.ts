import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { HashOnSchema } from "@palisade/proto";
import { fieldListOf } from "../http/field-list.js";
import { hash32 } from "./hash.js";
import { cookieValue, hashKeyOf, resolveHashOn } from "./hash-key.js";

const fields = (h: Record<string, string>) => fieldListOf(Object.entries(h).flat());

test("cookie values are found by exact name, first one wins (RFC 6265 §4.2.1)", () => {
  assert.equal(cookieValue("a=1; sid=abc; b=2", "sid"), "abc");
  assert.equal(cookieValue("xsid=no; sid=yes", "sid"), "yes");
  assert.equal(cookieValue("sid=one;sid=two", "sid"), "one");
  assert.equal(cookieValue("a=1", "sid"), undefined);
  assert.equal(cookieValue(undefined, "sid"), undefined);
  assert.equal(cookieValue("sid=", "sid"), "");
});

test("the key is the header, cookie or client address hashed; a missing key is -1", () => {
  const header = resolveHashOn(create(HashOnSchema, { key: { case: "header", value: "X-User" } }))!;
  const cookie = resolveHashOn(create(HashOnSchema, { key: { case: "cookie", value: "sid" } }))!;
  const ip = resolveHashOn(create(HashOnSchema, { key: { case: "clientIp", value: true } }))!;
  assert.equal(hashKeyOf(header, fields({ "x-user": "u1" }), "10.0.0.1"), hash32("u1"));
  assert.equal(hashKeyOf(header, fields({}), "10.0.0.1"), -1);
  assert.equal(hashKeyOf(cookie, fields({ cookie: "sid=s-9; a=b" }), undefined), hash32("s-9"));
  assert.equal(hashKeyOf(cookie, fields({ cookie: "sid=" }), undefined), -1);
  assert.equal(hashKeyOf(ip, fields({}), "10.0.0.1"), hash32("10.0.0.1"));
  assert.equal(hashKeyOf(ip, fields({}), undefined), -1);
  assert.equal(resolveHashOn(undefined), null);
  assert.throws(() => resolveHashOn(create(HashOnSchema, { key: { case: "cookie", value: "a b" } })), /hash_on.cookie/);
});

test("hash32 is stable and spreads near keys", () => {
  assert.equal(hash32("user-1"), hash32("user-1"));
  assert.notEqual(hash32("user-1"), hash32("user-2"));
  assert.ok(hash32("a") >= 0 && hash32("a") <= 0xffffffff);
});
