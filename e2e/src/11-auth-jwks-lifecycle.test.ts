/**
 * JWKS lifecycle against real processes and real IdPs (C15 and the acceptance list): key
 * rotation mid-test, a flood of unknown kids, the IdP down at node start (fail closed, 401 or
 * 503 by choice), the IdP going down later (last good keys keep working).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("JWKS: rotation, floods of unknown kids, IdP outages", () => {
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let rot: TestIdp;
  let flood: TestIdp;
  let later: TestIdp;
  let dead: TestIdp;
  let deadPort = 0;

  before(async () => {
    upstream = await new RecordingUpstream().start();
    rot = await TestIdp.create();
    await rot.addKey("idp-2");
    rot.maxAgeS = 1;
    await rot.serve();
    flood = await TestIdp.create();
    await flood.serve();
    later = await TestIdp.create();
    await later.addKey("idp-2");
    later.maxAgeS = 1;
    await later.serve();
    dead = await TestIdp.create();
    deadPort = await freePort();
    const deadUrl = `http://127.0.0.1:${deadPort}/jwks`;

    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    const jwt = async (name: string, config: Record<string, unknown>) => {
      await cp.ok("POST", "/v1/policies", {
        name,
        type: "jwt",
        config: { algorithms: ["RS256"], claims_to_headers: { sub: "X-User" }, ...config },
      });
      await cp.ok("POST", "/v1/routes", { name, paths: [`/${name}`], upstream: "a", policies: [name] });
    };
    await jwt("rot", { jwks_url: rot.url, jwks_min_ttl_s: 1 });
    await jwt("flood", { jwks_url: flood.url });
    await jwt("later", { jwks_url: later.url, jwks_min_ttl_s: 1 });
    await jwt("dead", { jwks_url: deadUrl });
    await jwt("dead503", { jwks_url: deadUrl, keys_unavailable_status: 503 });
    await cp.ok("POST", "/v1/config/versions", {});
    // The node starts while the "dead" IdP is not listening.
    dp = await new DataPlaneProcess("node-jwks", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], 1);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream?.stop();
    for (const idp of [rot, flood, later, dead]) await idp?.stop();
  });

  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  test("IdP down at node start: fail closed (401, or 503 + Retry-After by choice); keys arrive once it is up", async () => {
    const t = await dead.sign();
    const before = upstream.seen.length;
    const r401 = await dp.get("/dead/x", auth(t));
    assert.equal(r401.status, 401, r401.text);
    assert.equal(r401.json().error.code, "AUTH_TOKEN_INVALID");
    const r503 = await dp.get("/dead503/x", auth(t));
    assert.equal(r503.status, 503, r503.text);
    assert.equal(r503.json().error.code, "AUTH_UNAVAILABLE");
    assert.equal(r503.headers["retry-after"], "5");
    assert.equal(upstream.seen.length, before, "nothing reached the upstream");
    const ev = await eventually("auth_unavailable event", async () =>
      (await dp.securityEvents()).recent.find((e) => e.reason === "keys_unavailable"),
    );
    assert.equal(ev.type, "auth_unavailable");
    assert.match(dp.proc.output(), /jwks unavailable: failing closed/);

    await dead.serve(deadPort);
    await eventually("keys fetched after the IdP came up", async () =>
      (await dp.get("/dead/x", auth(t))).status === 200 ? true : undefined,
    );
    assert.equal((await dp.get("/dead503/x", auth(t))).status, 200);
  });

  test("key rotation: a new kid is accepted after exactly one refetch; a removed key is refused once refreshed", async () => {
    const old = await rot.sign({ key: "idp-1" });
    assert.equal((await dp.get("/rot/x", auth(old))).status, 200);
    assert.equal(rot.fetches, 1, "first use fetched the set once");

    rot.publish(["idp-1", "idp-2"]);
    const fresh = await rot.sign({ key: "idp-2" });
    const r = await dp.get("/rot/x", auth(fresh));
    assert.equal(r.status, 200, r.text);
    assert.equal(rot.fetches, 2, "the unknown kid caused one refetch, well before any TTL");
    assert.equal(upstream.seen.at(-1)!.headers["x-user"], "user-1");

    rot.publish(["idp-2"]);
    await eventually("the removed key is refused", async () =>
      (await dp.get("/rot/x", auth(old))).status === 401 ? true : undefined,
    );
    assert.equal((await dp.get("/rot/x", auth(await rot.sign({ key: "idp-1" })))).status, 401, "new idp-1 tokens too");
    assert.equal((await dp.get("/rot/x", auth(fresh))).status, 200, "idp-2 keeps working");
  });

  test("C15: 1000 requests with random unknown kids → all 401, the IdP is asked at most once more", async () => {
    assert.equal((await dp.get("/flood/x", auth(await flood.sign()))).status, 200);
    const fetchesBefore = flood.fetches;
    const seenBefore = upstream.seen.length;
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 20; batch++) {
      const tokens = await Promise.all(Array.from({ length: 50 }, () => flood.sign({ kid: randomUUID() })));
      const answers = await Promise.all(tokens.map((t) => dp.get("/flood/x", auth(t))));
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    }
    assert.deepEqual([...statuses], [[401, 1000]]);
    assert.ok(flood.fetches - fetchesBefore <= 1, `JWKS fetched ${flood.fetches - fetchesBefore} times for the flood`);
    assert.equal(upstream.seen.length, seenBefore);
  });

  test("IdP down later: the last good keys keep working (503 answers, then connection refused)", async () => {
    assert.equal((await dp.get("/later/x", auth(await later.sign()))).status, 200);
    const fetched = later.fetches;
    later.down = true;
    // Fresh tokens (no cache hit) keep passing while the node's refreshes fail.
    await eventually("a refresh was attempted against the failing IdP", async () => {
      const r = await dp.get("/later/x", auth(await later.sign()));
      assert.equal(r.status, 200, r.text);
      return later.fetches > fetched ? true : undefined;
    });
    await later.stop();
    for (let i = 0; i < 5; i++) {
      const r = await dp.get("/later/x", auth(await later.sign({ sub: `user-${i}` })));
      assert.equal(r.status, 200, r.text);
      assert.equal(upstream.seen.at(-1)!.headers["x-user"], `user-${i}`);
    }
    // A key the node never saw cannot be fetched now: refused.
    assert.equal((await dp.get("/later/x", auth(await later.sign({ key: "idp-2" })))).status, 401);
    assert.match(dp.proc.output(), /jwks refresh failed: keeping the last good keys/);
  });
});
