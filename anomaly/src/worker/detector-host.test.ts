import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Detection } from "../detect/detection.js";
import { emptyFacts } from "../record/record-writer.js";
import { decodeSummary } from "../summary/codec.js";
import { DetectorHost } from "./detector-host.js";

const names = { routes: ["", "login"], upstreams: ["", "auth"], consumers: [""] };

function waitFor<T>(what: string, get: () => T | undefined, ms = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const v = get();
      if (v !== undefined) resolve(v);
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

/** Writes `n` failed logins from `address` through the host's ring writer. */
function failedLogins(host: DetectorHost, address: string, n: number): void {
  const f = emptyFacts();
  Object.assign(f, { route: 1, upstream: 1, path: "/v1/login", method: "POST", clientAddress: address, status: 401 });
  for (let i = 0; i < n; i++) {
    f.timeMs = performance.timeOrigin + performance.now();
    host.writer.write(f);
  }
}

describe("detector worker", () => {
  it("reads the ring in a worker thread, reports detections and summaries, and survives being killed", async () => {
    const detections: Detection[] = [];
    const summaries: Uint8Array[] = [];
    const failures: string[] = [];
    const host = new DetectorHost({
      nodeId: "node-w",
      region: "eu",
      names,
      ringCapacity: 1024,
      clientCapacity: 1024,
      summaryIntervalMs: 200,
      onDetection: (d) => detections.push(d),
      onSummary: (b) => summaries.push(b),
      onFailure: (e) => failures.push(e.message),
    });
    host.start();
    try {
      failedLogins(host, "203.0.113.7", 30);
      const d = await waitFor("a detection", () => detections.find((x) => x.subject.id === "203.0.113.7"));
      assert.equal(d.kind, "brute_force");
      assert.equal(d.scope, "node-w");
      const s = await waitFor("a summary with the route", () =>
        summaries.map(decodeSummary).find((x) => x.routes.some((r) => r.route === "login")),
      );
      assert.equal(s.nodeId, "node-w");

      await host.kill();
      await waitFor("a restart", () => (host.restarts === 1 ? true : undefined));
      assert.equal(failures.length, 1);
      failedLogins(host, "203.0.113.8", 30);
      await waitFor("a detection after the restart", () => detections.find((x) => x.subject.id === "203.0.113.8"));
    } finally {
      await host.stop();
    }
  });

  it("reads the records written while the worker starts under the config posted before them", async () => {
    const detections: Detection[] = [];
    const summaries: Uint8Array[] = [];
    // Started without names, configured at once, records written before the worker has run a
    // line: its first read must already know route 1 is "login" (summaryIntervalMs 1: the
    // summary taken in that first read names the route too).
    const host = new DetectorHost({
      nodeId: "node-c",
      region: "eu",
      ringCapacity: 1024,
      clientCapacity: 1024,
      summaryIntervalMs: 1,
      onDetection: (d) => detections.push(d),
      onSummary: (b) => summaries.push(b),
    });
    host.start();
    try {
      host.configure(names, {});
      failedLogins(host, "203.0.113.9", 30);
      const d = await waitFor("a detection", () => detections.find((x) => x.subject.id === "203.0.113.9"));
      assert.equal(d.route, "login");
      const routes = () => summaries.map(decodeSummary).flatMap((s) => s.routes);
      const counted = () => routes().reduce((n, r) => n + r.requests, 0);
      await waitFor("30 requests summarised", () => (counted() >= 30 ? true : undefined));
      assert.deepEqual([...new Set(routes().map((r) => r.route))], ["login"]);
      assert.equal(counted(), 30);
    } finally {
      await host.stop();
    }
  });

  it("refuses bad thresholds before starting anything", () => {
    assert.throws(
      () => new DetectorHost({ nodeId: "n", region: "r", thresholds: { defaults: { bruteForce: { ratio: -1 } } } }),
      {
        code: "THRESHOLD_INVALID",
        field: "defaults.bruteForce.ratio",
      },
    );
  });
});
