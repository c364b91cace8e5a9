/**
 * Issue 3, workers: `--workers 2` runs two proxy processes behind one config stream. The node
 * ACKs a version once both serve it, NACKs (and both keep the old one) when they refuse it, and
 * a worker that dies is replaced with the current config while the other keeps serving; SIGHUP
 * replaces every worker in turn under load with no failed request (issue 21's rolling restart).
 * Node-local rate limits (issue 5) are counted once for all workers, and the workers' security
 * events are served by the primary's status port.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { Client } from "undici";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("workers: one config stream, every worker on the same version, dead workers replaced", () => {
  const upstream = new RecordingUpstream("up");
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let version = 0;

  before(async () => {
    await upstream.start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "up", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/routes", { name: "a", paths: ["/a"], upstream: "up" });
    version = (await cp.ok("POST", "/v1/config/versions", { message: "v1" })).version;
    dp = await new DataPlaneProcess("node-workers", cp.syncPort, { extraArgs: ["--workers", "2"] }).start();
    await cp.waitForNodes([dp.nodeId], version);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream.stop();
  });

  test("the ACK comes once both workers serve the version", async () => {
    const c = await dp.config();
    assert.equal(c.workers.length, 2);
    assert.deepEqual(
      c.workers.map((w: { version: number }) => w.version),
      [version, version],
    );
    await cp.ok("POST", "/v1/routes", { name: "b", paths: ["/b"], upstream: "up" });
    version = (await cp.ok("POST", "/v1/config/versions", { message: "v2" })).version;
    await cp.waitForNodes([dp.nodeId], version);
    const after = await dp.config();
    assert.deepEqual(
      after.workers.map((w: { version: number }) => w.version),
      [version, version],
      "ACKed only when every worker had swapped",
    );
    for (let i = 0; i < 6; i++) assert.equal((await dp.get(`/b/${i}`)).status, 200);
    assert.equal((await http(dp.statusPort, "/readyz")).json().version, version);
  });

  test("a version the workers refuse is NACKed and both keep the old one", async () => {
    // The control plane accepts an oct key with use "enc"; every worker's JWT compiler refuses it
    // (a verification key must be use "sig"). (A policy type the node lacks would not do: the
    // control plane holds such a version back instead of sending it, fleet sync's compatibility.)
    await cp.ok("POST", "/v1/policies", {
      name: "jwt",
      type: "jwt",
      config: {
        jwks: { keys: [{ kty: "oct", kid: "p1", k: Buffer.alloc(32, 9).toString("base64url"), use: "enc" }] },
        algorithms: ["HS256"],
      },
    });
    await cp.ok("POST", "/v1/routes", { name: "c", paths: ["/c"], upstream: "up", policies: ["jwt"] });
    const refused = (await cp.ok("POST", "/v1/config/versions", { message: "needs jwt" })).version;
    const node = await eventually("NACK recorded", async () => {
      const n = await cp.ok("GET", `/v1/nodes/${dp.nodeId}`);
      return n.last_nack?.version === refused ? n : undefined;
    });
    assert.equal(node.last_nack.code, "POLICY_INVALID");
    assert.equal(node.applied_version, version);
    const c = await dp.config();
    assert.deepEqual(
      c.workers.map((w: { version: number }) => w.version),
      [version, version],
    );
    assert.equal((await dp.get("/c/x")).status, 404, "the refused route is not served by any worker");
    // Put the draft back to something the node accepts.
    await cp.ok("DELETE", "/v1/routes/c");
    await cp.ok("DELETE", "/v1/policies/jwt");
  });

  test("node-local rate limits are exact across workers; their refusals reach the node's security events", async () => {
    // Issue 5's rate limit with issue 3's workers: the primary counts for every worker over IPC.
    await cp.ok("POST", "/v1/policies", {
      name: "five",
      type: "rate-limit",
      config: { limits: [{ requests: 5, per: "minute" }] },
    });
    await cp.ok("POST", "/v1/routes", { name: "rl", paths: ["/rl"], upstream: "up", policies: ["five"] });
    version = (await cp.ok("POST", "/v1/config/versions", { message: "rate limit" })).version;
    await cp.waitForNodes([dp.nodeId], version);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // A new connection per request: the primary hands connections to the workers in turn.
      const client = new Client(`http://127.0.0.1:${dp.proxyPort}`);
      const r = await client.request({ path: `/rl/${i}`, method: "GET" });
      await r.body.text();
      statuses.push(r.statusCode);
      await client.close();
    }
    assert.equal(statuses.filter((s) => s === 200).length, 5, `exactly 5 admitted across workers: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 7);
    const events = await eventually("the workers' refusals counted by the primary", async () => {
      const ev = (await http(dp.statusPort, "/security-events")).json();
      return ev.counts.rate_limited >= 7 ? ev : undefined;
    });
    assert.ok(events.recent.some((e: { reason: string }) => e.reason === "rate_limit_exceeded"));
  });

  test("a dead worker is replaced with the current config; the other keeps serving", async () => {
    const before = (await dp.config()).workers as Array<{ id: number; pid: number; version: number }>;
    const victim = before[0]!;
    // A connection the primary is handing to the worker at the moment it dies is never answered
    // nor closed (node's round-robin handoff waits for a reply the dead worker cannot send), so
    // a request on it would wait for undici's 300 s default: bound it so the loop reconnects.
    const connect = () =>
      new Client(`http://127.0.0.1:${dp.proxyPort}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
    const clients = Array.from({ length: 8 }, connect);
    let stop = false;
    let ok = 0;
    const failed: string[] = [];
    const statuses = new Set<number>();
    const loops = clients.map(async (first, i) => {
      let client = first;
      for (let n = 0; !stop; n++) {
        try {
          const r = await client.request({ path: `/a/c${i}-${n}`, method: "GET" });
          await r.body.text();
          statuses.add(r.statusCode);
          ok++;
        } catch (err) {
          // The connection was on the worker that died: that request is lost, the loop reconnects.
          failed.push((err as { code?: string }).code ?? "error");
          await client.destroy();
          client = connect();
        }
      }
      await client.close();
    });
    await eventually("load running", async () => (ok >= 20 ? true : undefined));
    process.kill(victim.pid, "SIGKILL");
    const replaced = await eventually("a replacement worker on the current version", async () => {
      const ws = (await dp.config()).workers as Array<{ id: number; pid: number; version: number }>;
      return ws.length === 2 && !ws.some((w) => w.pid === victim.pid) && ws.every((w) => w.version === version)
        ? ws
        : undefined;
    });
    const okAtReplacement = ok;
    await eventually("traffic after the replacement", async () => (ok >= okAtReplacement + 20 ? true : undefined));
    stop = true;
    await Promise.all(loops);
    assert.ok(
      replaced.some((w) => w.id !== before[0]!.id && w.id !== before[1]!.id),
      "a new worker joined",
    );
    assert.deepEqual([...statuses], [200], "every answer was a 200");
    assert.ok(
      failed.length <= clients.length,
      `at most the requests in flight on the dead worker were lost: ${failed}`,
    );
    assert.equal(dp.proc.exited, false);
    assert.match(dp.proc.output(), /"worker died; replacing it"/);
  });

  test("SIGHUP replaces every worker in turn under load: no failed request, no refused connection", async () => {
    const before = (await dp.config()).workers as Array<{ id: number; pid: number }>;
    const keepAlive = () => new Client(`http://127.0.0.1:${dp.proxyPort}`, { headersTimeout: 10_000 });
    let stop = false;
    let ok = 0;
    const failed: string[] = [];
    const statuses = new Set<number>();
    const record = (status: number) => {
      statuses.add(status);
      ok++;
    };
    // Six keep-alive clients, and two that open a new connection for every request (the ones a
    // listener that stopped too early, or a worker without routes, would fail).
    const loops = [
      ...Array.from({ length: 6 }, async (_, i) => {
        const client = keepAlive();
        for (let n = 0; !stop; n++) {
          try {
            const r = await client.request({ path: `/a/k${i}-${n}`, method: "GET" });
            await r.body.text();
            record(r.statusCode);
          } catch (err) {
            failed.push(`keep-alive: ${(err as { code?: string }).code ?? String(err)}`);
          }
        }
        await client.close();
      }),
      ...Array.from({ length: 2 }, async (_, i) => {
        for (let n = 0; !stop; n++) {
          const client = keepAlive();
          try {
            const r = await client.request({ path: `/a/n${i}-${n}`, method: "GET", reset: true });
            await r.body.text();
            record(r.statusCode);
          } catch (err) {
            failed.push(`new connection: ${(err as { code?: string }).code ?? String(err)}`);
          }
          await client.close();
        }
      }),
    ];
    await eventually("load running", async () => (ok >= 20 ? true : undefined));
    dp.proc.child.kill("SIGHUP");
    const after = await eventually(
      "every worker replaced",
      async () => {
        if (!/"rolling worker restart finished"/.test(dp.proc.output())) return undefined;
        const ws = (await dp.config()).workers as Array<{ id: number; pid: number; version: number }>;
        return ws.length === 2 ? ws : undefined;
      },
      60_000,
    );
    const okAtEnd = ok;
    await eventually("traffic after the restart", async () => (ok >= okAtEnd + 20 ? true : undefined));
    stop = true;
    await Promise.all(loops);
    assert.deepEqual(failed, [], "no request failed");
    assert.deepEqual([...statuses], [200], "every answer was a 200");
    assert.ok(
      after.every((w) => !before.some((b) => b.pid === w.pid)),
      `every worker is new: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
    );
    assert.deepEqual(
      after.map((w) => w.version),
      [version, version],
      "the new workers serve the committed version",
    );
    for (const b of before)
      assert.throws(() => process.kill(b.pid, 0), { code: "ESRCH" }, `old worker ${b.pid} exited`);
    assert.doesNotMatch(
      dp.proc.output(),
      /"worker died; replacing it"[^\n]*"code":0/,
      "a drained worker is not a death",
    );
  });

  test("a rolling restart while the IdP is down: the new workers verify tokens with the saved JWKS", async () => {
    // Break-it finding: each worker kept its JWKS in memory only, so after SIGHUP with the IdP
    // down every token was refused (401 keys_unavailable) until the IdP came back.
    const idp = await TestIdp.create();
    await idp.serve();
    try {
      await cp.ok("POST", "/v1/policies", {
        name: "idp",
        type: "jwt",
        config: { jwks_url: idp.url, algorithms: ["RS256"] },
      });
      await cp.ok("POST", "/v1/routes", { name: "sso", paths: ["/sso"], upstream: "up", policies: ["idp"] });
      version = (await cp.ok("POST", "/v1/config/versions", { message: "jwks" })).version;
      await cp.waitForNodes([dp.nodeId], version);
      const token = await idp.sign();
      const get = async (path: string) => {
        // A new connection each time: the primary hands them to the workers in turn.
        const client = new Client(`http://127.0.0.1:${dp.proxyPort}`);
        try {
          const r = await client.request({ path, method: "GET", headers: { authorization: `Bearer ${token}` } });
          await r.body.text();
          return r.statusCode;
        } finally {
          await client.close();
        }
      };
      for (let i = 0; i < 4; i++) assert.equal(await get(`/sso/before-${i}`), 200);
      await idp.stop();
      const output = dp.proc.output().length;
      dp.proc.child.kill("SIGHUP");
      await eventually(
        "every worker replaced",
        async () => (/"rolling worker restart finished"/.test(dp.proc.output().slice(output)) ? true : undefined),
        60_000,
      );
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push(await get(`/sso/after-${i}`));
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200], "both new workers verify with the saved keys");
    } finally {
      await idp.stop();
    }
  });

  test("SIGTERM drains every worker and the node exits 0", async () => {
    const pids = ((await dp.config()).workers as Array<{ pid: number }>).map((w) => w.pid);
    const exited = once(dp.proc.child, "exit");
    dp.proc.child.kill("SIGTERM");
    const [code] = await exited;
    assert.equal(code, 0);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, `worker ${pid} is gone`);
  });
});
