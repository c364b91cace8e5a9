import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { DirectResponseActionSchema, RedirectActionSchema } from "@palisade/proto";
import { route } from "../test/fixtures.js";
import { CompileError } from "./compile-error.js";
import { compileRouteAction, type RedirectRequest, type RedirectSpec, redirectLocation } from "./route-action.js";

/** Issue 22, point 2: a route's redirect and direct_response actions. */

const bad = (msg: string) => new CompileError("RESOURCE_INVALID", msg, "route/r");

function redirect(init: Parameters<typeof create<typeof RedirectActionSchema>>[1]) {
  return compileRouteAction(
    route("r", "", ["/old"], { action: { case: "redirect", value: create(RedirectActionSchema, init) } }),
    bad,
  ) as RedirectSpec;
}

const req: RedirectRequest = {
  tls: false,
  host: "shop.example.com",
  authority: "shop.example.com:8080",
  path: "/old/cart",
  query: "?id=7",
  matched: { kind: "prefix", value: "/old" },
  params: null,
};

test("a redirect replaces the parts it names and keeps the rest of the request's URL", () => {
  assert.equal(redirectLocation(redirect({}), req), "http://shop.example.com:8080/old/cart?id=7");
  assert.equal(redirect({}).status, 301, "301 by default");
  // HTTPS upgrade: the scheme changes, so the port goes to the scheme's default.
  assert.equal(
    redirectLocation(redirect({ scheme: "https", status: 308 }), req),
    "https://shop.example.com/old/cart?id=7",
  );
  assert.equal(
    redirectLocation(redirect({ scheme: "https", port: 8443 }), req),
    "https://shop.example.com:8443/old/cart?id=7",
  );
  assert.equal(
    redirectLocation(redirect({ host: "new.example.com", stripQuery: true }), req),
    "http://new.example.com/old/cart",
  );
  assert.equal(redirectLocation(redirect({ prefixRewrite: "/v2" }), req), "http://shop.example.com:8080/v2/cart?id=7");
  assert.equal(
    redirectLocation(redirect({ path: "/users/{id}/profile" }), { ...req, params: { id: "a b" } }),
    "http://shop.example.com:8080/users/a%20b/profile?id=7",
    "a captured value, encoded",
  );
  assert.equal(
    redirectLocation(redirect({ path: "/users/{id}" }), { ...req, query: "", params: { id: "a%20b%E2%80%A8" } }),
    "http://shop.example.com:8080/users/a%20b%E2%80%A8",
    "a value captured as sent keeps its escapes (never encoded twice)",
  );
  assert.equal(
    redirectLocation(redirect({ path: "/users/{id}" }), { ...req, query: "", params: { id: "50%/x?#" } }),
    "http://shop.example.com:8080/users/50%25%2Fx%3F%23",
  );
  assert.equal(
    redirectLocation(redirect({}), { ...req, host: "", authority: "" }),
    "/old/cart?id=7",
    "no host: relative",
  );
});

test("bad actions are refused naming the field", () => {
  const refused = (fn: () => unknown, m: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof CompileError && m.test(e.message));
  refused(() => redirect({ status: 200 }), /^redirect\.status/);
  refused(() => redirect({ scheme: "ftp" }), /^redirect\.scheme/);
  refused(() => redirect({ host: "bad host" }), /^redirect\.host/);
  refused(() => redirect({ path: "/a", prefixRewrite: "/b" }), /exclude each other/);
  refused(() => redirect({ path: "no-slash" }), /^redirect\.path/);
  refused(
    () =>
      compileRouteAction(
        route("r", "u", ["/a"], { action: { case: "redirect", value: create(RedirectActionSchema) } }),
        bad,
      ),
    /no upstream_id/,
  );
  const direct = (init: Parameters<typeof create<typeof DirectResponseActionSchema>>[1]) =>
    compileRouteAction(
      route("r", "", ["/a"], { action: { case: "directResponse", value: create(DirectResponseActionSchema, init) } }),
      bad,
    );
  refused(() => direct({ status: 99 }), /^direct_response\.status/);
  refused(() => direct({ status: 503, body: new Uint8Array(65_537) }), /^direct_response\.body/);
  refused(() => direct({ status: 503, headers: { "Content-Length": "3" } }), /cannot be set/);
  refused(() => direct({ status: 503, headers: { "x-a": "1\r\nx-b: 2" } }), /control character/);
  const ok = direct({ status: 503, headers: { "Retry-After": "60" }, body: new TextEncoder().encode("down") });
  assert.deepEqual(ok, {
    kind: "direct_response",
    status: 503,
    headers: { "retry-after": "60", "content-type": "text/plain; charset=utf-8" },
    body: Buffer.from("down"),
  });
});
