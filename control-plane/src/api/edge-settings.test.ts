// Admin API: the route path rules (trailing slash, encoded characters), body limits, what a
// policy does with an unsafe identity, and two Authorization lines: validated, stored, published.
import assert from "node:assert/strict";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { SnapshotSchema, UnsafeIdentity } from "@palisade/proto";
import { TEST_ADMIN_TOKEN, testAdminApi } from "../test/admin-app.js";

const upstream = { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] };
const jwks = { keys: [{ kty: "RSA", n: "x".repeat(342), e: "AQAB", kid: "k" }] };

test("route path rules and body limit: validated naming the entry, stored, published to the nodes", async () => {
  const { call, store } = await testAdminApi();
  assert.equal((await call("POST", "/v1/upstreams", upstream)).status, 201);
  const route = (extra: Record<string, unknown>) => ({ name: "r", paths: ["/r"], upstream: "up", ...extra });
  for (const [extra, field] of [
    [{ allow_encoded: ["%23"] }, "allow_encoded.0"],
    [{ allow_encoded: ["%5C", "%00"] }, "allow_encoded.1"],
    [{ allow_encoded: ["5C"] }, "allow_encoded.0"],
    [{ allow_encoded: ["%5c", "%5C"] }, "allow_encoded.1"],
    [{ refuse_encoded: ["%41"] }, "refuse_encoded.0"],
    [{ refuse_encoded: ["%2F"] }, "refuse_encoded.0"],
    [{ refuse_encoded: ["#"] }, "refuse_encoded.0"],
    [{ allow_encoded: ["%0a"], refuse_encoded: ["%23", "%0A"] }, "refuse_encoded.1"],
    [{ strict_trailing_slash: "yes" }, "strict_trailing_slash"],
    [{ max_body_bytes: -1 }, "max_body_bytes"],
    [{ max_body_bytes: 1.5 }, "max_body_bytes"],
  ] as const) {
    const r = await call("POST", "/v1/routes", route(extra));
    assert.equal(r.status, 400, `${JSON.stringify(extra)} → ${r.status}`);
    assert.deepEqual([r.body.error.code, r.body.error.field], ["VALIDATION_FAILED", field], JSON.stringify(extra));
  }
  const ok = await call(
    "POST",
    "/v1/routes",
    route({
      paths: [{ exact: "/admin/users" }],
      strict_trailing_slash: true,
      allow_encoded: ["%5c", "%09"],
      refuse_encoded: ["%23", "%3f", ";"],
      max_body_bytes: 1048576,
    }),
  );
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal((await call("POST", "/v1/routes", { name: "open", paths: ["/"], upstream: "up" })).status, 201);
  assert.equal((await call("PUT", "/v1/settings", { max_body_bytes: 2_000_000 })).status, 200);
  assert.deepEqual((await call("GET", "/v1/settings")).body, {
    global_policies: [],
    merge_slashes: false,
    max_body_bytes: 2_000_000,
  });
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  const snap = fromBinary(SnapshotSchema, (await store.latestVersion())!.snapshot);
  const r = snap.routes.find((x) => x.name === "r")!;
  assert.deepEqual(
    [r.strictTrailingSlash, r.allowEncoded, r.refuseEncoded, r.maxBodyBytes],
    [true, ["%5C", "%09"], ["%23", "%3F", ";"], 1048576n],
  );
  const open = snap.routes.find((x) => x.name === "open")!;
  assert.deepEqual([open.strictTrailingSlash, open.maxBodyBytes], [false, undefined], "unset: the default applies");
  assert.equal(snap.settings[0]?.requestSettings?.maxBodyBytes, 2_000_000n);
  // No limit in the settings: the field stays unset (each node's --max-body-bytes), and
  // settings at their defaults add no resource, so existing configs keep their hash.
  assert.equal((await call("PUT", "/v1/settings", {})).status, 200);
  assert.deepEqual((await call("GET", "/v1/settings")).body, { global_policies: [], merge_slashes: false });
  assert.equal((await call("PUT", "/v1/settings", { max_body_bytes: 0 })).status, 200);
  assert.equal((await call("GET", "/v1/settings")).body.max_body_bytes, 0, "0 = no limit, kept apart from unset");
  const bad = await call("PUT", "/v1/settings", { max_body_bytes: "8m" });
  assert.deepEqual([bad.status, bad.body.error.field], [400, "max_body_bytes"]);
});

test("unsafe_identity on jwt, introspection and mtls policies: refuse (default) or drop_header", async () => {
  const { call, store } = await testAdminApi();
  const jwt = { jwks, algorithms: ["RS256"], claims_to_headers: { sub: "X-User" } };
  const bad = await call("POST", "/v1/policies", {
    name: "j",
    type: "jwt",
    config: { ...jwt, unsafe_identity: "strip" },
  });
  assert.deepEqual([bad.status, bad.body.error.field], [400, "config.unsafe_identity"]);
  for (const [name, unsafe] of [
    ["j-default", undefined],
    ["j-refuse", "refuse"],
    ["j-drop", "drop_header"],
  ] as const) {
    const r = await call("POST", "/v1/policies", {
      name,
      type: "jwt",
      config: { ...jwt, ...(unsafe ? { unsafe_identity: unsafe } : {}) },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const intro = await call("POST", "/v1/policies", {
    name: "i",
    type: "introspection",
    config: {
      endpoint: "https://as.example/introspect",
      client_id: "gw",
      client_secret: "s",
      unsafe_identity: "drop_header",
    },
  });
  assert.equal(intro.status, 201, JSON.stringify(intro.body));
  await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "r", paths: ["/"], upstream: "up" });
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  const snap = fromBinary(SnapshotSchema, (await store.latestVersion())!.snapshot);
  const mode = (name: string) => {
    const c = snap.policies.find((p) => p.name === name)!.config;
    return c.case === "jwt" || c.case === "introspection" ? c.value.unsafeIdentity : undefined;
  };
  assert.deepEqual(
    [mode("j-default"), mode("j-refuse"), mode("j-drop"), mode("i")],
    [UnsafeIdentity.UNSPECIFIED, UnsafeIdentity.REFUSE, UnsafeIdentity.DROP_HEADER, UnsafeIdentity.DROP_HEADER],
  );
});

/** One request on a real socket with the given raw header lines. */
function rawCall(port: number, lines: string[]): Promise<{ status: number; body: string; challenge: string }> {
  return new Promise((resolve, reject) => {
    // Raw header lines (an array keeps duplicates; node then adds no Host of its own).
    const headers: [string, string][] = [
      ["Host", `127.0.0.1:${port}`],
      ...lines.map((l) => l.split(": ") as [string, string]),
    ];
    const req = request(
      { host: "127.0.0.1", port, path: "/v1/routes", method: "GET", headers: headers.flat(), agent: false },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, body, challenge: String(res.headers["www-authenticate"] ?? "") }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

test("two Authorization lines are refused (400 ADMIN_AUTH_AMBIGUOUS), whichever of them is the token", async () => {
  const { api } = await testAdminApi();
  await api.listen({ host: "127.0.0.1", port: 0 });
  try {
    const port = (api.server.address() as AddressInfo).port;
    const good = `Bearer ${TEST_ADMIN_TOKEN}`;
    assert.equal((await rawCall(port, [`Authorization: ${good}`])).status, 200);
    for (const lines of [
      [`Authorization: ${good}`, "Authorization: Bearer wrong"],
      ["Authorization: Bearer wrong", `Authorization: ${good}`],
      [`Authorization: ${good}`, `authorization: ${good}`],
    ]) {
      const r = await rawCall(port, lines);
      assert.equal(r.status, 400, lines.join(" | "));
      assert.equal(JSON.parse(r.body).error.code, "ADMIN_AUTH_AMBIGUOUS");
      assert.match(r.challenge, /error="invalid_request"/);
      assert.doesNotMatch(r.body, /test-admin-token/, "the token is never echoed");
    }
  } finally {
    await api.close();
  }
});
