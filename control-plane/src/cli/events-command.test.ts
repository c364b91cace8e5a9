import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { examplePolicyDenials, exampleWaf } from "@palisade/events";
import { pino } from "pino";
import { SecurityEventIntake } from "../security-events/event-intake-service.js";
import { SecurityEventStore } from "../store/security-event-store.js";
import { Store } from "../store/store.js";
import { TEST_ADMIN_TOKEN, type TestAdminApi, testAdminApi } from "../test/admin-app.js";
import { batchOf, fresh } from "../test/security-event-batch.js";
import { runCli } from "./main.js";

// `palisadectl events` as an operator reads it: route names (events carry route ids) and the WAF
// rules that matched the attack, not only CRS's blocking evaluation 949110.
let t: TestAdminApi;
let env: NodeJS.ProcessEnv;
let routeId = "";

before(async () => {
  const store = await Store.open(":memory:");
  const intake = new SecurityEventIntake(new SecurityEventStore(store), pino({ level: "silent" }));
  t = await testAdminApi({ store, events: intake });
  await t.call("POST", "/v1/upstreams", { name: "shop-up", targets: [{ host: "127.0.0.1", port: 9 }] });
  routeId = (await t.call("POST", "/v1/routes", { name: "shop", paths: ["/shop"], upstream: "shop-up" })).body.id;
  const time = Date.now() - 60_000;
  const waf = { ...fresh(exampleWaf("deny", { time })), route: routeId };
  const denial = { ...fresh(examplePolicyDenials({ time })[0]!), route: "0e6f9a5c-gone" };
  await intake.ingest({ id: "eu-1", region: "eu-west" }, batchOf([waf, denial]));
  await t.api.listen({ host: "127.0.0.1", port: 0 });
  const { port } = t.api.server.address() as AddressInfo;
  env = { PALISADE_ADMIN_URL: `http://127.0.0.1:${port}`, PALISADE_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
});

after(async () => {
  await t?.api.close();
});

test("events names the route and shows the matched attack rule of a WAF block", async () => {
  const out: string[] = [];
  const code = await runCli(["events"], env, { out: (s) => out.push(s), err: (s) => out.push(s) });
  assert.equal(code, 0, out.join("\n"));
  // Columns: time, category, type, node, route, client, rule, message (cells apart by 2+ spaces).
  const rows = out
    .join("\n")
    .split("\n")
    .map((l) => l.split(/ {2,}/));
  assert.deepEqual(rows[0]!.slice(0, 7), ["TIME", "CATEGORY", "TYPE", "NODE", "ROUTE", "CLIENT", "RULE"]);
  const waf = rows.find((r) => r[1] === "waf");
  assert.ok(waf, out.join("\n"));
  assert.equal(waf[4], "shop", "the route's name, not its id");
  assert.equal(waf[6], "942100", "the attack rule, not 949110");
  const denial = rows.find((r) => r[1] === "policy_denial");
  assert.equal(denial?.[4], "0e6f9a5c-gone", "a deleted route's id is shown as it is");
});

test("events -o json prints the events as the API returns them (route ids)", async () => {
  const out: string[] = [];
  const code = await runCli(["events", "-o", "json"], env, { out: (s) => out.push(s), err: (s) => out.push(s) });
  assert.equal(code, 0, out.join("\n"));
  const page = JSON.parse(out.join("\n"));
  assert.ok(page.items.some((i: { event: { labels: { route?: string } } }) => i.event.labels.route === routeId));
});
