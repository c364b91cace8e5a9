import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRequestTarget } from "./target.js";

test("origin-form keeps the raw query; absolute-form gives its authority", () => {
  assert.deepEqual(parseRequestTarget("/a%7e?x=%7e&y"), {
    rawPath: "/a%7e",
    query: "?x=%7e&y",
    authority: null,
    scheme: null,
  });
  assert.deepEqual(parseRequestTarget("HTTP://Api.Example.test:8080/a?b"), {
    rawPath: "/a",
    query: "?b",
    authority: "Api.Example.test:8080",
    scheme: "http",
  });
  assert.deepEqual(parseRequestTarget("http://h"), { rawPath: "/", query: "", authority: "h", scheme: "http" });
  assert.deepEqual(parseRequestTarget("http://h?q"), { rawPath: "/", query: "?q", authority: "h", scheme: "http" });
});

test("asterisk-form, other schemes, userinfo and fragments are refused", () => {
  assert.equal(parseRequestTarget("*"), "target_form");
  assert.equal(parseRequestTarget("ftp://h/x"), "target_form");
  assert.equal(parseRequestTarget("relative/x"), "target_form");
  assert.equal(parseRequestTarget("http://user@h/x"), "target_userinfo");
  assert.equal(parseRequestTarget("/a?b#c"), "target_fragment");
});
