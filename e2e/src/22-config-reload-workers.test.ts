/**
 * Case C45 (APISIX #11144, #2310, Kong #8774: after the config store came back, or in some worker
 * processes, the data plane kept routing to old targets and accepting revoked credentials). A
 * real palisade-dp with `--workers 2` serves `/api` with an API key; the control plane goes away
 * and comes back; right after it is back, key K1 is revoked and `/api` moves from upstream-a to
 * upstream-b. Once the node ACKs, every worker — on fresh connections (4 × the worker count) and
 * on keep-alive connections opened before the outage — answers 401 for K1 and sends K2 to
 * upstream-b, and the node's version is the control plane's. A second change after the
 * reconnect (K2's consumer disabled) proves the stream still delivers.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "undici";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

const WORKERS = 2;

/** A keep-alive connection to the node that counts how often it (re)connected. */
class KeptConnection {
  readonly client: Client;
  connects = 0;
  constructor(port: number) {
    // A long keep-alive on our side; the node's idle timeout (5 s) is beaten by the heartbeat below.
    this.client = new Client(`http://127.0.0.1:${port}`, { pipelining: 1, keepAliveTimeout: 600_000 });
    this.client.on("connect", () => this.connects++);
  }
  async get(path: string, key: string): Promise<{ status: number; upstream: string | undefined }> {
    const r = await this.client.request({ method: "GET", path, headers: { "x-api-key": key } });
    await r.body.text();
    const upstream = r.headers["x-upstream"];
    return { status: r.statusCode, upstream: typeof upstream === "string" ? upstream : undefined };
  }
}

describe("C45: no stale config after a control-plane outage, in any worker or connection", () => {
  const a = new RecordingUpstream("upstream-a");
  const b = new RecordingUpstream("upstream-b");
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let k1 = "";
  let k1Id = "";
  let k2 = "";
  const kept: KeptConnection[] = [];
  let heartbeat: NodeJS.Timeout | undefined;

  /** One fresh connection per request: `n` requests spread over the workers by the cluster's round robin. */
  const fresh = async (n: number, key: string) => {
    const out: Array<{ status: number; upstream: string | undefined }> = [];
    for (let i = 0; i < n; i++) {
      const c = new KeptConnection(dp.proxyPort);
      out.push(await c.get(`/api/orders?fresh=${i}`, key));
      await c.client.close();
    }
    return out;
  };

  before(async () => {
    await a.start();
    await b.start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "upstream-a", targets: [{ host: "127.0.0.1", port: a.port }] });
    await cp.ok("POST", "/v1/upstreams", { name: "upstream-b", targets: [{ host: "127.0.0.1", port: b.port }] });
    await cp.ok("POST", "/v1/policies", { name: "keys", type: "api-key", config: {} });
    await cp.ok("POST", "/v1/routes", { name: "api", paths: ["/api"], upstream: "upstream-a", policies: ["keys"] });
    await cp.ok("POST", "/v1/consumers", { name: "k1-owner" });
    await cp.ok("POST", "/v1/consumers", { name: "k2-owner" });
    const c1 = await cp.ok("POST", "/v1/consumers/k1-owner/credentials", { type: "api-key" });
    k1 = c1.key;
    k1Id = c1.id;
    k2 = (await cp.ok("POST", "/v1/consumers/k2-owner/credentials", { type: "api-key" })).key;
    const v = (await cp.ok("POST", "/v1/config/versions", { message: "K1 valid, /api on a" })).version;
    dp = await new DataPlaneProcess("node-c45", cp.syncPort, { extraArgs: ["--workers", String(WORKERS)] }).start();
    await cp.waitForNodes([dp.nodeId], v);
  });

  after(async () => {
    clearInterval(heartbeat);
    await Promise.all(kept.map((c) => c.client.close().catch(() => {})));
    await dp?.stop();
    await cp?.destroy();
    await a.stop();
    await b.stop();
  });

  test("C45: revoke K1 and move /api to upstream-b right after an outage: every worker and connection follows", async () => {
    // Keep-alive connections opened before the outage (round robin puts them on both workers).
    for (let i = 0; i < 4 * WORKERS; i++) kept.push(new KeptConnection(dp.proxyPort));
    for (const c of kept) assert.deepEqual(await c.get("/api/orders", k1), { status: 200, upstream: "upstream-a" });
    // Each kept connection sends a request every second so the node never closes it as idle.
    heartbeat = setInterval(() => {
      for (const c of kept) c.get("/api/heartbeat", k2).catch(() => {});
    }, 1000);

    await cp.stop();
    await eventually("node sees the control plane gone", async () =>
      (await dp.config()).control_plane === "disconnected" ? true : undefined,
    );
    // While it is away the node keeps serving its last config, in every worker.
    for (const r of await fresh(4 * WORKERS, k1)) assert.deepEqual(r, { status: 200, upstream: "upstream-a" });

    await cp.start();
    // Changed at once, whether or not the node has reconnected yet.
    await cp.ok("DELETE", `/v1/consumers/k1-owner/credentials/${k1Id}`);
    await cp.ok("PUT", "/v1/routes/api", { name: "api", paths: ["/api"], upstream: "upstream-b", policies: ["keys"] });
    const v2 = (await cp.ok("POST", "/v1/config/versions", { message: "K1 revoked, /api on b" })).version;
    await cp.waitForNodes([dp.nodeId], v2);

    const config = await dp.config();
    assert.equal(config.version, v2, "the node's version is the control plane's");
    assert.equal(config.control_plane, "connected");
    assert.deepEqual(
      config.workers.map((w: { version: number }) => w.version),
      Array(WORKERS).fill(v2),
      "every worker serves the control plane's version",
    );
    for (const r of await fresh(4 * WORKERS, k1)) assert.equal(r.status, 401, "K1 refused on a fresh connection");
    for (const r of await fresh(4 * WORKERS, k2)) assert.deepEqual(r, { status: 200, upstream: "upstream-b" });
    for (const c of kept) {
      assert.equal((await c.get("/api/orders", k1)).status, 401, "K1 refused on a kept connection");
      assert.deepEqual(await c.get("/api/orders", k2), { status: 200, upstream: "upstream-b" });
    }
    assert.ok(
      kept.every((c) => c.connects === 1),
      `the kept connections were never reopened: ${kept.map((c) => c.connects)}`,
    );
    const nodes = (await cp.ok("GET", "/v1/nodes")).items as Array<{ id: string; applied_version: number }>;
    assert.equal(nodes.find((n) => n.id === dp.nodeId)?.applied_version, v2);
  });

  test("C45: after the reconnect the stream still delivers: disabling K2's consumer reaches every worker", async () => {
    await cp.ok("PUT", "/v1/consumers/k2-owner", { name: "k2-owner", disabled: true });
    const v3 = (await cp.ok("POST", "/v1/config/versions", { message: "K2's consumer disabled" })).version;
    await cp.waitForNodes([dp.nodeId], v3);
    clearInterval(heartbeat);
    assert.deepEqual(
      (await dp.config()).workers.map((w: { version: number }) => w.version),
      Array(WORKERS).fill(v3),
    );
    for (const r of await fresh(4 * WORKERS, k2)) assert.equal(r.status, 401);
    for (const c of kept) assert.equal((await c.get("/api/orders", k2)).status, 401);
    assert.ok(kept.every((c) => c.connects === 1));
  });
});
