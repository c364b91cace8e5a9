/**
 * Cluster parity (issue 3 workers × issue 6 fleet sync): a node with `--workers 2` has every
 * feature of a single process. Its reports count the traffic of both workers (rollout health
 * gates read them), security events and shadow comparisons included; `/metrics` sums the
 * workers and never goes back when one is replaced; the last-known-good file is written and, with
 * the control plane down, served by every worker after a restart (a corrupted one is ignored);
 * `--config-file` runs a cluster with no control plane. Real processes on loopback.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Client } from "undici";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

const WORKERS = ["--workers", "2"];

/** Requests a node answered, from its reports: Σ requests_per_s × interval over its history. */
function reportedRequests(node: any): number {
  let n = 0;
  for (const p of node.history) n += (p.requests_per_s * p.interval_ms) / 1000;
  return n;
}

/** Sum of a metric's samples (every label set) in a Prometheus text page. */
function metricSum(text: string, name: string, labels = ""): number {
  let n = 0;
  const re = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, "gm");
  for (const m of text.matchAll(re)) if ((m[1] ?? "").includes(labels)) n += Number(m[2]);
  return n;
}

/**
 * `perConnection` GETs of `path` on each of `connections` keep-alive connections (opened at
 * once, so the primary hands them to both workers); returns the statuses.
 */
async function overConnections(port: number, path: string, connections: number, perConnection: number) {
  const clients = Array.from(
    { length: connections },
    () => new Client(`http://127.0.0.1:${port}`, { headersTimeout: 10_000, bodyTimeout: 10_000 }),
  );
  try {
    const statuses = await Promise.all(
      clients.map(async (c, i) => {
        const out: number[] = [];
        for (let j = 0; j < perConnection; j++) {
          const r = await c.request({ path: `${path}/c${i}-${j}`, method: "GET" });
          await r.body.text();
          out.push(r.statusCode);
        }
        return out;
      }),
    );
    return statuses.flat();
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

describe("cluster parity: --workers 2 reports, /metrics and last-known-good like one process", () => {
  let upstream: RecordingUpstream;
  let shadow: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let version = 0;
  let mirrorRoute = "";
  /** Requests sent through the node so far. */
  let sent = 0;

  before(async () => {
    upstream = await new RecordingUpstream("cluster-up").start();
    shadow = await new RecordingUpstream("cluster-shadow").start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "up", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/upstreams", { name: "shadow", targets: [{ host: "127.0.0.1", port: shadow.port }] });
    await cp.ok("POST", "/v1/policies", {
      name: "hmac",
      type: "jwt",
      config: {
        jwks: { keys: [{ kty: "oct", kid: "p1", k: Buffer.alloc(32, 9).toString("base64url"), use: "sig" }] },
        algorithms: ["HS256"],
      },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "copy",
      type: "mirror",
      config: { upstream: "shadow", fraction: 1, timeout_ms: 5000 },
    });
    await cp.ok("POST", "/v1/routes", { name: "a", paths: ["/a"], upstream: "up" });
    await cp.ok("POST", "/v1/routes", { name: "locked", paths: ["/locked"], upstream: "up", policies: ["hmac"] });
    mirrorRoute = (await cp.ok("POST", "/v1/routes", { name: "m", paths: ["/m"], upstream: "up", policies: ["copy"] }))
      .id as string;
    version = (await cp.ok("POST", "/v1/config/versions", { message: "v1" })).version;
    dp = await new DataPlaneProcess("node-cluster", cp.syncPort, { extraArgs: WORKERS }).start();
    await cp.waitForNodes([dp.nodeId], version);
  });

  after(async () => {
    await dp?.destroy();
    await cp?.destroy();
    await upstream?.stop();
    await shadow?.stop();
  });

  test("reports count every worker's requests, security events and shadow comparisons", async () => {
    assert.equal((await dp.config()).workers.length, 2);
    const ok = await overConnections(dp.proxyPort, "/a", 10, 3);
    const denied = await overConnections(dp.proxyPort, "/locked", 3, 1);
    const mirrored = await overConnections(dp.proxyPort, "/m", 5, 2);
    assert.deepEqual(
      [ok, denied, mirrored].map((s) => [...new Set(s)]),
      [[200], [401], [200]],
    );
    sent = ok.length + denied.length + mirrored.length;
    const node = await eventually("the reports count every request", async () => {
      const n = await cp.ok("GET", `/v1/nodes/${dp.nodeId}`);
      const s = n.report?.shadow?.[mirrorRoute];
      return Math.round(reportedRequests(n)) === sent && s?.compared === mirrored.length ? n : undefined;
    });
    // Each report's rate times its (whole-ms) interval: the sum is within rounding of the count.
    assert.ok(Math.abs(reportedRequests(node) - sent) < 0.5, `${reportedRequests(node)} ≈ ${sent}`);
    let events = 0;
    for (const p of node.history) events += p.security_events.auth_token_missing ?? 0;
    assert.equal(events, denied.length, "every denied request is one auth_token_missing event");
    assert.ok(node.history.some((p: any) => p.status_4xx_per_s > 0));
    assert.equal(node.report.shadow[mirrorRoute].mirrored, mirrored.length);
    assert.equal(node.report.config_version, version);
  });

  test("/metrics sums the workers, and a replaced worker's counts stay", async () => {
    const metrics = async () => (await http(dp.statusPort, "/metrics")).text;
    const text = await eventually("both workers' counters in /metrics", async () => {
      const t = await metrics();
      return metricSum(t, "palisade_requests_total") === sent ? t : undefined;
    });
    assert.equal(metricSum(text, "palisade_requests_total", 'class="4xx"'), 3);
    assert.equal(metricSum(text, "palisade_security_events_total", 'type="auth_token_missing"'), 3);
    assert.equal(metricSum(text, "palisade_request_duration_seconds_count"), sent);
    assert.equal(metricSum(text, "palisade_shadow_requests_total", `route="${mirrorRoute}"`), 10);
    assert.equal(metricSum(text, "palisade_config_version"), version);
    assert.equal(metricSum(text, "palisade_control_plane_connected"), 1);
    assert.equal(metricSum(text, "palisade_config_updates_total", 'kind="full"'), 1);
    assert.ok(metricSum(text, "palisade_config_update_bytes_total") > 0);

    const victim = (await dp.config()).workers[0] as { id: number; pid: number };
    process.kill(victim.pid, "SIGKILL");
    await eventually("a replacement worker on the current version", async () => {
      const ws = (await dp.config()).workers as Array<{ id: number; version: number }>;
      return ws.length === 2 && !ws.some((w) => w.id === victim.id) && ws.every((w) => w.version === version)
        ? true
        : undefined;
    });
    assert.equal(metricSum(await metrics(), "palisade_requests_total"), sent, "the dead worker's counts stay");
    const more = await overConnections(dp.proxyPort, "/a", 4, 2);
    sent += more.length;
    await eventually("the replacement's requests added", async () =>
      metricSum(await metrics(), "palisade_requests_total") === sent ? true : undefined,
    );
  });

  test("with the control plane down, a restarted node serves its cached config on every worker", async () => {
    await cp.stop();
    await dp.stop();
    await dp.start();
    const ready = await dp.readyz();
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json(), { status: "ready", version, source: "cache" });
    const c = await dp.config();
    assert.deepEqual(
      c.workers.map((w: { version: number }) => w.version),
      [version, version],
    );
    const statuses = await overConnections(dp.proxyPort, "/a", 16, 4);
    assert.deepEqual([...new Set(statuses)], [200], "every keep-alive connection, on either worker, is served");
  });

  test("a corrupted cache is ignored: nothing is served until the control plane is back", async () => {
    await dp.stop();
    const file = join(dp.stateDir, "config.snapshot");
    const bytes = readFileSync(file);
    bytes[bytes.length - 20]! ^= 0xff;
    writeFileSync(file, bytes);
    await dp.start();
    assert.equal((await dp.readyz()).status, 503, "the corrupt file is not served");
    assert.deepEqual([...new Set(await overConnections(dp.proxyPort, "/a", 4, 1))], [503]);
    await dp.proc.waitForLine((l) => l.includes("last-known-good config ignored"), "corrupt cache warning");
    await cp.start();
    await cp.waitForNodes([dp.nodeId], version);
    assert.deepEqual((await dp.readyz()).json(), { status: "ready", version, source: "control-plane" });
    assert.deepEqual([...new Set(await overConnections(dp.proxyPort, "/a", 8, 2))], [200]);
    // The file is whole again: written before the ACK.
    await dp.stop();
    await cp.stop();
    await dp.start();
    assert.deepEqual((await dp.readyz()).json(), { status: "ready", version, source: "cache" });
    await cp.start();
  });

  test("--config-file runs a cluster from an exported snapshot with no control plane", async () => {
    const raw = await fetch(`http://127.0.0.1:${cp.adminPort}/v1/config/versions/${version}/export`, {
      headers: { authorization: `Bearer ${cp.adminToken}` },
    });
    assert.equal(raw.status, 200);
    const file = join(cp.dir, "exported.snapshot");
    writeFileSync(file, Buffer.from(await raw.arrayBuffer()));
    const air = await new DataPlaneProcess("node-cluster-air", 1, { configFile: file, extraArgs: WORKERS }).start();
    try {
      assert.deepEqual((await air.readyz()).json(), { status: "ready", version, source: "file" });
      const c = await air.config();
      assert.deepEqual(
        c.workers.map((w: { version: number }) => w.version),
        [version, version],
      );
      assert.deepEqual([...new Set(await overConnections(air.proxyPort, "/a", 6, 2))], [200]);
    } finally {
      await air.destroy();
    }
    // A partial file is fatal, as for one process: nothing else to serve.
    writeFileSync(file, readFileSync(file).subarray(0, -5));
    const broken = new DataPlaneProcess("node-cluster-air-2", 1, { configFile: file, extraArgs: WORKERS });
    const proc = broken.spawn();
    const code = await new Promise<number | null>((resolve) => proc.child.once("exit", resolve));
    assert.equal(code, 1);
    assert.match(proc.output(), /partial write|header says/);
    await broken.destroy();
  });
});
