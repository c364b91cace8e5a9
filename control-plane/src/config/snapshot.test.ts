import assert from "node:assert/strict";
import { test } from "node:test";
import type { StoredResource } from "../store/store.js";
import { buildSnapshot, canonicalJson } from "./snapshot.js";

const res = (id: string, body: Record<string, unknown>, t = "2026-01-01"): StoredResource => ({
  id,
  name: id,
  body,
  created_at: t,
  updated_at: t,
});

test("the hash depends on content only, not on order or timestamps", () => {
  const up = res("u1", { targets: [{ host: "a", port: 1 }] });
  const r1 = res("r1", { paths: ["/a"], upstream: "u1" });
  const r2 = res("r2", { upstream: "u1", paths: ["/b"] });
  const a = buildSnapshot({ upstreams: [up], routes: [r1, r2], policies: [] });
  const b = buildSnapshot({ upstreams: [up], routes: [{ ...r2, updated_at: "2027" }, r1], policies: [] });
  assert.equal(a.hash, b.hash);
  const c = buildSnapshot({ upstreams: [up], routes: [r1], policies: [] });
  assert.notEqual(a.hash, c.hash);
});

test("a dangling reference is refused", () => {
  assert.throws(
    () => buildSnapshot({ upstreams: [], routes: [res("r1", { paths: ["/a"], upstream: "gone" })], policies: [] }),
    { code: "REFERENCE_NOT_FOUND" },
  );
});

test("canonical JSON sorts keys at every depth", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: 1, c: [{ f: 1, e: 2 }] } }), '{"a":{"c":[{"e":2,"f":1}],"d":1},"b":1}');
});
