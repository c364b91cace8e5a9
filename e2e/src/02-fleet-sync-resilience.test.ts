/**
 * Fleet sync under change and failure: deltas, a NACK by one node (not re-sent; the other nodes
 * take the version), last-known-good config at boot, a corrupt cache, a control-plane restart
 * without a resend, stale nodes, reports and regions, and a node run from an exported snapshot
 * file. Real processes on
 * loopback (the sync port runs insecure here; 03-node-identity covers mTLS).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TestCa } from "@palisade/test-support";
import { ControlPlaneProcess, certificateBody, DataPlaneProcess, http, updateCounts } from "./harness/fleet.js";
import { hardenedOpensslConf } from "./harness/openssl.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

const hmac = {
  name: "partner-hmac",
  type: "jwt",
  config: {
    jwks: { keys: [{ kty: "oct", kid: "p1", k: Buffer.alloc(32, 9).toString("base64url"), use: "sig" }] },
    algorithms: ["HS256"],
  },
};

describe("fleet sync: deltas, NACKs, last-known-good, restarts, inventory", () => {
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let a: DataPlaneProcess;
  let b: DataPlaneProcess;

  before(async () => {
    upstream = await new RecordingUpstream("sync-upstream").start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "echo", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    for (const name of ["a", "b", "c"])
      await cp.ok("POST", "/v1/routes", { name, paths: [`/${name}`], upstream: "echo" });
    await cp.ok("POST", "/v1/config/versions", { message: "three routes" });
    a = await new DataPlaneProcess("sync-a", cp.syncPort, { region: "eu-west" }).start();
    b = await new DataPlaneProcess("sync-b", cp.syncPort, { region: "us-east" }).start();
    await cp.waitForNodes([a.nodeId, b.nodeId], 1);
  });

  after(async () => {
    await Promise.all([a?.destroy(), b?.destroy()]);
    await cp?.destroy();
    await upstream?.stop();
  });

  test("a one-route change reaches every node as a delta", async () => {
    assert.deepEqual(await updateCounts(a), { full: 1, delta: 0, nacked: 0 });
    await cp.ok("PUT", "/v1/routes/b", { name: "b", paths: ["/b", "/b2"], upstream: "echo" });
    await cp.ok("POST", "/v1/config/versions", { message: "b gets a second path" });
    const nodes = await cp.waitForNodes([a.nodeId, b.nodeId], 2);
    assert.ok(nodes.every((n) => n.last_ack_at && n.lag === 0 && n.status === "connected"));
    for (const node of [a, b]) {
      assert.deepEqual(await updateCounts(node), { full: 1, delta: 1, nacked: 0 });
      assert.equal((await node.get("/b2/x")).status, 200);
    }
  });

  test("a version one node cannot load is NACKed by that node alone: the inventory shows why, it is not re-sent, the other nodes take it", async () => {
    // A NACK is a node-local refusal of a config the control plane accepted. The natural cause in
    // a mixed fleet: a host whose OpenSSL policy is stricter than the others' (security level 3,
    // as RHEL's FUTURE crypto policy or a hardened image sets), so it refuses a certificate with
    // an RSA-2048 key ("ee key too small") that the control plane and every other node load.
    // The control plane cannot foresee it: it depends on the node's host, not on the config.
    const hardened = await new DataPlaneProcess("sync-hardened", cp.syncPort, {
      region: "ap-south",
      env: { OPENSSL_CONF: hardenedOpensslConf(cp.dir) },
    }).start();
    const ca = new TestCa();
    try {
      await cp.waitForNodes([hardened.nodeId], 2);
      const rsa2048 = ca.issue(["partner.test"], { rsaBits: 2048 });
      await cp.ok("POST", "/v1/policies", hmac);
      await cp.ok("PUT", "/v1/routes/c", { name: "c", paths: ["/c"], upstream: "echo", policies: ["partner-hmac"] });
      await cp.ok("POST", "/v1/certificates", certificateBody("partner-edge", ["partner.test"], rsa2048));
      const v3 = await cp.ok("POST", "/v1/config/versions", { message: "c behind HMAC JWT, partner certificate" });
      assert.equal(v3.version, 3);

      // The other nodes take it.
      const others = await cp.waitForNodes([a.nodeId, b.nodeId], 3);
      for (const n of others) assert.equal(n.last_nack, null, `${n.id} accepted version 3`);
      for (const node of [a, b]) {
        assert.equal(await node.appliedVersion(), 3);
        assert.equal((await node.get("/c/x")).status, 401, `${node.nodeId} enforces version 3`);
      }

      // The hardened node refuses it, says why, and keeps serving version 2 whole.
      const n = await eventually(`${hardened.nodeId} NACK`, async () => {
        const r = await cp.ok("GET", `/v1/nodes/${hardened.nodeId}`);
        return r.last_nack ? r : undefined;
      });
      assert.equal(n.last_nack.version, 3);
      assert.equal(n.last_nack.code, "RESOURCE_INVALID");
      assert.equal(n.last_nack.resource, "certificate/partner-edge");
      assert.equal(n.last_nack.kind, "config", "the config is refused: not a node fault");
      assert.match(n.last_nack.message, /cannot be loaded for TLS \(ee key too small\)/);
      assert.equal(n.applied_version, 2);
      assert.equal(n.lag, 1);
      assert.equal(n.status, "connected");
      assert.equal(await hardened.appliedVersion(), 2);
      assert.equal((await hardened.get("/c/x")).status, 200, "version 2 still serving, no half-applied v3");
      assert.equal((await updateCounts(hardened)).nacked, 1);

      // Reconnecting does not bring the refused version back.
      await hardened.stop();
      await hardened.start();
      await eventually("hardened reconnected", async () =>
        (await cp.ok("GET", `/v1/nodes/${hardened.nodeId}`)).status === "connected" ? true : undefined,
      );
      await cp.ok("GET", "/v1/nodes"); // one more round trip on the admin side
      assert.deepEqual(await updateCounts(hardened), { full: 0, delta: 0, nacked: 0 }, "nothing re-sent after restart");
      assert.equal(await hardened.appliedVersion(), 2, "served from its last-known-good file");
      assert.equal((await cp.ok("GET", `/v1/nodes/${hardened.nodeId}`)).last_nack.version, 3);

      // The fix is a new version (an ECDSA P-256 key every node accepts), and it goes out to all.
      const p256 = ca.issue(["partner.test"]);
      await cp.ok("PUT", "/v1/certificates/partner-edge", certificateBody("partner-edge", ["partner.test"], p256));
      await cp.ok("POST", "/v1/config/versions", { message: "partner certificate: P-256 key" });
      await cp.waitForNodes([a.nodeId, b.nodeId, hardened.nodeId], 4);
      for (const node of [a, b, hardened]) assert.equal((await node.get("/c/x")).status, 401);
    } finally {
      await hardened.destroy();
      await cp.api("DELETE", `/v1/nodes/${hardened.nodeId}`);
      ca.dispose();
    }
  });

  test("reports reach the inventory: traffic, errors, security events, regions", async () => {
    for (let i = 0; i < 5; i++) await a.get("/a/ok");
    await a.get("/c/needs-a-token");
    await a.get("/nowhere");
    const node = await eventually("a report with traffic", async () => {
      const n = await cp.ok("GET", `/v1/nodes/${a.nodeId}`);
      const seen = n.history.some((p: any) => p.security_events.auth_token_missing > 0);
      // The first report after the swap to version 4 (reports come every second).
      const current = n.report?.config_version === 4;
      return current && seen && n.history.some((p: any) => p.requests_per_s > 0) ? n : undefined;
    });
    assert.equal(node.report.config_version, 4);
    assert.ok(node.report.memory_rss_bytes > 0);
    assert.equal(typeof node.report.latency_p99_ms, "number");
    assert.ok(node.history.some((p: any) => p.status_4xx_per_s > 0));
    const regions = (await cp.ok("GET", "/v1/regions")).items as any[];
    const eu = regions.find((r) => r.region === "eu-west");
    assert.equal(eu.nodes.total, 1);
    assert.equal(eu.nodes.connected, 1);
    assert.deepEqual(eu.applied_versions, { "4": 1 });
    assert.ok(eu.history.some((p: any) => p.requests_per_s > 0));
    const metrics = (await http(a.statusPort, "/metrics")).text;
    assert.match(metrics, /^palisade_requests_total\{class="2xx"\} [1-9]/m);
    assert.match(metrics, /^palisade_security_events_total\{type="auth_token_missing"\} [1-9]/m);
    assert.match(metrics, /^palisade_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]/m);
  });

  test("a node silent for three report intervals is shown stale, then connected again", async () => {
    process.kill(a.proc.child.pid!, "SIGSTOP");
    try {
      await eventually("a stale", async () =>
        (await cp.ok("GET", `/v1/nodes/${a.nodeId}`)).status === "stale" ? true : undefined,
      );
      const eu = ((await cp.ok("GET", "/v1/regions")).items as any[]).find((r) => r.region === "eu-west");
      assert.equal(eu.nodes.stale, 1);
    } finally {
      process.kill(a.proc.child.pid!, "SIGCONT");
    }
    await eventually("a connected", async () =>
      (await cp.ok("GET", `/v1/nodes/${a.nodeId}`)).status === "connected" ? true : undefined,
    );
  });

  test("after a control-plane restart every node reconnects and nothing is resent", async () => {
    const before = [await updateCounts(a), await updateCounts(b)];
    await cp.stop();
    await eventually("nodes see the control plane down", async () =>
      (await http(a.statusPort, "/config")).json().control_plane === "disconnected" ? true : undefined,
    );
    await cp.start();
    await eventually("both reconnected", async () => {
      const items = (await cp.ok("GET", "/v1/nodes")).items as any[];
      return items.filter((n) => n.status === "connected" && n.applied_version === 4).length === 2 ? true : undefined;
    });
    for (const [i, node] of [a, b].entries()) {
      await eventually(`${node.nodeId} sees the stream up`, async () =>
        (await http(node.statusPort, "/config")).json().control_plane === "connected" ? true : undefined,
      );
      assert.deepEqual(await updateCounts(node), before[i], `${node.nodeId}: no update after the restart`);
    }
  });

  test("with the control plane down, a restarted node serves its cached config; a corrupted cache is ignored", async () => {
    await cp.stop();
    await a.stop();
    await b.stop();
    const file = join(b.stateDir, "config.snapshot");
    const bytes = readFileSync(file);
    bytes[bytes.length - 20]! ^= 0xff;
    writeFileSync(file, bytes);
    await a.start();
    await b.start();
    const ready = await a.readyz();
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json(), { status: "ready", version: 4, source: "cache" });
    assert.equal((await a.get("/b2/cached")).status, 200);
    assert.equal((await b.readyz()).status, 503, "the corrupt file is not served");
    assert.equal((await b.get("/b2/x")).status, 503);
    await b.proc.waitForLine((l) => l.includes("last-known-good config ignored"), "corrupt cache warning");
    // The control plane comes back: b gets the config whole, a is already in step.
    await cp.start();
    await cp.waitForNodes([a.nodeId, b.nodeId], 4);
    assert.deepEqual((await b.readyz()).json(), { status: "ready", version: 4, source: "control-plane" });
    assert.deepEqual(await updateCounts(a), { full: 0, delta: 0, nacked: 0 });
    assert.deepEqual(await updateCounts(b), { full: 1, delta: 0, nacked: 0 });
  });

  test("--config-file runs a node from an exported snapshot with no control plane", async () => {
    const exported = await cp.api("GET", "/v1/config/versions/4/export");
    assert.equal(exported.status, 200);
    assert.match(String(exported.headers["content-disposition"]), /attachment/);
    const file = join(cp.dir, "v4.snapshot");
    const raw = await fetch(`http://127.0.0.1:${cp.adminPort}/v1/config/versions/4/export`, {
      headers: { authorization: `Bearer ${cp.adminToken}` },
    });
    writeFileSync(file, Buffer.from(await raw.arrayBuffer()));
    const airGapped = await new DataPlaneProcess("air-gapped", 1, { configFile: file }).start();
    try {
      assert.deepEqual((await airGapped.readyz()).json(), { status: "ready", version: 4, source: "file" });
      assert.equal((await airGapped.get("/a/x")).status, 200);
      assert.equal((await airGapped.get("/c/x")).status, 401);
    } finally {
      await airGapped.destroy();
    }
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 5));
    const broken = new DataPlaneProcess("air-gapped-2", 1, { configFile: file });
    const proc = broken.spawn();
    const code = await new Promise<number | null>((resolve) => proc.child.once("exit", resolve));
    assert.equal(code, 1);
    assert.match(proc.output(), /partial write|header says/);
    await broken.destroy();
  });
});
