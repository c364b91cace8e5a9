/**
 * Anomaly detection on a multi-worker node (issue 16; data plane `--workers 2`): each proxy
 * process runs its own detector thread and sends its own summary every 5 s; the control plane
 * adds the workers' summaries up like two nodes', never one instead of the other. Failed logins
 * from five addresses, each address's attempts handed to the two workers in turn (the primary
 * gives each new connection to the next worker), stay under the node's floor of 10 failed
 * logins/min in every worker (8/min each) and are detected only because both workers' records
 * reach the control plane; in `enforce` mode every attacker is then denied by both workers.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess, httpFrom, loginAndPublicRoutes } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

/** An odd number of addresses, so each one's attempts alternate between the two workers. */
const ATTACKERS = ["127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24", "127.0.0.25"];
const BYSTANDER = "127.0.0.26";
/** Failed logins per minute per address, over both workers: 8/min in each (floor 10). */
const PER_MIN = 16;

describe("anomaly detection on a node with two workers", () => {
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  before(async () => {
    upstream = await new RecordingUpstream("app").start();
    cp = await new ControlPlaneProcess().start();
    await loginAndPublicRoutes(cp, upstream.port);
    await cp.ok("PUT", "/v1/anomalies/config", { enabled: true, mode: "enforce" });
    const { version } = await cp.ok("POST", "/v1/config/versions", { message: "anomaly detection, enforce" });
    dp = await new DataPlaneProcess("anomaly-workers", cp.syncPort, {
      region: "eu-west",
      extraArgs: ["--workers", "2"],
    }).start();
    await cp.waitForNodes([dp.nodeId], version);
    assert.equal((await dp.config()).workers.length, 2);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream?.stop();
  });

  test("failed logins split over both workers are detected from the sum of their summaries; both workers deny", async (t) => {
    const detections = async () =>
      ((await cp.ok("GET", "/v1/anomalies/detections?limit=1000")).items as any[]).filter(
        (d) => d.subject.type === "address" && ATTACKERS.includes(d.subject.id),
      );
    const gapMs = 60_000 / PER_MIN / ATTACKERS.length;
    let sent = 0;
    let named = new Set<string>();
    // At most 4 minutes of attempts (16/min reaches the floor of 10 within about a minute).
    while (sent < ATTACKERS.length * PER_MIN * 4) {
      const a = await httpFrom(ATTACKERS[sent % ATTACKERS.length]!, dp.proxyPort, `/login/attempt-${sent}`);
      // 401: a login without a key fails; 403 once the attacker is denied (enforce mode).
      assert.ok(a.status === 401 || a.status === 403, `status ${a.status}`);
      sent++;
      if (sent % ATTACKERS.length === 0) {
        named = new Set((await detections()).map((d) => d.subject.id as string));
        if (named.size === ATTACKERS.length) break;
      }
      await new Promise((r) => setTimeout(r, gapMs));
    }
    t.diagnostic(`${sent} failed logins sent before every attacker was named`);
    assert.deepEqual([...named].sort(), ATTACKERS, "every attacker is detected");
    const ds = await detections();
    // Neither worker alone reached the floor: no detection of these addresses by the node's own
    // detectors (level node, one per worker); the control plane's merged view found them.
    assert.deepEqual(
      ds.filter((d) => d.level === "node").map((d) => `${d.scope} ${d.explanation}`),
      [],
      "no worker saw 10 failed logins/min from one address on its own",
    );
    for (const d of ds) {
      assert.equal(d.kind, "brute_force");
      assert.ok(d.observed >= 10, `${d.subject.id}: ${d.observed}/min, the sum of both workers' counts`);
    }

    // Enforcement in both workers: consecutive new connections go to the workers in turn, and
    // every one of them refuses each attacker.
    for (const address of ATTACKERS) {
      await eventually(`the node denies ${address}`, async () =>
        (await httpFrom(address, dp.proxyPort, "/public/x")).status === 403 ? true : undefined,
      );
      for (let i = 0; i < 4; i++) {
        const r = await httpFrom(address, dp.proxyPort, `/public/probe-${i}`);
        assert.equal(r.status, 403, `${address}, probe ${i}: denied by whichever worker took it`);
        assert.equal(r.json().error.code, "ANOMALY_DENIED");
        assert.ok(Number(r.headers["retry-after"]) > 0, "Retry-After is set");
      }
    }
    for (let i = 0; i < 4; i++) assert.equal((await httpFrom(BYSTANDER, dp.proxyPort, "/public/x")).status, 200);
  });
});
