import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { Publisher } from "../config/publisher.js";
import { RolloutEngine } from "../rollouts/engine.js";
import { RolloutStore } from "../store/rollout-store.js";
import { Store } from "../store/store.js";
import { testAdminApi } from "../test/admin-app.js";

const log = pino({ level: "silent" });

/** The admin API with a rollout engine over an empty fleet, and one published version. */
async function app() {
  const store = await Store.open(":memory:");
  const publisher = await Publisher.open(store);
  const rollouts = new RolloutStore(store);
  const engine = await RolloutEngine.open({
    store: rollouts,
    fleet: async () => [],
    reports: async () => new Map(),
    versionExists: (n) => store.hasVersion(n),
    log,
  });
  const { call } = await testAdminApi({ store, publisher, log, rollouts: { engine, store: rollouts } });
  await call("POST", "/v1/upstreams", { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] });
  await call("POST", "/v1/routes", { name: "r", paths: ["/r"], upstream: "up" });
  return { call, engine };
}

test("bad rollout bodies answer 400 naming the field, inside custom stages too", async () => {
  const { call } = await app();
  await call("POST", "/v1/config/versions", {});
  const cases: Array<[unknown, string, string]> = [
    [{ strategy: "default" }, "VALIDATION_FAILED", "version"],
    [{ version: 1, strategy: "fastest" }, "VALIDATION_FAILED", "strategy"],
    [{ version: 1, strategy: { stages: [] } }, "VALIDATION_FAILED", "strategy.stages"],
    [
      { version: 1, strategy: { stages: [{ name: "a", selector: { percent: 0 } }] } },
      "VALIDATION_FAILED",
      "strategy.stages.0.selector.percent",
    ],
    [
      { version: 1, strategy: { stages: [{ name: "a", gates: [{ metric: "error_rate", threshold: 1 }] }] } },
      "VALIDATION_FAILED",
      "strategy.stages.0.gates.0.metric",
    ],
    [
      { version: 1, strategy: { stages: [{ name: "a" }, { name: "a" }] } },
      "VALIDATION_FAILED",
      "strategy.stages.1.name",
    ],
    [{ version: 1, strategy: "default", on_failure: "panic" }, "VALIDATION_FAILED", "on_failure"],
    [{ version: 7, strategy: "default" }, "VERSION_NOT_FOUND", "version"],
  ];
  for (const [body, code, field] of cases) {
    const r = await call("POST", "/v1/rollouts", body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.deepEqual([r.body.error.code, r.body.error.field], [code, field], JSON.stringify(r.body));
  }
  const fastest = await call("POST", "/v1/rollouts", { version: 1, strategy: "fastest" });
  assert.match(fastest.body.error.message, /"default", "all-now" \(or \{"stages": \[\.\.\.\]\} for custom stages\)/);
  const missing = await call("GET", "/v1/rollouts/nope");
  assert.deepEqual([missing.status, missing.body.error.code], [404, "ROLLOUT_NOT_FOUND"]);
});

test("deploy none stores a version without making it stable; a finished rollout makes it stable and refuses actions", async () => {
  const { call } = await app();
  assert.equal((await call("POST", "/v1/config/versions", {})).body.stable_version, 1);
  await call("POST", "/v1/routes", { name: "r2", paths: ["/r2"], upstream: "up" });
  const v2 = await call("POST", "/v1/config/versions", { deploy: "none" });
  assert.deepEqual([v2.status, v2.body.version, v2.body.stable_version], [201, 2, 1]);
  // An empty fleet: the stage selects nobody and is skipped (ROLLOUT_ACTIVE is covered by the engine test and e2e).
  const r = await call("POST", "/v1/rollouts", {
    version: 2,
    strategy: { stages: [{ name: "later", selector: { regions: ["nowhere"] } }] },
  });
  assert.equal(r.status, 201);
  assert.equal(r.body.state, "succeeded", "no node matched: the stage is skipped and the rollout done");
  assert.equal((await call("GET", "/v1/config/versions")).body.stable_version, 2);
  const listed = await call("GET", "/v1/rollouts?state=succeeded&limit=1");
  assert.equal(listed.body.items[0].id, r.body.id);
  const act = await call("POST", `/v1/rollouts/${r.body.id}/resume`, {});
  assert.deepEqual([act.status, act.body.error.code], [409, "ROLLOUT_STATE"]);
  // Rolling out what every node already runs would only soak: refused, naming the field.
  const again = await call("POST", "/v1/rollouts", { version: 2, strategy: "all-now" });
  assert.deepEqual(
    [again.status, again.body.error.code, again.body.error.field],
    [400, "VALIDATION_FAILED", "version"],
  );
  assert.match(again.body.error.message, /already the stable version/);
});
