import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizePath, splitRequestTarget } from "./path.js";

test("plain paths pass unchanged", () => {
  for (const p of ["/", "/echo", "/echo/", "/a/b.c/d-e_f~g", "/a/%2F/b"]) assert.equal(normalizePath(p), p);
});

test("percent-encoded unreserved characters are decoded, other escapes upper-cased", () => {
  assert.equal(normalizePath("/ech%6F/x"), "/echo/x");
  assert.equal(normalizePath("/%7euser"), "/~user");
  assert.equal(normalizePath("/a%2fb"), "/a%2Fb");
  assert.equal(normalizePath("/sp%20ace"), "/sp%20ace");
});

test("dot segments, empty segments and malformed escapes are refused", () => {
  for (const p of [
    "/a/../b",
    "/a/./b",
    "/..",
    "/a/..",
    "/a/%2e%2e/b",
    "/a/.%2E/b",
    "//a",
    "/a//b",
    "/a\\b",
    "/a%zz",
    "/a%4",
    "/a#frag",
    "relative",
    "",
    "*",
  ]) {
    assert.equal(normalizePath(p), undefined, p);
  }
});

test("dots inside a segment are fine", () => {
  assert.equal(normalizePath("/a/..b/c."), "/a/..b/c.");
  assert.equal(normalizePath("/.well-known/x"), "/.well-known/x");
});

test("splitRequestTarget keeps the query raw and refuses absolute-form", () => {
  assert.deepEqual(splitRequestTarget("/a%7e?x=%7e&y"), { path: "/a~", query: "?x=%7e&y" });
  assert.deepEqual(splitRequestTarget("/a"), { path: "/a", query: "" });
  assert.equal(splitRequestTarget("http://evil/a"), undefined);
  assert.equal(splitRequestTarget("/a/../b?x"), undefined);
});
