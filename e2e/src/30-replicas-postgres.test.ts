/**
 * Two control-plane replicas on one real PostgreSQL with real nodes (issue 19 points 2 and 3).
 * The nodes take both addresses, in opposite orders, so each replica holds some of the streams.
 * A staged rollout with a gate is started through the follower; the leader runs it. Mid-rollout
 * the leader is killed with SIGKILL: what a user checks is that the other replica takes the
 * lead, resumes the rollout where it stood and completes it with every stage made once (one
 * event of each kind per stage), that the killed replica's nodes reconnect to the survivor
 * without losing their place and ACK the next version published there, and that not one client
 * request failed. The takeover and reconnection times are printed (diagnostics, not asserted).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type PostgresCluster, startPostgres } from "@palisade/test-support";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { TrafficLoop } from "./harness/traffic-loop.js";
import { RecordingUpstream } from "./harness/upstream.js";

/** Requests per node at most, whatever happens (the loop also stops at the end). */
const MAX_REQUESTS_PER_NODE = 20_000;
const LEADING = "leading: rollouts and sweeps run here";

describe("replicas: two control planes on one PostgreSQL, the leader killed mid-rollout", () => {
  let pg: PostgresCluster;
  let upstream: RecordingUpstream;
  let a: ControlPlaneProcess;
  let b: ControlPlaneProcess;
  const nodes: DataPlaneProcess[] = [];
  const loops: TrafficLoop[] = [];
  const ids = () => nodes.map((n) => n.nodeId);

  before(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase("replicas");
    upstream = await new RecordingUpstream("replicas-app").start();
    const args = ["--rollout-tick-ms", "250"];
    a = await new ControlPlaneProcess(undefined, { databaseUrl: url, extraArgs: args }).start();
    await a.proc.waitForLine((l) => l.includes(LEADING), "A leading");
    b = await new ControlPlaneProcess(undefined, { databaseUrl: url, extraArgs: args }).start();
    await a.ok("POST", "/v1/upstreams", { name: "app", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await a.ok("POST", "/v1/routes", { name: "app", paths: ["/app"], upstream: "app" });
    const v1 = (await a.ok("POST", "/v1/config/versions", { message: "v1" })).version;
    // Two nodes dial A first, one dials B first; each may fail over to the other.
    const spec: ReadonlyArray<[string, string, ControlPlaneProcess, ControlPlaneProcess]> = [
      ["rep-eu-1", "eu-west", a, b],
      ["rep-eu-2", "eu-west", b, a],
      ["rep-us-1", "us-east", a, b],
    ];
    for (const [id, region, first, second] of spec)
      nodes.push(
        await new DataPlaneProcess(id, first.syncPort, {
          region,
          extraArgs: ["--report-interval", "500", "--control-plane", `localhost:${second.syncPort}`],
        }).start(),
      );
    await b.waitForNodes(ids(), v1, 60_000);
    for (const n of nodes) loops.push(new TrafficLoop(n, { pauseMs: 10, maxRequests: MAX_REQUESTS_PER_NODE }));
  });

  after(async () => {
    await Promise.all(loops.map((l) => l.stop()));
    await Promise.all(nodes.map((n) => n.destroy()));
    await a?.destroy();
    await b?.destroy();
    await upstream?.stop();
    await pg?.stop();
  });

  test("the follower takes the lead, resumes the rollout and completes it once; the nodes of the killed replica move over and ACK its next version", async (t) => {
    assert.equal(b.proc.output().includes(LEADING), false, "B follows while A leads");
    await b.ok("POST", "/v1/routes", { name: "extra", paths: ["/extra"], upstream: "app" });
    const v2 = (await b.ok("POST", "/v1/config/versions", { message: "staged", deploy: "none" })).version as number;
    const started = await b.ok("POST", "/v1/rollouts", {
      version: v2,
      strategy: {
        stages: [
          { name: "eu", selector: { regions: ["eu-west"] }, soak_s: 2 },
          { name: "us", selector: { regions: ["us-east"] }, soak_s: 2 },
        ],
      },
      gates: [{ metric: "error_rate_5xx", threshold: 0.05, min_requests: 10 }],
      progress_deadline_s: 60,
    });
    // The leader (A) moves it on; the follower that took the request sees the same record.
    await eventually(
      "the rollout past its first stage",
      async () => {
        const r = await b.ok("GET", `/v1/rollouts/${started.id}`);
        return r.current_stage >= 1 && r.state === "running" ? r : undefined;
      },
      60_000,
    );

    const killedAt = Date.now();
    await a.proc.kill();
    const since = async (p: Promise<unknown>) => {
      await p;
      return Date.now() - killedAt;
    };
    // B takes the lead; both nodes that were on A say hello to B (their second address).
    const [takeoverMs, ...reconnectMs] = await Promise.all([
      since(b.proc.waitForLine((l) => l.includes(LEADING), "B leading after A died")),
      ...[nodes[0]!, nodes[2]!].map((n) =>
        since(
          n.proc.waitForLine(
            (l) => l.includes("config stream connected") && l.includes(`:${b.syncPort}`),
            `${n.nodeId} on B`,
          ),
        ),
      ),
    ]);

    const done = await eventually(
      "the rollout to complete under B",
      async () => {
        const r = await b.ok("GET", `/v1/rollouts/${started.id}`);
        if (!["running", "succeeded"].includes(r.state))
          throw new Error(`rollout ended ${r.state}: ${JSON.stringify(r.events.at(-1))}`);
        return r.state === "succeeded" ? r : undefined;
      },
      120_000,
    );
    const types = (done.events as Array<{ type: string }>).map((e) => e.type);
    assert.deepEqual(
      types.filter((x) => x !== "node_joined"),
      [
        "started",
        "stage_started",
        "stage_soaking",
        "stage_passed",
        "stage_started",
        "stage_soaking",
        "stage_passed",
        "succeeded",
      ],
      "every transition made once, across the two leaders",
    );
    await b.waitForNodes(ids(), v2, 60_000);

    // The next version, published on the survivor, reaches every node (ACKed there).
    await b.ok("PUT", "/v1/routes/extra", { name: "extra", paths: ["/extra", "/extra2"], upstream: "app" });
    const v3 = (await b.ok("POST", "/v1/config/versions", { message: "after the failover" })).version as number;
    const acked = await b.waitForNodes(ids(), v3, 60_000);
    assert.ok(acked.every((n) => n.last_ack_at));
    const served = loops.reduce((n, l) => n + l.ok, 0);
    assert.ok(served > 0, "the loops served traffic");
    for (const l of loops) assert.deepEqual(l.failures, [], "no client request failed");
    t.diagnostic(
      `leader takeover ${takeoverMs} ms after SIGKILL; the killed replica's nodes on the survivor after ${reconnectMs.join(", ")} ms`,
    );
  });
});
