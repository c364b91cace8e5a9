import assert from "node:assert/strict";
import { test } from "node:test";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { listen } from "../listen.js";
import { modelRuleSet, RULE_SET_TEXTS } from "../test/config-model.js";
import { log, snapshot } from "../test/fixtures.js";
import { StatusServer } from "./status-server.js";

test("healthz, readyz before and after a config, config, 404, 405", async () => {
  const holder = new TableHolder();
  let connected = false;
  const status = new StatusServer({ holder, nodeId: "dp-1", region: "eu", controlPlaneConnected: () => connected });
  const { port } = await listen(status.server, { host: "127.0.0.1", port: 0 }, "status", log);
  const get = async (path: string, method = "GET") => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  try {
    assert.deepEqual(await get("/healthz"), { status: 200, body: { status: "ok" } });
    assert.deepEqual(await get("/readyz"), { status: 503, body: { status: "not_ready" } });
    const before = await get("/config");
    assert.deepEqual(before.body, {
      version: null,
      hash: null,
      applied_at: null,
      source: null,
      node_id: "dp-1",
      region: "eu",
      control_plane: "disconnected",
      rule_sets: [],
    });

    const withRules = snapshot({}, 42n, "abc");
    withRules.ruleSets = [modelRuleSet("crs-id", 0)];
    withRules.ruleSets[0]!.name = "crs-4.28.0";
    holder.swap(compile(withRules, { policyTypes: new Set() }));
    connected = true;
    assert.deepEqual(await get("/readyz"), {
      status: 200,
      body: { status: "ready", version: 42, source: "control-plane" },
    });
    const cfg = (await get("/config")).body;
    assert.equal(cfg.version, 42);
    assert.equal(cfg.hash, "abc");
    assert.equal(cfg.control_plane, "connected");
    // WAF rule sets by content hash, never their files.
    assert.deepEqual(cfg.rule_sets, [
      { id: "crs-id", name: "crs-4.28.0", hash: withRules.ruleSets[0]!.contentHash, bytes: RULE_SET_TEXTS[0].length },
    ]);
    assert.ok(!Number.isNaN(Date.parse(String(cfg.applied_at))));

    assert.equal((await get("/metrics-nope")).status, 404);
    assert.equal((await get("/healthz", "POST")).status, 405);
  } finally {
    await status.close();
  }
});
