/**
 * An operator's resync (issue 13 point 1): `palisadectl resync <node>` or `POST
 * /v1/nodes/{id}/resync` makes a running node compile its desired version from scratch, without
 * a restart, over its open stream; a version the node refused is sent once more (an explicit
 * action), never in a loop. Real control plane, a one-worker node, a two-worker node and a node
 * whose OpenSSL policy refuses a certificate the others load (a refusal of the config, kind
 * `config`); the audit log records each resync with the NACK it forgot.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TestCa } from "@palisade/test-support";
import { ControlPlaneProcess, certificateBody, DataPlaneProcess, updateCounts } from "./harness/fleet.js";
import { hardenedOpensslConf } from "./harness/openssl.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("resync: a node compiles its version from scratch on an operator's word", () => {
  const upstream = new RecordingUpstream("resync-upstream");
  const ca = new TestCa();
  let cp: ControlPlaneProcess;
  let one: DataPlaneProcess;
  let two: DataPlaneProcess;
  let hardened: DataPlaneProcess;

  const palisadectl = (...args: string[]) => cp.palisadectl(...args);
  const node = (id: string) => cp.ok("GET", `/v1/nodes/${id}`);

  before(async () => {
    await upstream.start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "u", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/routes", { name: "a", hosts: ["h.example.test"], paths: ["/a"], upstream: "u" });
    const v = (await cp.ok("POST", "/v1/config/versions", { message: "one route" })).version;
    one = await new DataPlaneProcess("resync-one", cp.syncPort, { extraArgs: ["--workers", "1"] }).start();
    two = await new DataPlaneProcess("resync-two", cp.syncPort, { extraArgs: ["--workers", "2"] }).start();
    hardened = await new DataPlaneProcess("resync-hardened", cp.syncPort, {
      env: { OPENSSL_CONF: hardenedOpensslConf(cp.dir) },
    }).start();
    await cp.waitForNodes([one.nodeId, two.nodeId, hardened.nodeId], v);
  });

  after(async () => {
    await Promise.all([one?.destroy(), two?.destroy(), hardened?.destroy()]);
    await cp?.destroy();
    await upstream.stop();
    ca.dispose();
  });

  test("a node in step takes its version whole again, swaps it in and keeps serving (CLI and API)", async () => {
    for (const [n, how] of [
      [one, "cli"],
      [two, "api"],
    ] as const) {
      const before = await n.config();
      const counts = await updateCounts(n);
      const ackedBefore = (await node(n.nodeId)).last_ack_at;
      if (how === "cli") {
        const r = await palisadectl("resync", n.nodeId);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, new RegExp(`node ${n.nodeId}: version ${before.version} sent whole`));
      } else {
        const r = await cp.api("POST", `/v1/nodes/${n.nodeId}/resync`);
        assert.equal(r.status, 202, r.text);
        assert.equal(r.json().resync.version, before.version);
      }
      // Swapped in anew (a plain resend of the same content would only be relabelled).
      const after = await eventually(`${n.nodeId} re-applied`, async () => {
        const c = await n.config();
        return c.applied_at !== before.applied_at ? c : undefined;
      });
      assert.deepEqual([after.version, after.hash], [before.version, before.hash]);
      assert.equal((await updateCounts(n)).full, (counts.full ?? 0) + 1, "one more full update");
      await eventually(`${n.nodeId} ACK recorded`, async () => {
        const r = await node(n.nodeId);
        return r.last_ack_at !== ackedBefore ? r : undefined;
      });
      assert.equal((await n.request("/a", { headers: { host: "h.example.test" } })).status, 200);
    }
    const audit = await cp.ok("GET", "/v1/audit?kind=nodes/resync");
    assert.deepEqual(audit.items.map((e: { path: string; status: number }) => [e.path, e.status]).sort(), [
      ["/v1/nodes/resync-one/resync", 202],
      ["/v1/nodes/resync-two/resync", 202],
    ]);
  });

  test("a refused version is not re-sent; a resync sends it once more, and refused again it stays refused", async () => {
    await cp.ok(
      "POST",
      "/v1/certificates",
      certificateBody("rsa-2048", ["partner.test"], ca.issue(["partner.test"], { rsaBits: 2048 })),
    );
    const v2 = (await cp.ok("POST", "/v1/config/versions", { message: "an RSA-2048 certificate" })).version;
    await cp.waitForNodes([one.nodeId, two.nodeId], v2);
    const first = await eventually("the hardened node refuses", async () => {
      const r = await node(hardened.nodeId);
      return r.last_nack ? r.last_nack : undefined;
    });
    assert.deepEqual([first.version, first.code, first.kind], [v2, "RESOURCE_INVALID", "config"]);
    assert.equal((await updateCounts(hardened)).nacked, 1);

    const r = await cp.api("POST", `/v1/nodes/${hardened.nodeId}/resync`);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json().resync.version, v2);
    assert.deepEqual(r.json().resync.forgotten_nack, first, "the answer (and the audit log) keeps the forgotten NACK");
    const again = await eventually("refused once more", async () => {
      const n = await node(hardened.nodeId);
      return n.last_nack && n.last_nack.at !== first.at ? n : undefined;
    });
    assert.deepEqual([again.last_nack.version, again.last_nack.kind], [v2, "config"]);
    assert.equal(again.applied_version, 1, "still serving version 1");
    // Once only: after the node's next report the control plane has sent nothing more.
    const nackedAt = Date.parse(again.last_nack.at);
    await eventually("a report after the second refusal", async () => {
      const n = await node(hardened.nodeId);
      return n.report && n.report.at > nackedAt ? n : undefined;
    });
    assert.equal((await updateCounts(hardened)).nacked, 2);
    assert.equal((await hardened.request("/a", { headers: { host: "h.example.test" } })).status, 200);
  });

  test("a resync needs an open stream: a stopped node is 409 NODE_NOT_CONNECTED, an unknown one 404", async () => {
    await hardened.stop();
    await eventually("disconnected", async () => ((await node(hardened.nodeId)).connected ? undefined : true));
    const r = await cp.api("POST", `/v1/nodes/${hardened.nodeId}/resync`);
    assert.equal(r.status, 409);
    assert.equal(r.json().error.code, "NODE_NOT_CONNECTED");
    const ghost = await palisadectl("resync", "ghost");
    assert.equal(ghost.code, 1);
    assert.match(ghost.err, /NOT_FOUND/);
  });
});
