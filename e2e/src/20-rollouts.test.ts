/**
 * Staged rollouts with real processes (issue 7): one control plane, 4 nodes in 3 regions
 * (eu-west ×2, us-east, ap-south) reporting every 500 ms, traffic driven at each node by a
 * bounded loop. A good version walks canary → regions → all; a version whose route's upstream
 * answers 5xx is stopped at the canary by the 5xx gate and rolled back (the other nodes never
 * hold it); a paused rollout survives a control-plane restart and resumes; abort returns touched
 * nodes to their previous version. Prints `ROLLBACK_MS=<n>`: from the failing gate event to the
 * canary's ACK of its previous version (both control-plane clock readings).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { TrafficLoop } from "./harness/traffic-loop.js";
import { RecordingUpstream } from "./harness/upstream.js";

const NODES: ReadonlyArray<[string, string]> = [
  ["ro-eu-1", "eu-west"],
  ["ro-eu-2", "eu-west"],
  ["ro-us-1", "us-east"],
  ["ro-ap-1", "ap-south"],
];
/** Requests per node at most, whatever happens (the loop also stops at the end). */
const MAX_REQUESTS_PER_NODE = 20_000;
const GATES = [{ metric: "error_rate_5xx", threshold: 0.05, min_requests: 20 }];
/** A `POST /v1/rollouts` body: `version` by the default strategy, soaking `soakS` s per stage behind the 5xx gate. */
const staged = (version: number, soakS: number) => ({
  version,
  strategy: "default",
  soak_s: soakS,
  gates: GATES,
  progress_deadline_s: 60,
});

/** An upstream that answers 500 to everything: the broken backend of a bad version. */
async function failingUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("broken");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe("staged rollouts: canary → regions → all, gates, rollback, pause across a restart, abort", () => {
  let good: RecordingUpstream;
  let bad: { server: Server; port: number };
  let cp: ControlPlaneProcess;
  const nodes: DataPlaneProcess[] = [];
  const loops: TrafficLoop[] = [];

  const rollout = (id: string) => cp.ok("GET", `/v1/rollouts/${id}`);
  const inventory = async () => (await cp.ok("GET", "/v1/nodes")).items as any[];
  const applied = async () => Object.fromEntries((await inventory()).map((n) => [n.id, n.applied_version]));
  /** Publishes the draft without deploying it (for a rollout); returns the version number. */
  const stage = async (message: string) =>
    (await cp.ok("POST", "/v1/config/versions", { message, deploy: "none" })).version as number;
  const waitFor = (id: string, state: string, timeoutMs = 90_000) =>
    eventually(
      `rollout ${id} ${state}`,
      async () => {
        const r = await rollout(id);
        if (r.state !== state && r.state !== "running" && r.state !== "paused")
          throw new Error(`rollout ended ${r.state}: ${JSON.stringify(r.events.at(-1))}`);
        return r.state === state ? r : undefined;
      },
      timeoutMs,
    );
  /** Whether a node's own log says it applied `version` at some point. */
  const everApplied = (node: DataPlaneProcess, version: number) =>
    node.proc
      .output()
      .split("\n")
      .some((l) => /"msg":"config (applied|unchanged)/.test(l) && l.includes(`"version":${version},`));

  before(async () => {
    good = await new RecordingUpstream("good").start();
    bad = await failingUpstream();
    cp = await new ControlPlaneProcess(undefined, { extraArgs: ["--rollout-tick-ms", "250"] }).start();
    await cp.ok("POST", "/v1/upstreams", { name: "app", targets: [{ host: "127.0.0.1", port: good.port }] });
    await cp.ok("POST", "/v1/routes", { name: "app", paths: ["/app"], upstream: "app" });
    const v1 = await cp.ok("POST", "/v1/config/versions", { message: "v1" });
    assert.equal(v1.stable_version, 1, "publishing to all (the default) makes the version stable");
    for (const [id, region] of NODES)
      nodes.push(
        await new DataPlaneProcess(id, cp.syncPort, { region, extraArgs: ["--report-interval", "500"] }).start(),
      );
    await cp.waitForNodes(
      nodes.map((n) => n.nodeId),
      1,
    );
    for (const n of nodes) loops.push(new TrafficLoop(n, { pauseMs: 15, maxRequests: MAX_REQUESTS_PER_NODE }));
  });

  after(async () => {
    await Promise.all(loops.map((l) => l.stop()));
    await Promise.all(nodes.map((n) => n.destroy()));
    await cp?.destroy();
    await good?.stop();
    bad?.server.closeAllConnections();
    await new Promise<void>((resolve) => (bad ? bad.server.close(() => resolve()) : resolve()));
  });

  test("a good version walks canary → each region → all and ends with every node on it", async () => {
    await cp.ok("POST", "/v1/routes", { name: "extra", paths: ["/extra"], upstream: "app" });
    const v2 = await stage("v2: one more route");
    assert.equal(v2, 2);
    assert.deepEqual(Object.values(await applied()), [1, 1, 1, 1], "deploy none: no node is sent it");
    assert.ok((await inventory()).every((n) => n.desired_version === 1));
    const started = await cp.api("POST", "/v1/rollouts", staged(v2, 2));
    assert.equal(started.status, 201, started.text);
    const r0 = started.json();
    const canary = r0.stages[0].nodes[0].id as string;
    const canaryRegion = NODES.find(([id]) => id === canary)![1];
    assert.deepEqual(
      r0.stages.map((s: any) => s.name),
      [
        "canary",
        `region ${canaryRegion}`,
        ...["ap-south", "eu-west", "us-east"].filter((x) => x !== canaryRegion).map((x) => `region ${x}`),
        "all",
      ],
    );
    const info = await cp.ok("GET", "/v1/info");
    for (const e of ["GET /v1/rollouts", "POST /v1/rollouts", "GET /v1/rollouts/:id", "POST /v1/rollouts/:id/abort"])
      assert.ok(info.endpoints.includes(e), e);

    const r = await waitFor(r0.id, "succeeded");
    assert.deepEqual(
      r.stages.map((s: any) => s.state),
      r.stages.map(() => "passed"),
    );
    const starts = r.events.filter((e: any) => e.type === "stage_started").map((e: any) => e.stage);
    assert.deepEqual(
      starts,
      r.stages.map((s: any) => s.name),
      "stages ran in order",
    );
    for (let i = 1; i < r.stages.length; i++)
      assert.ok(r.stages[i].started_at >= r.stages[i - 1].finished_at, "each stage after the previous one passed");
    const gate = r.stages[0].gates[0];
    assert.equal(gate.verdict, "pass");
    assert.ok(gate.requests >= 20, "the canary's gate judged real traffic");
    await cp.waitForNodes(
      nodes.map((n) => n.nodeId),
      2,
    );
    assert.equal((await cp.ok("GET", "/v1/config/versions")).stable_version, 2);
    const list = await cp.ok("GET", "/v1/rollouts");
    assert.equal(list.items[0].id, r0.id);
  });

  test("a version that breaks a route is stopped at the canary by the 5xx gate and rolled back; no other node holds it", async () => {
    await cp.ok("PUT", "/v1/upstreams/app", { name: "app", targets: [{ host: "127.0.0.1", port: bad.port }] });
    const v3 = await stage("v3: the app upstream answers 500");
    const started = await cp.ok("POST", "/v1/rollouts", staged(v3, 120));
    const canary = started.stages[0].nodes[0].id as string;
    const r = await waitFor(started.id, "rolled_back");
    assert.equal(r.stages[0].state, "failed");
    assert.deepEqual(
      r.stages.slice(1).map((s: any) => s.state),
      r.stages.slice(1).map(() => "skipped"),
    );
    assert.deepEqual(
      r.touched_nodes.map((n: any) => [n.id, n.previous_version]),
      [[canary, 2]],
    );
    const failed = r.events.find((e: any) => e.type === "gate_failed");
    assert.match(failed.message, /error_rate_5xx/);
    assert.equal(failed.stage, "canary");
    // The canary goes back to v2 by itself; its ACK time against the gate failure's time.
    const back = await eventually(`${canary} back on v2`, async () => {
      const n = (await inventory()).find((x) => x.id === canary);
      return n.applied_version === 2 ? n : undefined;
    });
    const rollbackMs = Date.parse(back.last_ack_at) - Date.parse(failed.at);
    console.log(`ROLLBACK_MS=${rollbackMs}`);
    // For the record: from the canary's ACK of the bad version (soak start) to the failing gate.
    const soaking = r.events.find((e: any) => e.type === "stage_soaking");
    console.log(`GATE_DETECT_MS=${Date.parse(failed.at) - Date.parse(soaking.at)}`);
    assert.ok(rollbackMs >= 0);
    await eventually("rollback_complete event", async () =>
      (await rollout(started.id)).events.some((e: any) => e.type === "rollback_complete") ? true : undefined,
    );
    const versions = await applied();
    for (const node of nodes) {
      assert.equal(versions[node.nodeId], 2, `${node.nodeId} on v2`);
      if (node.nodeId !== canary) assert.equal(everApplied(node, v3), false, `${node.nodeId} never held v3`);
    }
    assert.equal(everApplied(nodes.find((n) => n.nodeId === canary)!, v3), true, "the canary did hold it");
    assert.equal((await cp.ok("GET", "/v1/config/versions")).stable_version, 2);
  });

  test("a rollout paused mid-way survives a control-plane restart, stays paused, and resumes", async () => {
    await cp.ok("PUT", "/v1/upstreams/app", { name: "app", targets: [{ host: "127.0.0.1", port: good.port }] });
    await cp.ok("POST", "/v1/routes", { name: "extra4", paths: ["/extra4"], upstream: "app" });
    const v4 = await stage("v4: fixed, and another route");
    const started = await cp.ok("POST", "/v1/rollouts", staged(v4, 3));
    // Mid-way: the canary stage passed, the first region stage is under way.
    await eventually(
      "second stage under way",
      async () => {
        const r = await rollout(started.id);
        return r.current_stage === 1 && r.stages[1].state === "soaking" ? r : undefined;
      },
      60_000,
    );
    const paused = await cp.ok("POST", `/v1/rollouts/${started.id}/pause`, {});
    assert.equal(paused.state, "paused");
    const conflict = await cp.api("POST", `/v1/rollouts/${started.id}/pause`, {});
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json().error.code, "ROLLOUT_STATE");
    const untouched = NODES.map(([id]) => id).filter((id) => !paused.touched_nodes.some((n: any) => n.id === id));
    assert.ok(untouched.length > 0);

    await cp.stop();
    await cp.start();
    const restartedAt = new Date().toISOString();
    await eventually(
      "every node reconnected and reporting",
      async () => {
        const items = await inventory();
        return items.every((n) => n.status === "connected" && n.report && n.last_seen_at > restartedAt)
          ? true
          : undefined;
      },
      30_000,
    );
    const after = await rollout(started.id);
    assert.equal(after.state, "paused", "paused stays paused across the restart");
    assert.equal(after.current_stage, 1);
    assert.equal(after.stages[2].state, "pending");
    const versions = await applied();
    for (const id of untouched) assert.equal(versions[id], 2, `${id} not touched while paused`);

    const resumed = await cp.ok("POST", `/v1/rollouts/${started.id}/resume`, {});
    assert.equal(resumed.state, "running");
    const done = await waitFor(started.id, "succeeded");
    assert.ok(done.events.some((e: any) => e.type === "resumed"));
    await cp.waitForNodes(
      nodes.map((n) => n.nodeId),
      v4,
    );
  });

  test("abort returns every touched node to its previous version; publishing to all is refused meanwhile", async () => {
    await cp.ok("POST", "/v1/routes", { name: "extra5", paths: ["/extra5"], upstream: "app" });
    const v5 = await stage("v5");
    const started = await cp.ok("POST", "/v1/rollouts", staged(v5, 600));
    const second = await cp.api("POST", "/v1/rollouts", { version: v5, strategy: "all-now" });
    assert.equal(second.status, 409);
    assert.equal(second.json().error.code, "ROLLOUT_ACTIVE");
    const publish = await cp.api("POST", "/v1/config/versions", { message: "to all" });
    assert.equal(publish.status, 409);
    assert.equal(publish.json().error.code, "ROLLOUT_ACTIVE");
    assert.ok(publish.json().error.message.includes(started.id), "the refusal names the rollout");
    // Promote the canary to reach a region stage: more than one node touched.
    await eventually("canary soaking", async () =>
      (await rollout(started.id)).stages[0].state === "soaking" ? true : undefined,
    );
    await cp.ok("POST", `/v1/rollouts/${started.id}/promote`, {});
    const mid = await eventually("region stage soaking", async () => {
      const r = await rollout(started.id);
      return r.stages[1].state === "soaking" ? r : undefined;
    });
    const touched = mid.touched_nodes.map((n: any) => n.id) as string[];
    const versions = await applied();
    for (const id of touched) assert.equal(versions[id], v5, `${id} took v5`);
    const aborted = await cp.ok("POST", `/v1/rollouts/${started.id}/abort`, {});
    assert.equal(aborted.state, "aborted");
    assert.equal(aborted.events.find((e: any) => e.type === "aborted").who, "PALISADE_ADMIN_TOKEN");
    await cp.waitForNodes(
      nodes.map((n) => n.nodeId),
      v5 - 1,
    );
    for (const node of nodes)
      if (!touched.includes(node.nodeId)) assert.equal(everApplied(node, v5), false, `${node.nodeId} never held v5`);
    const audit = await cp.ok("GET", "/v1/audit?kind=rollouts");
    assert.ok(audit.items.some((e: any) => e.kind === "rollouts/abort" && e.resource_id === started.id));
    const traffic = loops.map((l) => l.counts);
    assert.ok(
      traffic.every((c) => (c["2xx"] ?? 0) > 0),
      `traffic reached every node: ${JSON.stringify(traffic)}`,
    );
  });
});
