/**
 * Tier 2 (rollouts): traffic split and shadow traffic end to end with real processes — a control
 * plane, one node and recording upstreams. The canary policy's weight holds over 10,000
 * requests within a binomial tolerance, header and cookie overrides always win, and a sticky
 * split keeps each client on one upstream. The mirror policy sends a copy of each request (body
 * under the cap, credentials stripped as for the primary, `Host` marked `-shadow`) to a shadow
 * that answers 500 on every 5th request; the client only ever sees the primary's answer, and
 * `GET /v1/nodes/{id}` reports exactly how often the shadow disagreed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Pool } from "undici";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("canary split and shadow traffic", () => {
  let stable: RecordingUpstream;
  let canary: RecordingUpstream;
  let shadow: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let pool: Pool;
  let key: string;
  let mirrorRoute: string;

  /** `n` GETs of `path` with `headers(i)`, 32 at a time; returns the upstream that answered each. */
  async function drive(n: number, path: string, headers: (i: number) => Record<string, string> = () => ({})) {
    const out: string[] = new Array(n);
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const r = await pool.request({ path, method: "GET", headers: headers(i) });
        await r.body.text();
        assert.equal(r.statusCode, 200);
        out[i] = String(r.headers["x-upstream"]);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    return out;
  }

  before(async () => {
    stable = await new RecordingUpstream("stable").start();
    canary = await new RecordingUpstream("canary").start();
    shadow = await new RecordingUpstream("shadow", { failEvery: 5 }).start();
    cp = await new ControlPlaneProcess().start();
    for (const [name, port] of [
      ["stable", stable.port],
      ["canary", canary.port],
      ["shadow", shadow.port],
    ] as const)
      await cp.ok("POST", "/v1/upstreams", { name, targets: [{ host: "127.0.0.1", port }] });
    await cp.ok("POST", "/v1/policies", {
      name: "split",
      type: "canary",
      config: {
        splits: [{ upstream: "canary", weight: 10 }],
        overrides: [
          { header: "X-Canary", value: "always", upstream: "canary" },
          { header: "X-Group", regex: "^(staff|qa)$", upstream: "canary" },
          { cookie: "beta", value: "1", upstream: "canary" },
        ],
      },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "sticky-split",
      type: "canary",
      config: { splits: [{ upstream: "canary", weight: 50 }], sticky: { header: "X-User" } },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "shadow",
      type: "mirror",
      config: { upstream: "shadow", fraction: 1, max_body_bytes: 1024, timeout_ms: 5000 },
    });
    await cp.ok("POST", "/v1/policies", { name: "keys", type: "api-key", config: {} });
    await cp.ok("POST", "/v1/consumers", { name: "alice" });
    key = (await cp.ok("POST", "/v1/consumers/alice/credentials", { type: "api-key" })).key as string;
    await cp.ok("POST", "/v1/routes", { name: "split", paths: ["/split"], upstream: "stable", policies: ["split"] });
    await cp.ok("POST", "/v1/routes", {
      name: "sticky",
      paths: ["/sticky"],
      upstream: "stable",
      policies: ["sticky-split"],
    });
    mirrorRoute = (
      await cp.ok("POST", "/v1/routes", {
        name: "mirrored",
        paths: ["/mirrored"],
        upstream: "stable",
        policies: ["keys", "shadow"],
      })
    ).id as string;
    await cp.ok("POST", "/v1/config/versions", {});
    dp = await new DataPlaneProcess("node-traffic", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], 1);
    pool = new Pool(`http://127.0.0.1:${dp.proxyPort}`, { connections: 32 });
  });

  after(async () => {
    await pool?.close();
    await dp?.stop();
    await cp?.destroy();
    await stable?.stop();
    await canary?.stop();
    await shadow?.stop();
  });

  test("a 10 % weight lands within ±4.5σ over 10,000 requests", async () => {
    const got = await drive(10_000, "/split/x");
    const onCanary = got.filter((u) => u === "canary").length;
    assert.equal(onCanary + got.filter((u) => u === "stable").length, 10_000);
    // Binomial n = 10,000, p = 0.1: σ = 30; ±4.5σ = ±135 (a false failure about once in 150,000 runs).
    assert.ok(Math.abs(onCanary - 1000) <= 135, `${onCanary} of 10,000 on the canary`);
  });

  test("header and cookie overrides always win over the weights", async () => {
    const byHeader = await drive(300, "/split/x", () => ({ "x-canary": "always" }));
    assert.deepEqual(new Set(byHeader), new Set(["canary"]));
    const byRegex = await drive(300, "/split/x", (i) => ({ "x-group": i % 2 ? "staff" : "qa" }));
    assert.deepEqual(new Set(byRegex), new Set(["canary"]));
    const byCookie = await drive(300, "/split/x", () => ({ cookie: "theme=dark; beta=1" }));
    assert.deepEqual(new Set(byCookie), new Set(["canary"]));
    // A value that does not match is split by weight like any request.
    const other = await drive(300, "/split/x", () => ({ "x-group": "staffer", "x-canary": "never" }));
    assert.ok(other.includes("stable"));
  });

  test("a sticky split keeps each client on one upstream", async () => {
    const users = 100;
    const got = await drive(users * 5, "/sticky/x", (i) => ({ "x-user": `user-${i % users}` }));
    const seen = new Map<string, Set<string>>();
    got.forEach((u, i) => {
      const id = `user-${i % users}`;
      const s = seen.get(id) ?? new Set<string>();
      s.add(u);
      seen.set(id, s);
    });
    for (const [id, s] of seen) assert.equal(s.size, 1, `${id} went to ${[...s].join(" and ")}`);
    const onCanary = [...seen.values()].filter((s) => s.has("canary")).length;
    // 50 % of 100 clients: σ = 5; both upstreams get clients.
    assert.ok(onCanary > 20 && onCanary < 80, `${onCanary} of ${users} clients on the canary`);
  });

  test("the shadow gets a copy (body, stripped key, -shadow host); the client never sees its answer; counts are exact", async () => {
    const n = 50;
    for (let i = 0; i < n; i++) {
      const r = await dp.request(`/mirrored/orders?i=${i}`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "text/plain" },
        body: `payload-${i}`,
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers["x-upstream"], "stable");
      assert.equal(r.json().upstream, "stable");
    }
    // Over the 1 KiB cap: served, not mirrored (counted as dropped).
    const big = await dp.request("/mirrored/big", {
      method: "POST",
      headers: { "x-api-key": key },
      body: "x".repeat(4096),
    });
    assert.equal(big.status, 200);
    assert.equal(big.headers["x-upstream"], "stable");

    const node = await eventually("shadow comparisons reported", async () => {
      const r = await cp.ok("GET", `/v1/nodes/${dp.nodeId}`);
      const s = r.report?.shadow?.[mirrorRoute];
      return s?.compared === n && s?.dropped === 1 ? r : undefined;
    });
    const s = node.report.shadow[mirrorRoute];
    assert.equal(s.mirrored, n);
    assert.equal(s.disagreed, n / 5, "the shadow answered 500 on every 5th request, the primary 200");
    assert.equal(s.disagreement_rate, 0.2);
    assert.deepEqual(s.dropped_by_reason, { body_too_large: 1 });
    assert.equal(typeof s.latency_diff_ms.p99, "number");

    assert.equal(shadow.seen.length, n);
    const bodies = shadow.seen.map((x) => x.body).sort();
    assert.deepEqual(bodies, Array.from({ length: n }, (_, i) => `payload-${i}`).sort());
    for (const x of shadow.seen) {
      assert.match(x.url, /^\/mirrored\/orders\?i=\d+$/);
      assert.equal(x.headers["x-api-key"], undefined, "the key is stripped for the shadow as for the primary");
      assert.equal(x.headers["x-consumer-name"], "alice");
      assert.equal(x.headers.host, `127.0.0.1-shadow:${shadow.port}`);
      assert.ok(x.headers["x-request-id"]);
    }
    const primary = stable.seenPath("/mirrored/orders");
    assert.equal(primary.length, n);
    assert.equal(primary[0]!.headers["x-api-key"], undefined);

    const metrics = (await http(dp.statusPort, "/metrics")).text;
    assert.match(
      metrics,
      new RegExp(`palisade_shadow_compared_total\\{route="${mirrorRoute}",result="disagreed"\\} 10`),
    );
    assert.match(
      metrics,
      new RegExp(`palisade_shadow_dropped_total\\{route="${mirrorRoute}",reason="body_too_large"\\} 1`),
    );
  });
});
