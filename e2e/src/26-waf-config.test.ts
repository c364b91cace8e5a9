/**
 * WAF config delivery (issue 14 points 4-7, control-plane side): a waf policy on the bundled CRS
 * and one on a rule set uploaded with palisadectl reach real nodes (one process, and two
 * workers), which ACK and hold each rule set by its content hash (`GET /config` on the status
 * port); a route change is a small delta that does not carry the ~0.9 MB rule set (the node's
 * `palisade_config_update_bytes_total`), and a rule set change reaches the nodes by config push.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess, updateBytes, updateCounts } from "./harness/fleet.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("WAF: rule sets reach the nodes once, by content hash", () => {
  const upstream = new RecordingUpstream("waf-upstream");
  const dir = mkdtempSync(join(tmpdir(), "palisade-e2e-waf-"));
  let cp: ControlPlaneProcess;
  let single: DataPlaneProcess;
  let workers: DataPlaneProcess;
  let version = 0;

  const palisadectl = (...args: string[]) => cp.palisadectl(...args);
  const writeRules = (text: string) => {
    mkdirSync(join(dir, "tiny", "rules"), { recursive: true });
    writeFileSync(join(dir, "tiny", "crs-setup.conf"), "# no setup\n");
    writeFileSync(join(dir, "tiny", "rules", "REQUEST-900-TINY.conf"), text);
  };
  // A version that brings a rule set makes each worker compile it (the whole CRS: about a second
  // on an idle core, tens of seconds on a machine busy with other test files).
  const publish = async (message: string) => {
    version = (await cp.ok("POST", "/v1/config/versions", { message })).version;
    await cp.waitForNodes([single.nodeId, workers.nodeId], version, 180_000);
  };
  const ruleSetsOf = async (n: DataPlaneProcess) =>
    ((await n.config()).rule_sets as Array<{ name: string; hash: string }>).map((r) => [r.name, r.hash]).sort();

  before(async () => {
    await upstream.start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "u", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/routes", { name: "plain", paths: ["/plain"], upstream: "u" });
    version = (await cp.ok("POST", "/v1/config/versions", { message: "no waf yet" })).version;
    single = await new DataPlaneProcess("waf-single", cp.syncPort).start();
    workers = await new DataPlaneProcess("waf-workers", cp.syncPort, { extraArgs: ["--workers", "2"] }).start();
    await cp.waitForNodes([single.nodeId, workers.nodeId], version);
  });

  after(async () => {
    await Promise.all([single?.destroy(), workers?.destroy()]);
    await cp?.destroy();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a waf policy on the bundled CRS and one on an uploaded rule set: nodes ACK and hold both by hash", async (t) => {
    const before = await Promise.all([single, workers].map(updateBytes));
    writeRules(`SecRule ARGS "@rx attack" "id:100,phase:2,deny,status:403,msg:'attack word',tag:'attack-test'"\n`);
    const up = await palisadectl("rule-set", "upload", join(dir, "tiny"), "--name", "tiny");
    assert.equal(up.code, 0, up.err);
    await cp.ok("POST", "/v1/policies", { name: "waf-crs", type: "waf", config: { mode: "block", paranoia_level: 1 } });
    await cp.ok("POST", "/v1/policies", {
      name: "waf-tiny",
      type: "waf",
      config: { rule_set: "tiny", mode: "detect", exclusions: [{ rule_ids: ["100"], target: "ARGS:q" }] },
    });
    await cp.ok("POST", "/v1/routes", { name: "echo", paths: ["/echo"], upstream: "u", policies: ["waf-crs"] });
    await cp.ok("POST", "/v1/routes", { name: "other", paths: ["/other"], upstream: "u", policies: ["waf-tiny"] });
    await publish("waf policies");
    const held = (await cp.ok("GET", "/v1/rule-sets")).items as Array<{ name: string; content_hash: string }>;
    const want = held.map((r) => [r.name, r.content_hash]).sort();
    assert.deepEqual(
      want.map(([n]) => n),
      ["crs-4.28.0", "tiny"],
    );
    for (const [i, n] of [single, workers].entries()) {
      assert.deepEqual(await ruleSetsOf(n), want, n.nodeId);
      t.diagnostic(
        `${n.nodeId}: ${(await updateBytes(n)) - before[i]!} bytes received for the version that adds the rule sets`,
      );
    }
    const nodes = (await cp.ok("GET", "/v1/nodes")).items as Array<{ id: string; last_nack: unknown }>;
    assert.ok(
      nodes.every((n) => n.last_nack === null),
      JSON.stringify(nodes.map((n) => n.last_nack)),
    );
    // The nodes still proxy the routes.
    assert.equal((await single.get("/echo/hello")).status, 200);
  });

  test("a route change reaches the nodes as a delta of a few hundred bytes, without the rule sets", async (t) => {
    const bytes = await Promise.all([single, workers].map(updateBytes));
    const counts = await Promise.all([single, workers].map(updateCounts));
    const hashes = await Promise.all([single, workers].map(ruleSetsOf));
    await cp.ok("PUT", "/v1/routes/other", {
      name: "other",
      paths: ["/other", "/more"],
      upstream: "u",
      policies: ["waf-tiny"],
    });
    await publish("one route");
    for (const [i, n] of [single, workers].entries()) {
      const sent = (await updateBytes(n)) - bytes[i]!;
      assert.ok(sent > 0 && sent < 2000, `${n.nodeId}: ${sent} bytes for a one-route change`);
      t.diagnostic(`${n.nodeId}: ${sent} bytes received for a one-route change`);
      assert.equal((await updateCounts(n)).delta, (counts[i]!.delta ?? 0) + 1, `${n.nodeId}: one delta`);
      assert.deepEqual(await ruleSetsOf(n), hashes[i]);
    }
  });

  test("a rule set change reaches the nodes by config push, carrying that rule set only", async () => {
    const bytes = await Promise.all([single, workers].map(updateBytes));
    writeRules(
      `SecRule ARGS "@rx attack" "id:100,phase:2,deny,status:403,msg:'attack word',tag:'attack-test'"\n` +
        `SecRule ARGS "@rx probe" "id:101,phase:2,deny,status:403,msg:'probe word',tag:'attack-test'"\n`,
    );
    const up = await palisadectl("rule-set", "upload", join(dir, "tiny"), "--name", "tiny");
    assert.match(up.out, /rule-sets\/tiny configured/);
    await publish("tiny v2");
    const tiny = await cp.ok("GET", "/v1/rule-sets/tiny");
    for (const [i, n] of [single, workers].entries()) {
      assert.ok((await ruleSetsOf(n)).some(([name, hash]) => name === "tiny" && hash === tiny.content_hash));
      const sent = (await updateBytes(n)) - bytes[i]!;
      assert.ok(sent > 0 && sent < 10_000, `${n.nodeId}: ${sent} bytes: the small rule set, not CRS`);
    }
  });
});
