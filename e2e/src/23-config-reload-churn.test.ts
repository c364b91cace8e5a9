/**
 * Case C47 (Tyk #2831 #2617, kgateway #8900, Envoy #20800, APISIX #10268: each reload leaked
 * memory or timers, rebuilt limiter stores and so reset them, or cut requests). A real
 * palisade-dp with a JWT + rate-limit route takes 200 publishes, half of them changing one other
 * route (its paths) and half with nothing changed, then a change of a rate-limit policy:
 *
 * - a client at its limit on an unchanged route stays refused through every reload (no fresh
 *   burst), checked between batches of reloads; the changed route's count survives too;
 * - a changed rate-limit policy keeps its count: the new limit applies to what was counted
 *   (raising 3 → 4 admits exactly one more), as Kong and Envoy's local limiter do not;
 * - a streaming response opened before the reloads completes, byte for byte;
 * - the node's timers and handles (prom-client's `nodejs_active_resources`, which is
 *   `process.getActiveResourcesInfo()`) do not grow with the number of reloads. Heap and RSS are
 *   printed as diagnostics only (no GC is forced, so they are not asserted).
 */
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { request } from "undici";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { RecordingUpstream } from "./harness/upstream.js";

const RELOADS = 200;

/** Active resources by type (Timeout, TCPSocketWrap, …) and heap/RSS from the node's /metrics. */
async function resources(statusPort: number): Promise<{ byType: Record<string, number>; heap: number; rss: number }> {
  const text = (await http(statusPort, "/metrics")).text;
  const byType: Record<string, number> = {};
  for (const m of text.matchAll(/^nodejs_active_resources\{type="([^"]+)"\} (\d+)$/gm)) byType[m[1]!] = Number(m[2]);
  const num = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  return { byType, heap: num("nodejs_heap_size_used_bytes"), rss: num("process_resident_memory_bytes") };
}

/** An upstream whose `/stream` answers hold open, writing one line per `tick()`, until `finish()`. */
class StreamingUpstream {
  port = 0;
  #server: Server;
  #open: ServerResponse[] = [];
  constructor() {
    this.#server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("start\n");
      this.#open.push(res);
    });
  }
  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }
  get open(): number {
    return this.#open.length;
  }
  tick(i: number): void {
    for (const res of this.#open) res.write(`line ${i}\n`);
  }
  finish(): void {
    for (const res of this.#open.splice(0)) res.end("end\n");
  }
  async stop(): Promise<void> {
    this.finish();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

describe("C47: many hot reloads keep limiter state, in-flight responses and the handle count", () => {
  const a = new RecordingUpstream("upstream-a");
  const streaming = new StreamingUpstream();
  let idp: TestIdp;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let token = "";
  let version = 0;

  const call = async (path: string) => {
    const r = await dp.get(path, { authorization: `Bearer ${token}` });
    return r.status;
  };
  const publish = async (message: string) => {
    version = (await cp.ok("POST", "/v1/config/versions", { message })).version;
    await cp.waitForNodes([dp.nodeId], version);
  };
  /** `n` publishes: even ones change the churn route's paths, odd ones change nothing. */
  let reloadsDone = 0;
  const reload = async (n: number) => {
    for (let i = 0; i < n; i++, reloadsDone++) {
      if (reloadsDone % 2 === 0) {
        const paths = reloadsDone % 4 === 0 ? ["/churn"] : ["/churn", `/churn-${reloadsDone}`];
        await cp.ok("PUT", "/v1/routes/churn", {
          name: "churn",
          paths,
          upstream: "a",
          policies: ["jwt", "churn-limit"],
        });
      }
      await publish(`reload ${reloadsDone}`);
    }
  };

  before(async () => {
    await a.start();
    await streaming.start();
    idp = await TestIdp.create();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: a.port }] });
    await cp.ok("POST", "/v1/upstreams", { name: "streaming", targets: [{ host: "127.0.0.1", port: streaming.port }] });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt",
      type: "jwt",
      config: { jwks: idp.jwks(), algorithms: ["RS256"], issuers: [idp.issuer], claims_to_headers: { sub: "X-User" } },
    });
    // Hour windows: the test never crosses a window boundary, so every refusal below is the count's.
    await cp.ok("POST", "/v1/policies", {
      name: "api-limit",
      type: "rate-limit",
      config: { limits: [{ requests: 5, per: "hour" }] },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "churn-limit",
      type: "rate-limit",
      config: { limits: [{ requests: 3, per: "hour" }] },
    });
    await cp.ok("POST", "/v1/routes", { name: "api", paths: ["/api"], upstream: "a", policies: ["jwt", "api-limit"] });
    await cp.ok("POST", "/v1/routes", {
      name: "churn",
      paths: ["/churn"],
      upstream: "a",
      policies: ["jwt", "churn-limit"],
    });
    await cp.ok("POST", "/v1/routes", { name: "stream", paths: ["/stream"], upstream: "streaming", policies: ["jwt"] });
    version = (await cp.ok("POST", "/v1/config/versions", { message: "C47" })).version;
    dp = await new DataPlaneProcess("node-c47", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], version);
    token = await idp.sign({ sub: "user-1" });
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await a.stop();
    await streaming.stop();
  });

  test(`C47: ${RELOADS} reloads: no fresh burst, the stream completes, timers and handles do not grow`, async (t) => {
    // Clients at their limits: 5 on /api, 3 on /churn; the next ones are refused.
    const api: number[] = [];
    for (let i = 0; i < 6; i++) api.push(await call(`/api/orders?i=${i}`));
    assert.deepEqual(api, [200, 200, 200, 200, 200, 429]);
    const churn: number[] = [];
    for (let i = 0; i < 4; i++) churn.push(await call(`/churn/x?i=${i}`));
    assert.deepEqual(churn, [200, 200, 200, 429]);

    // A streaming response held open across every reload.
    const streamed = request(`http://127.0.0.1:${dp.proxyPort}/stream/feed`, {
      headers: { authorization: `Bearer ${token}` },
    }).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
    const waitOpen = async () => {
      for (let i = 0; i < 200 && streaming.open === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(streaming.open, 1, "the stream reached the upstream");
    };
    await waitOpen();

    // Warm-up reloads, then the baseline of resources.
    await reload(20);
    const base = await resources(dp.statusPort);
    let ticks = 0;
    while (reloadsDone < RELOADS) {
      await reload(20);
      streaming.tick(ticks++);
      // Exactly at their limit while the config changes: still refused after each batch.
      assert.equal(await call("/api/orders?during"), 429, `after ${reloadsDone} reloads: no fresh burst on /api`);
      assert.equal(await call("/churn/x?during"), 429, `after ${reloadsDone} reloads: no fresh burst on /churn`);
    }
    const end = await resources(dp.statusPort);
    t.diagnostic(`resources after 20 reloads: ${JSON.stringify(base)}`);
    t.diagnostic(`resources after ${reloadsDone} reloads: ${JSON.stringify(end)}`);

    streaming.finish();
    const s = await streamed;
    assert.equal(s.status, 200);
    const expected = `start\n${Array.from({ length: ticks }, (_, i) => `line ${i}\n`).join("")}end\n`;
    assert.equal(s.body, expected, "the stream opened before the reloads completed, every line in order");

    // Timers and handles: the same after 200 reloads as after 20 (a few of slack for sockets
    // and timers that come and go with the status request and the sync stream).
    for (const type of new Set([...Object.keys(base.byType), ...Object.keys(end.byType)])) {
      const grew = (end.byType[type] ?? 0) - (base.byType[type] ?? 0);
      assert.ok(
        grew <= 3,
        `${type}: ${base.byType[type] ?? 0} after 20 reloads, ${end.byType[type] ?? 0} after ${reloadsDone}`,
      );
    }
  });

  test("C47: a changed rate-limit policy keeps its count; the new limit applies to it", async () => {
    await cp.ok("PUT", "/v1/policies/churn-limit", {
      name: "churn-limit",
      type: "rate-limit",
      config: { limits: [{ requests: 4, per: "hour" }] },
    });
    await publish("churn limit 3 → 4");
    assert.deepEqual([await call("/churn/x?after-1"), await call("/churn/x?after-2")], [200, 429]);
    assert.equal(await call("/api/orders?after"), 429, "the unchanged route is still at its limit");
  });
});
