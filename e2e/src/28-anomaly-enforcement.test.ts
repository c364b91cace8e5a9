/**
 * Anomaly detection through real processes (issue 16 point 7): a control plane and two nodes in
 * two regions, `enforce` mode. A brute force spread over both nodes is detected by the control
 * plane's fleet view, the attacker is denied (403 ANOMALY_DENIED with Retry-After) on BOTH
 * nodes, an operator unblocks it, an allow-listed client attacking the same way is never
 * denied, and a manual block reaches both nodes. Client addresses are loopback aliases
 * (127.0.0.x: the kernel routes all of 127/8 to lo), so the nodes see distinct clients.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess, httpFrom, loginAndPublicRoutes } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

const ATTACKER = "127.0.0.3";
const ALLOWED = "127.0.0.4";
const BYSTANDER = "127.0.0.5";

const from = httpFrom;

describe("anomaly detection: fleet-wide detection, enforcement on every node, unblock, allow list", () => {
  let upstream: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let n1: DataPlaneProcess;
  let n2: DataPlaneProcess;

  /** Failed logins from `address`, alternating between the two nodes, until `stop` says so. */
  async function bruteForce(address: string, stop: () => Promise<boolean>, max = 400): Promise<number> {
    let sent = 0;
    while (sent < max) {
      const node = sent % 2 === 0 ? n1 : n2;
      await from(address, node.proxyPort, `/login/attempt-${sent}`);
      sent++;
      if (sent % 10 === 0 && (await stop())) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    return sent;
  }

  before(async () => {
    upstream = await new RecordingUpstream("app").start();
    cp = await new ControlPlaneProcess().start();
    await loginAndPublicRoutes(cp, upstream.port);
    await cp.ok("PUT", "/v1/anomalies/config", {
      enabled: true,
      mode: "enforce",
      allow: { cidrs: [`${ALLOWED}/32`] },
    });
    await cp.ok("POST", "/v1/config/versions", { message: "anomaly detection in enforce mode" });
    n1 = await new DataPlaneProcess("anomaly-eu-1", cp.syncPort, { region: "eu-west" }).start();
    n2 = await new DataPlaneProcess("anomaly-us-1", cp.syncPort, { region: "us-east" }).start();
    await cp.waitForNodes([n1.nodeId, n2.nodeId], 1);
  });

  after(async () => {
    await Promise.all([n1?.destroy(), n2?.destroy()]);
    await cp?.destroy();
    await upstream?.stop();
  });

  test("a bad threshold is refused with the field at fault", async () => {
    const r = await cp.api("PUT", "/v1/anomalies/config", {
      enabled: true,
      thresholds: { routes: { login: { bruteForce: { minPerMin: -3 } } } },
    });
    assert.equal(r.status, 400);
    assert.equal(r.json().error.code, "VALIDATION_FAILED");
    assert.equal(r.json().error.field, "anomaly.thresholds.routes.login.bruteForce.minPerMin");
  });

  test("a brute force spread over both nodes is detected and the client denied on both, until unblocked", async (t) => {
    const denied = async (node: DataPlaneProcess) => (await from(ATTACKER, node.proxyPort, "/public/x")).status === 403;
    await bruteForce(ATTACKER, async () => (await denied(n1)) && (await denied(n2)));
    const detections = (await cp.ok("GET", "/v1/anomalies/detections")).items as any[];
    const mine = detections.filter((d) => d.subject.type === "address" && d.subject.id === ATTACKER);
    assert.ok(mine.length > 0, "a detection names the attacker");
    assert.equal(mine[0].kind, "brute_force");
    assert.match(mine[0].explanation, /failed logins\/min from 127\.0\.0\.3/);
    const detectedAt = Math.min(...mine.map((d) => Date.parse(d.detected_at)));

    // Denied on BOTH nodes, with the stable code and Retry-After.
    const seen: number[] = [];
    for (const node of [n1, n2]) {
      const r = await eventually(`${node.nodeId} denies the attacker`, async () => {
        const a = await from(ATTACKER, node.proxyPort, "/public/anything");
        return a.status === 403 ? a : undefined;
      });
      seen.push(Date.now());
      assert.equal(r.json().error.code, "ANOMALY_DENIED");
      assert.ok(Number(r.headers["retry-after"]) > 0, "Retry-After is set");
    }
    t.diagnostic(
      `detection → denied on both nodes by ${Math.max(...seen) - detectedAt} ms (at most; probes run after the attack)`,
    );
    // A bystander is served.
    assert.equal((await from(BYSTANDER, n1.proxyPort, "/public/x")).status, 200);

    const decisions = (await cp.ok("GET", "/v1/anomalies/decisions")).items as any[];
    const d = decisions.find((x) => x.target_id === ATTACKER);
    assert.equal(d.action, "deny");
    assert.equal(d.kind, "brute_force");

    // The operator lifts it (palisadectl): both nodes serve the client again.
    const ctl = await cp.palisadectl("anomalies", "unblock", "address", ATTACKER);
    assert.equal(ctl.code, 0, ctl.err);
    for (const node of [n1, n2])
      await eventually(`${node.nodeId} serves the unblocked client`, async () =>
        (await from(ATTACKER, node.proxyPort, "/public/x")).status === 200 ? true : undefined,
      );
  });

  test("an allow-listed client is detected but never denied", async () => {
    let detected = false;
    await bruteForce(
      ALLOWED,
      async () => {
        const items = (await cp.ok("GET", "/v1/anomalies/detections")).items as any[];
        detected = items.some((d) => d.subject.id === ALLOWED);
        return detected;
      },
      600,
    );
    assert.ok(detected, "the allow-listed client's brute force is detected");
    const decisions = (await cp.ok("GET", "/v1/anomalies/decisions")).items as any[];
    assert.ok(!decisions.some((x) => x.target_id === ALLOWED), "no decision against an allow-listed client");
    for (const node of [n1, n2]) assert.equal((await from(ALLOWED, node.proxyPort, "/public/x")).status, 200);
  });

  test("a manual block reaches both nodes; a throttle answers 429 with Retry-After", async () => {
    const made = await cp.api("POST", "/v1/anomalies/decisions", {
      target_type: "address",
      target_id: BYSTANDER,
      action: "throttle",
      rate_per_s: 1,
      ttl_s: 60,
      reason: "manual test",
    });
    assert.equal(made.status, 201);
    for (const node of [n1, n2]) {
      const r = await eventually(`${node.nodeId} throttles the client`, async () => {
        await from(BYSTANDER, node.proxyPort, "/public/x");
        const a = await from(BYSTANDER, node.proxyPort, "/public/x");
        return a.status === 429 ? a : undefined;
      });
      assert.equal(r.json().error.code, "ANOMALY_THROTTLED");
      assert.ok(Number(r.headers["retry-after"]) >= 1);
    }
    assert.equal((await cp.api("DELETE", `/v1/anomalies/decisions/address/${BYSTANDER}`)).status, 204);
    assert.equal((await cp.api("DELETE", `/v1/anomalies/decisions/address/${BYSTANDER}`)).status, 404);
  });

  test("detections and decisions are security events with their explanation", async () => {
    const r = await cp.ok("GET", "/v1/security-events?category=anomaly&limit=200");
    const docs = (r.items ?? r.events ?? r) as any[];
    const detection = docs.find((e) => JSON.stringify(e).includes("detected") && JSON.stringify(e).includes(ATTACKER));
    assert.ok(detection, "the detection is stored as an anomaly security event");
    assert.match(JSON.stringify(detection), /failed logins\/min from 127\.0\.0\.3/);
  });
});
