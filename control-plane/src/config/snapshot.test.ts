import assert from "node:assert/strict";
import { test } from "node:test";
import type { StoredResource } from "../store/store.js";
import { canonicalJson } from "./canonical-json.js";
import { buildSnapshot } from "./snapshot.js";

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

test("consumers enter the hash only when present; credentials become proto credentials", () => {
  const up = res("u1", { targets: [{ host: "a", port: 1 }] });
  const r1 = res("r1", { paths: ["/a"], upstream: "u1" });
  const plain = buildSnapshot({ upstreams: [up], routes: [r1], policies: [] });
  assert.equal(
    buildSnapshot({ upstreams: [up], routes: [r1], policies: [], consumers: [], credentials: [] }).hash,
    plain.hash,
  );
  const alice = res("c1", { disabled: false, labels: {} });
  const creds = [
    {
      id: "k1",
      consumer_id: "c1",
      type: "api-key",
      body: { sha256: "ab".repeat(32), key_prefix: "pk_abcdefg" },
      created_at: "t",
    },
    {
      id: "j1",
      consumer_id: "c1",
      type: "jwt",
      body: { issuer: "i", claim: "client_id", value: "svc" },
      created_at: "t",
    },
    { id: "x1", consumer_id: "c1", type: "client-cert", body: { san_dns: "svc.example" }, created_at: "t" },
  ];
  const withConsumers = buildSnapshot({
    upstreams: [up],
    routes: [r1],
    policies: [],
    consumers: [alice],
    credentials: creds,
  });
  assert.notEqual(withConsumers.hash, plain.hash);
  const c = withConsumers.snapshot.consumers[0]!;
  assert.deepEqual(
    c.credentials.map((k) => [k.id, k.kind.case]),
    [
      ["j1", "jwt"],
      ["k1", "apiKey"],
      ["x1", "clientCert"],
    ],
  );
  const key = c.credentials[1]!.kind;
  assert.equal(key.case === "apiKey" && Buffer.from(key.value.sha256).toString("hex"), "ab".repeat(32));
  const cert = c.credentials[2]!.kind;
  assert.deepEqual(cert.case === "clientCert" && cert.value.match, { case: "sanDns", value: "svc.example" });
});

test("an auth-any naming a missing or non-authentication policy is refused at publish", () => {
  const up = res("u1", { targets: [{ host: "a", port: 1 }] });
  const r1 = res("r1", { paths: ["/a"], upstream: "u1" });
  const any = res("p-any", { type: "auth-any", config: { policies: ["gone"] } });
  assert.throws(() => buildSnapshot({ upstreams: [up], routes: [r1], policies: [any] }), {
    code: "REFERENCE_NOT_FOUND",
  });
  const nested = res("p-any2", { type: "auth-any", config: { policies: ["p-any3"] } });
  const inner = res("p-any3", { type: "auth-any", config: { policies: [] } });
  assert.throws(() => buildSnapshot({ upstreams: [up], routes: [r1], policies: [nested, inner] }), {
    code: "VALIDATION_FAILED",
  });
});

test("upstream and route settings map to the snapshot; absent ones stay unset for the node's defaults", () => {
  const up = res("u1", {
    targets: [{ host: "a", port: 1 }],
    scheme: "https",
    load_balancing: "ring_hash",
    hash_on: { header: "X-User" },
    timeouts: { connect_ms: 100, total_ms: 9000 },
    health_check: { active: { path: "/healthz", interval_ms: 2000 }, passive: { enabled: false } },
    retries: { max_retries: 0, retry_on_statuses: [503] },
    circuit_breaker: { max_requests: 10 },
    tls: { verify: false, server_name: "svc.internal" },
  });
  const plain = res("u2", { targets: [{ host: "b", port: 2 }] });
  const r1 = res("r1", {
    paths: ["/a"],
    upstream: "u1",
    prefix_rewrite: "/v2",
    preserve_host: true,
    timeouts: { header_ms: 50 },
  });
  const { snapshot } = buildSnapshot({ upstreams: [up, plain], routes: [r1], policies: [] });
  const u = snapshot.upstreams[0]!;
  assert.equal(u.loadBalancing, 3);
  assert.deepEqual(u.hashOn?.key, { case: "header", value: "x-user" });
  assert.equal(u.timeouts?.connectMs, 100);
  assert.equal(u.timeouts?.totalMs, 9000);
  assert.equal(u.healthCheck?.active?.path, "/healthz");
  assert.equal(u.healthCheck?.active?.intervalMs, 2000);
  assert.equal(u.healthCheck?.passive?.disabled, true);
  assert.equal(u.retries?.maxRetries, 0, "0 retries is kept (it turns retries off)");
  assert.deepEqual(u.retries?.retryOnStatuses, [503]);
  assert.equal(u.circuitBreaker?.maxRequests, 10);
  assert.deepEqual([u.tls?.skipVerify, u.tls?.serverName], [true, "svc.internal"]);
  const p = snapshot.upstreams[1]!;
  assert.equal(p.healthCheck, undefined);
  assert.equal(p.retries, undefined);
  assert.equal(p.tls, undefined);
  const r = snapshot.routes[0]!;
  assert.deepEqual([r.prefixRewrite, r.preserveHost, r.timeouts?.headerMs], ["/v2", true, 50]);
});
