/**
 * Issue 3, upstreams: a target that dies mid-traffic is ejected while requests keep succeeding
 * on the others; a POST that reached an upstream is never sent twice, while a GET is retried.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

/** An upstream that reads each request whole, records it, then drops the connection unanswered. */
class ResettingUpstream {
  readonly seen: Array<{ method: string; url: string; body: string }> = [];
  readonly #server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c;
    });
    req.on("end", () => {
      this.seen.push({ method: req.method!, url: req.url!, body });
      res.socket?.destroy();
    });
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

describe("upstream pools: ejection of a dead target, safe retries", () => {
  const pool = [new RecordingUpstream("t1"), new RecordingUpstream("t2"), new RecordingUpstream("t3")];
  const healthy = new RecordingUpstream("healthy");
  const resetting = new ResettingUpstream();
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  before(async () => {
    await Promise.all([...pool, healthy, resetting].map((u) => u.start()));
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", {
      name: "trio",
      targets: pool.map((u) => ({ host: "127.0.0.1", port: u.port })),
    });
    await cp.ok("POST", "/v1/upstreams", {
      name: "payments",
      targets: [
        { host: "127.0.0.1", port: resetting.port },
        { host: "127.0.0.1", port: healthy.port },
      ],
      // Keep the resetting target in rotation for the whole test.
      health_check: { passive: { enabled: false } },
    });
    await cp.ok("POST", "/v1/routes", { name: "trio", paths: ["/trio"], upstream: "trio" });
    await cp.ok("POST", "/v1/routes", { name: "pay", paths: ["/pay"], upstream: "payments" });
    const v = await cp.ok("POST", "/v1/config/versions", { message: "upstreams" });
    dp = await new DataPlaneProcess("node-upstreams", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], v.version);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await Promise.all([...pool, healthy, resetting].map((u) => u.stop().catch(() => undefined)));
  });

  test("a target killed mid-test is ejected and traffic continues on the others", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await dp.get(`/trio/warm-${i}`)).status);
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.ok(
      pool.every((u) => u.seenPath("/trio/warm").length > 0),
      "round-robin reached every target",
    );

    // Traffic runs while t2 dies.
    let stop = false;
    const during: number[] = [];
    const load = (async () => {
      for (let i = 0; !stop; i++) during.push((await dp.get(`/trio/load-${i}`)).status);
    })();
    await eventually("load running", async () => (during.length >= 3 ? true : undefined));
    await pool[1]!.stop();
    const ejected = await dp.proc.waitForLine(
      (l) => l.includes('"target ejected"') && l.includes(`:${pool[1]!.port}`),
      "the dead target's ejection",
    );
    assert.match(ejected, /connect failures/);
    stop = true;
    await load;
    assert.ok(during.length > 0);
    assert.deepEqual(new Set(during), new Set([200]), "no request failed while the target died");

    const seenBefore = pool[1]!.seen.length;
    const after: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await dp.get(`/trio/after-${i}`);
      assert.equal(r.status, 200);
      after.push(r.json().upstream);
    }
    assert.deepEqual(new Set(after), new Set(["t1", "t3"]), "the survivors share the traffic");
    assert.equal(pool[1]!.seen.length, seenBefore);
  });

  test("retries never repeat a POST that reached the upstream; a GET is retried elsewhere", async () => {
    const n = 6;
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = await http(dp.proxyPort, `/pay/charge-${i}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"charge":${i}}`,
      });
      statuses.push(r.status);
      if (r.status !== 200) assert.equal(r.json().error.code, "UPSTREAM_UNAVAILABLE");
    }
    for (let i = 0; i < n; i++) {
      const url = `/pay/charge-${i}`;
      const times = resetting.seen.filter((s) => s.url === url).length + healthy.seenPath(url).length;
      assert.equal(times, 1, `${url} reached an upstream exactly once`);
    }
    const reset = resetting.seen.filter((s) => s.url.startsWith("/pay/charge-"));
    assert.ok(reset.length > 0, "some POSTs went to the resetting target");
    assert.equal(statuses.filter((s) => s === 502).length, reset.length, "each of those is a 502, not a retry");
    assert.equal(reset[0]!.body.startsWith('{"charge":'), true);

    for (let i = 0; i < 4; i++) {
      const r = await dp.get(`/pay/read-${i}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json().upstream, "healthy");
    }
    assert.ok(
      resetting.seen.some((s) => s.url.startsWith("/pay/read-")),
      "a GET met the reset and was retried",
    );
  });
});
