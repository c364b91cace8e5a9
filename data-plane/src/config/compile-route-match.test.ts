import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { FieldMatchSchema, type PathMatch, PathMatchSchema } from "@palisade/proto";
import { BUNDLED_POLICY_TYPES } from "../policies/registry.js";
import { route, snapshot, upstream } from "../test/fixtures.js";
import { compile } from "./compile.js";
import { CompileError } from "./compile-error.js";

/** Issue 22: a node refuses a route matcher it cannot run, naming the route and the field (NACK). */

const all = { policyTypes: new Set(BUNDLED_POLICY_TYPES) };

function table(paths: PathMatch["kind"][], more: Parameters<typeof route>[3] = {}) {
  const r = route("r", "u", [], { ...more, paths: paths.map((kind) => create(PathMatchSchema, { kind })) });
  return compile(snapshot({ upstreams: [upstream("u", ["127.0.0.1:9001"])], routes: [r] }), all);
}

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CompileError, `expected a CompileError, got ${err}`);
    assert.equal(err.code, "RESOURCE_INVALID");
    assert.equal(err.resource, "route/r");
    assert.match(err.message, message);
    return true;
  });
}

test("template and regex paths and header conditions compile and route", () => {
  const t = table([{ case: "template", value: "/users/{id}" }], {
    headers: [create(FieldMatchSchema, { name: "X-Tenant", kind: { case: "exact", value: "acme" } })],
  });
  const req = {
    header: (n: string) => (n === "x-tenant" ? "acme" : undefined),
    query: () => undefined,
    cookie: () => undefined,
  };
  const m = t.router.match("GET", "h", "/users/7", req);
  assert.equal(m?.route.id, "r");
  assert.deepEqual(m?.params, { id: "7" });
  assert.equal(t.router.match("GET", "h", "/users/7"), undefined, "without the header");
});

test("a regex RE2 refuses (not linear-time or invalid) is refused with the field at fault", () => {
  refused(() => table([{ case: "regex", value: "/a/(?=b)" }]), /^paths\[0\]\.regex: not a linear-time/);
  refused(
    () =>
      table([{ case: "prefix", value: "/a" }], {
        headers: [
          create(FieldMatchSchema, { name: "x-ok", kind: { case: "present", value: true } }),
          create(FieldMatchSchema, { name: "x-v", kind: { case: "regex", value: "(a)\\1" } }),
        ],
      }),
    /^headers\[1\]\.regex: not a linear-time/,
  );
  refused(
    () =>
      table([{ case: "prefix", value: "/a" }], {
        cookies: [create(FieldMatchSchema, { name: "bad name", kind: { case: "exact", value: "1" } })],
      }),
    /^cookies\[0\]\.name/,
  );
  refused(() => table([{ case: "template", value: "/a/x{id}" }]), /^paths\[0\]\.template: .*whole segment/);
  refused(() => table([{ case: "template", value: "/a/{id}" }], { stripPrefix: true }), /apply to exact and prefix/);
});
