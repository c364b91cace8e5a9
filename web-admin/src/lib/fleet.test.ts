/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FleetNode, Report } from "../api/types.ts";
import { aggregate, eventRates, nodeState, summarizeRegions, sumReports, syncState } from "./fleet.ts";

function node(over: Partial<FleetNode>): FleetNode {
  return {
    id: "n",
    region: "eu-west",
    labels: {},
    software_version: "0.1.0",
    connected: true,
    applied_version: 2,
    applied_hash: "h",
    last_ack_at: null,
    last_nack: null,
    first_seen_at: "2026-01-01T00:00:00Z",
    last_seen_at: "2026-01-01T00:00:00Z",
    latest_version: 2,
    lag: 0,
    in_sync: true,
    ...over,
  };
}

test("a node reads connected, stale or disconnected, and in sync, behind or refused", () => {
  assert.equal(nodeState(node({})).label, "connected");
  assert.equal(nodeState(node({ stale: true })).label, "stale");
  assert.equal(nodeState(node({ connected: false, stale: true })).label, "disconnected");
  assert.equal(syncState(node({})).label, "in sync");
  assert.equal(syncState(node({ applied_version: 1, in_sync: false, lag: 1 })).label, "1 behind");
  const nack = { version: 2, code: "X", message: "m", resource: "", at: "" };
  assert.equal(syncState(node({ applied_version: 1, in_sync: false, lag: 1, last_nack: nack })).label, "refused");
  const fault = { ...nack, code: "INTERNAL", kind: "node_fault" as const };
  assert.equal(
    syncState(node({ applied_version: 1, in_sync: false, lag: 1, last_nack: fault })).label,
    "node fault",
    "a node fault reads as such, not as a refused config",
  );
});

test("with rollouts, a node is judged against its desired version, not the latest", () => {
  // v3 published without deploying: nodes on the stable v2 are where they should be.
  const held = { latest_version: 3, lag: 1, in_sync: false, desired_version: 2 };
  assert.equal(syncState(node(held)).label, "in sync");
  assert.equal(syncState(node({ ...held, desired_version: 3 })).label, "rolling out");
  assert.equal(syncState(node({ ...held, applied_version: 3, desired_version: 2 })).label, "rolling back");
});

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

test("reports of several nodes add up per bucket; a node's reports in one bucket are merged first", () => {
  const a: Report[] = [
    { at: at(0), interval_s: 2, rps: 100, error_rate_5xx: 0.1, security_events: { jwt_invalid: 4 } },
    { at: at(2), interval_s: 2, rps: 300, error_rate_5xx: 0.1, security_events: { jwt_invalid: 6 } },
  ];
  const b: Report[] = [{ at: at(1), interval_s: 5, rps: 200, error_rate_5xx: 0.4, security_events: { waf: 5 } }];
  const [sum] = aggregate([a, b], 5);
  assert.ok(sum);
  assert.equal(sum.at, at(0));
  assert.equal(sum.rps, 400, "node a averages 200 over its two reports; node b adds 200");
  assert.ok(Math.abs(sum.error_rate_5xx! - 0.25) < 1e-9, "error rates weighted by requests/s");
  assert.deepEqual(sum.security_events, { jwt_invalid: 10, waf: 5 });
  const rates = eventRates(sum);
  assert.ok(Math.abs(rates.jwt_invalid! - 10 / 4.5) < 1e-9);
});

test("with no traffic, rates are a plain mean; a missing field stays missing", () => {
  const r = sumReports(
    [
      { at: at(0), rps: 0, p99_ms: 4 },
      { at: at(0), rps: 0, p99_ms: 8 },
    ],
    at(0),
  );
  assert.equal(r.p99_ms, 6);
  assert.equal(r.error_rate_5xx, undefined);
});

test("regions group nodes and sum their latest reports when the API has no region view", () => {
  const regions = summarizeRegions(
    [
      node({ id: "a", region: "us-east", report: { at: at(0), rps: 10 } }),
      node({ id: "b", region: "eu-west", connected: false, in_sync: false }),
      node({ id: "c", region: "us-east", report: { at: at(0), rps: 5 } }),
    ],
    undefined,
  );
  assert.deepEqual(
    regions.map((r) => [r.region, r.nodes.length, r.connected, r.inSync, r.report?.rps ?? null]),
    [
      ["eu-west", 1, 0, 0, null],
      ["us-east", 2, 2, 2, 15],
    ],
  );
});
