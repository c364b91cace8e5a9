/**
 * Chaos with real processes (issue 21 point 3): the control plane is killed with SIGKILL — no
 * shutdown, no flush — while operators publish and while a staged rollout runs, then started
 * again on the same database. Three nodes in two regions serve a bounded request loop each the
 * whole time. What a user checks: every version the API answered for is still there after the
 * restart, versions stay one ordered sequence with no duplicate, the nodes converge on the
 * newest; a rollout under way resumes under the restarted control plane and completes; not one
 * client request fails at any point (the data plane never depends on the control plane being
 * alive).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { TrafficLoop } from "./harness/traffic-loop.js";
import { RecordingUpstream } from "./harness/upstream.js";

const NODES: ReadonlyArray<[string, string]> = [
  ["chaos-eu-1", "eu-west"],
  ["chaos-eu-2", "eu-west"],
  ["chaos-us-1", "us-east"],
];
/** Requests per node at most, whatever happens (the loop also stops at the end). */
const MAX_REQUESTS_PER_NODE = 20_000;

describe("chaos: the control plane killed with SIGKILL under load", () => {
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  const nodes: DataPlaneProcess[] = [];
  const loops: TrafficLoop[] = [];
  const ids = () => nodes.map((n) => n.nodeId);

  const versions = async () => (await cp.ok("GET", "/v1/config/versions?limit=1000")).items as any[];
  const rollout = (id: string) => cp.ok("GET", `/v1/rollouts/${id}`);
  /** Kills the control plane (SIGKILL), starts it on the same database and waits for every node to reconnect. */
  const killAndRestart = async () => {
    await cp.proc.kill();
    await cp.start();
    await eventually(
      "every node reconnected to the restarted control plane",
      async () => {
        const items = (await cp.ok("GET", "/v1/nodes")).items as any[];
        return ids().every((id) => items.some((n) => n.id === id && n.connected)) || undefined;
      },
      60_000,
    );
  };

  before(async () => {
    upstream = await new RecordingUpstream("chaos-app").start();
    cp = await new ControlPlaneProcess(undefined, { extraArgs: ["--rollout-tick-ms", "250"] }).start();
    await cp.ok("POST", "/v1/upstreams", { name: "app", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/routes", { name: "app", paths: ["/app"], upstream: "app" });
    const v1 = (await cp.ok("POST", "/v1/config/versions", { message: "v1" })).version;
    for (const [id, region] of NODES)
      nodes.push(
        await new DataPlaneProcess(id, cp.syncPort, { region, extraArgs: ["--report-interval", "500"] }).start(),
      );
    await cp.waitForNodes(ids(), v1);
    for (const n of nodes) loops.push(new TrafficLoop(n, { pauseMs: 10, maxRequests: MAX_REQUESTS_PER_NODE }));
  });

  after(async () => {
    await Promise.all(loops.map((l) => l.stop()));
    await Promise.all(nodes.map((n) => n.destroy()));
    await cp?.destroy();
    await upstream?.stop();
  });

  test("killed during a burst of publishes: every answered version survives, in one ordered sequence; the nodes converge", async () => {
    const answered: Array<{ version: number; message: string }> = [];
    let publishing = true;
    // Operators' edits and publishes, back to back; the kill lands in the middle of them.
    const burst = (async () => {
      for (let i = 0; publishing && i < 5000; i++) {
        const message = `burst ${i}`;
        try {
          await cp.ok("PUT", "/v1/routes/app", { name: "app", paths: ["/app", `/burst-${i}`], upstream: "app" });
          const r = await cp.ok("POST", "/v1/config/versions", { message });
          answered.push({ version: r.version, message });
        } catch {
          // The control plane is down (killed, or not listening yet): the edit is retried by the next round.
          await sleep(50);
        }
      }
    })();
    await eventually("a few publishes answered", async () => (answered.length >= 5 ? true : undefined), 60_000);
    await killAndRestart();
    const afterRestart = answered.length;
    await eventually(
      "publishes answered by the restarted control plane",
      async () => (answered.length >= afterRestart + 5 ? true : undefined),
      60_000,
    );
    publishing = false;
    await burst;

    const stored = await versions();
    const byVersion = new Map(stored.map((v) => [v.version as number, v]));
    for (const a of answered)
      assert.equal(byVersion.get(a.version)?.message, a.message, `version ${a.version} answered, then kept`);
    const numbers = stored.map((v) => v.version as number).sort((a, b) => a - b);
    assert.equal(new Set(numbers).size, numbers.length, "no version number twice");
    assert.deepEqual(
      numbers,
      Array.from({ length: numbers.length }, (_, i) => i + 1),
      "one sequence from 1, no gap",
    );
    const newest = numbers.at(-1) as number;
    await cp.waitForNodes(ids(), newest, 60_000);
    for (const l of loops) assert.deepEqual(l.failures, [], "no client request failed");
  });

  test("killed mid-rollout: the rollout resumes under the restarted control plane and completes", async () => {
    await cp.ok("POST", "/v1/routes", { name: "extra", paths: ["/extra"], upstream: "app" });
    const v = (await cp.ok("POST", "/v1/config/versions", { message: "staged", deploy: "none" })).version as number;
    const started = await cp.ok("POST", "/v1/rollouts", {
      version: v,
      strategy: "default",
      soak_s: 2,
      gates: [{ metric: "error_rate_5xx", threshold: 0.05, min_requests: 10 }],
      progress_deadline_s: 60,
    });
    await eventually(
      "the rollout past its first stage",
      async () => {
        const r = await rollout(started.id);
        return r.current_stage >= 1 && r.state === "running" ? r : undefined;
      },
      60_000,
    );
    await killAndRestart();
    const resumed = await rollout(started.id);
    assert.ok(["running", "succeeded"].includes(resumed.state), `after the kill: ${resumed.state}`);
    const done = await eventually(
      "the rollout to complete",
      async () => {
        const r = await rollout(started.id);
        if (!["running", "succeeded"].includes(r.state))
          throw new Error(`rollout ended ${r.state}: ${JSON.stringify(r.events.at(-1))}`);
        return r.state === "succeeded" ? r : undefined;
      },
      120_000,
    );
    assert.equal(done.state, "succeeded");
    await cp.waitForNodes(ids(), v, 60_000);
    const served = loops.reduce((n, l) => n + l.ok, 0);
    assert.ok(served > 0, "the loops served traffic");
    for (const l of loops) assert.deepEqual(l.failures, [], "no client request failed");
  });
});
