import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizePath, splitRequestTarget } from "./path.js";

test("plain paths pass unchanged", () => {
  for (const p of ["/", "/echo", "/echo/", "/a/b.c/d-e_f~g", "/caf%C3%A9", "/a/%E2%82%AC/b"])
    assert.equal(normalizePath(p), p);
});

test("percent-encoded unreserved characters are decoded, other escapes upper-cased", () => {
  assert.equal(normalizePath("/ech%6F/x"), "/echo/x");
  assert.equal(normalizePath("/%7euser"), "/~user");
  assert.equal(normalizePath("/caf%c3%a9"), "/caf%C3%A9");
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

test("escapes an upstream could decode into a delimiter are refused (cases C01, C03, C07)", () => {
  for (const p of [
    "/admin%2Fusers",
    "/admin%2fusers",
    "/admin%5Cusers",
    "/admin%00/users",
    "/admin%3B/users",
    "/admin;/users",
    "/admin%3F/users",
    "/admin%23/users",
    "/public/..;/admin/users",
    "/public/..%2Fadmin/users",
    "/public/..%5cadmin",
    "/public/%252e%252e/admin",
    "/a%0d%0ab",
    "/a%09b",
    "/a%7Fb",
    "/svc/..%2Fpriv/secret",
    "/x;jsessionid=1",
  ])
    assert.equal(normalizePath(p), undefined, p);
});

test("escaped bytes must be valid UTF-8: overlong and truncated forms are refused", () => {
  for (const p of ["/%c0%ae%c0%ae/admin", "/%C0%AF", "/%E0%80%AF", "/%ff", "/caf%C3", "/%C3x%A9", "/%ED%A0%80"])
    assert.equal(normalizePath(p), undefined, p);
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
