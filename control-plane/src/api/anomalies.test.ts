// Admin API: the anomaly-detection config (checked at PUT and again at publish, naming the field;
// published as the snapshot's anomaly resource), and the deny list managed by hand.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { AnomalyMode, SnapshotSchema } from "@palisade/proto";
import { pino } from "pino";
import { AnomalyService } from "../anomaly/anomaly-service.js";
import { testAdminApi } from "../test/admin-app.js";

const upstream = { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] };

test("PUT /v1/anomalies/config refuses a bad threshold, action or allow entry, naming the field", async () => {
  const { call } = testAdminApi();
  for (const [body, field] of [
    [
      { thresholds: { routes: { login: { bruteForce: { minPerMin: -1 } } } } },
      "anomaly.thresholds.routes.login.bruteForce.minPerMin",
    ],
    [{ thresholds: { defaults: { nope: {} } } }, "anomaly.thresholds.defaults.nope"],
    [{ actions: { brute_force: { action: "ban", ttlS: 60 } } }, "anomaly.actions.brute_force.action"],
    [{ allow: { cidrs: ["not-a-cidr"] } }, "anomaly.allow.cidrs"],
  ] as const) {
    const r = await call("PUT", "/v1/anomalies/config", { enabled: true, ...body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.code, "VALIDATION_FAILED");
    assert.ok(String(r.body.error.field).startsWith(field), `${r.body.error.field} names ${field}`);
  }
  assert.equal((await call("PUT", "/v1/anomalies/config", { enabled: true, mode: "block" })).status, 400);
});

test("the config is published as the snapshot's anomaly resource, and absent when disabled", async () => {
  const { call, store } = testAdminApi();
  await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "login", paths: ["/login"], upstream: "up" });
  const cfg = {
    enabled: true,
    mode: "enforce",
    thresholds: { routes: { login: { bruteForce: { minPerMin: 5 } } } },
    allow: { cidrs: ["10.0.0.0/8"], consumers: ["monitoring"] },
  };
  assert.equal((await call("PUT", "/v1/anomalies/config", cfg)).status, 200);
  assert.deepEqual((await call("GET", "/v1/anomalies/config")).body, cfg);
  assert.equal((await call("POST", "/v1/config/versions", { message: "on" })).status, 201);
  const snap = fromBinary(SnapshotSchema, store.latestVersion()!.snapshot);
  assert.equal(snap.anomaly.length, 1);
  assert.equal(snap.anomaly[0]!.mode, AnomalyMode.ENFORCE);
  assert.deepEqual(JSON.parse(snap.anomaly[0]!.thresholdsJson), cfg.thresholds);
  assert.deepEqual(snap.anomaly[0]!.allowCidrs, ["10.0.0.0/8"]);
  // A draft edited behind the API's back is still checked at publish.
  store.putSettings({ enabled: true, thresholds: { defaults: { payload: { sizeFactor: 0 } } } }, "anomaly");
  const refused = await call("POST", "/v1/config/versions", { message: "bad" });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.field, "anomaly.thresholds.defaults.payload.sizeFactor");
  await call("PUT", "/v1/anomalies/config", { enabled: false });
  assert.equal((await call("POST", "/v1/config/versions", { message: "off" })).status, 201);
  assert.equal(fromBinary(SnapshotSchema, store.latestVersion()!.snapshot).anomaly.length, 0);
});

test("the deny list by hand: block (400 for a bad address), list, unblock (404 when none)", async () => {
  const anomaly = new AnomalyService({ log: pino({ level: "silent" }), broadcast: () => {} });
  const { call } = testAdminApi({ anomaly });
  const bad = await call("POST", "/v1/anomalies/decisions", { target_type: "address", target_id: "999.1.1.1" });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, "target_id");
  const made = await call("POST", "/v1/anomalies/decisions", {
    target_type: "address",
    target_id: "203.0.113.9",
    ttl_s: 120,
    reason: "credential stuffing seen in the SIEM",
  });
  assert.equal(made.status, 201);
  assert.equal(made.body.action, "deny");
  assert.equal(made.body.kind, "manual");
  const list = (await call("GET", "/v1/anomalies/decisions")).body.items;
  assert.deepEqual(
    list.map((d: { target_id: string; status: number }) => [d.target_id, d.status]),
    [["203.0.113.9", 403]],
  );
  assert.equal((await call("DELETE", "/v1/anomalies/decisions/address/203.0.113.9")).status, 204);
  const again = await call("DELETE", "/v1/anomalies/decisions/address/203.0.113.9");
  assert.equal(again.status, 404);
  assert.equal(again.body.error.code, "NOT_FOUND");
  assert.equal((await call("GET", "/v1/anomalies")).body.mode, "off");
});
