/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeState, syncState } from "../lib/fleet.ts";
import { type NodeWire, toFleetNode, toRegion } from "./fleet-shapes.ts";

const wireNode = (over: Partial<NodeWire> = {}): NodeWire => ({
  id: "edge-1",
  region: "eu-west",
  labels: {},
  status: "connected",
  connected: true,
  software_version: "0.1.0",
  applied_version: 3,
  applied_hash: "h",
  latest_version: 3,
  lag: 0,
  in_sync: true,
  last_ack_at: null,
  last_nack: null,
  blocked: null,
  first_seen_at: "2026-01-01T00:00:00.000Z",
  last_seen_at: "2026-01-01T00:00:00.000Z",
  report: null,
  ...over,
});

test("a node report in per-second figures becomes fractions of requests at an ISO time", () => {
  const at = Date.UTC(2026, 0, 1, 0, 0, 10);
  const n = toFleetNode(
    wireNode({
      report: {
        at,
        interval_ms: 5000,
        requests_per_s: 200,
        status_4xx_per_s: 10,
        status_5xx_per_s: 2,
        latency_p50_ms: 1.5,
        latency_p99_ms: 9,
        active_connections: 4,
        security_events: { auth_token_missing: 5 },
        memory_rss_bytes: 1e8,
      },
      history: [{ at, requests_per_s: 0, status_5xx_per_s: 0 }],
    }),
  );
  assert.deepEqual(n.report, {
    at: "2026-01-01T00:00:10.000Z",
    interval_s: 5,
    rps: 200,
    error_rate_4xx: 0.05,
    error_rate_5xx: 0.01,
    p50_ms: 1.5,
    p99_ms: 9,
    active_connections: 4,
    security_events: { auth_token_missing: 5 },
    rss_bytes: 1e8,
  });
  assert.equal(n.history?.[0]?.error_rate_5xx, 0, "no traffic is no error rate, not NaN");
});

test("status and blocked read as the pages' stale, revoked and held back", () => {
  assert.equal(nodeState(toFleetNode(wireNode({ status: "stale" }))).label, "stale");
  assert.equal(nodeState(toFleetNode(wireNode({ status: "revoked", connected: false }))).label, "revoked");
  const held = toFleetNode(
    wireNode({ latest_version: 4, lag: 1, in_sync: false, blocked: { version: 4, missing: ["waf"] } }),
  );
  assert.equal(syncState(held).label, "held back");
  assert.match(held.held_back!.reason, /waf/);
});

test("a region's counts and history come through", () => {
  const r = toRegion({
    region: "eu-west",
    nodes: { total: 3, connected: 2, stale: 1, disconnected: 0, revoked: 0 },
    current: { at: 0, requests_per_s: 10, status_5xx_per_s: 1 },
    history: [{ at: 0, requests_per_s: 10, status_5xx_per_s: 1 }],
  });
  assert.deepEqual([r.nodes, r.connected, r.stale, r.report?.error_rate_5xx, r.history?.length], [3, 2, 1, 0.1, 1]);
});
