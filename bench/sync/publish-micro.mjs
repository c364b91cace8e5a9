// Micro-bench of the control plane's publish at scale (imports its internals, as micro-benches do):
// 10,000 routes in an in-memory store (or the PostgreSQL database named by the argument, which
// must be empty), then one-route edits, each published and timed.
// `node bench/sync/publish-micro.mjs [postgres://user@host:port/db]`
import { randomUUID } from "node:crypto";
import { Publisher } from "../../control-plane/dist/config/publisher.js";
import { Store } from "../../control-plane/dist/store/store.js";
import { generateConfig } from "./generate-config.mjs";

const store = await Store.open(process.argv[2] ?? ":memory:");
const cfg = generateConfig(10000);
const ups = new Map();
for (const u of cfg.upstreams) {
  const { name, ...b } = u;
  ups.set(name, (await store.insertResource("upstreams", randomUUID(), name, b)).id);
}
const routes = [];
for (const r of cfg.routes) {
  const { name, policies, ...b } = r;
  routes.push(await store.insertResource("routes", randomUUID(), name, { ...b, upstream: ups.get(b.upstream) }));
}
const p = await Publisher.open(store);
let t = performance.now();
await p.publish("v1");
console.log("first publish", (performance.now() - t).toFixed(1));
const times = [];
for (let i = 0; i < 30; i++) {
  const r = routes[(i * 7919) % routes.length];
  await store.updateResource("routes", r.id, r.name, { ...r.body, priority: i + 1 });
  t = performance.now();
  await p.publish(`v${i}`);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log("publish ms p50", times[15].toFixed(1), "max", times[29].toFixed(1));
await store.close();
