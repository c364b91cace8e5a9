import assert from "node:assert/strict";
import { test } from "node:test";
import { PoolManager, type PoolSpec } from "./pool-manager.js";

const target = (port: number): PoolSpec => ({
  key: `http://127.0.0.1:${port}|x`,
  origin: `http://127.0.0.1:${port}`,
  connectMs: 1000,
  maxConnections: 0,
  tls: null,
});

test("pools are created lazily, reused for the same key, and closed after a swap drops them", async () => {
  const pools = new PoolManager({ graceMs: 20 });
  const a = target(1);
  const b = target(2);
  pools.retain(new Set([a.key, b.key]));
  assert.equal(pools.size, 0, "no pool before first use");
  const pa = pools.get(a);
  assert.equal(pools.get(a), pa, "same key, same pool");
  pools.get(b);
  assert.equal(pools.size, 2);
  pools.retain(new Set([a.key])); // new table without b
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(pools.size, 1, "the dropped pool is closed after the grace period");
  assert.equal(pools.get(a), pa, "the unchanged upstream keeps its pool");
  await pools.close(100);
  assert.equal(pools.size, 0);
});

test("a pool re-retained before the grace period ends is kept", async () => {
  const pools = new PoolManager({ graceMs: 30 });
  const a = target(3);
  pools.retain(new Set([a.key]));
  const pa = pools.get(a);
  pools.retain(new Set());
  pools.retain(new Set([a.key]));
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(pools.get(a), pa);
  await pools.close(100);
});
