/**
 * The WAF on real nodes (issue 14, acceptance): a control plane, two nodes in two regions
 * (reports every 500 ms) and a recording upstream. A route in block mode stops the W attack cases
 * of Palisade's case corpus (fixtures/waf-cases.json, copied from the shared corpus) with 403
 * `WAF_BLOCKED` — nothing reaches the upstream — and lets the B cases through; in detect mode the
 * same attacks pass and the node records the events (its `/security-events`, and the control
 * plane's `GET /v1/security/waf` from the nodes' reports); exclusions by rule id, tag and target
 * work; a rule set change reaches the nodes by config push and a route change never resends it;
 * a staged rollout from detect to block advances on clean traffic, and a gate on the WAF block
 * rate (`security_event_rate:waf_blocked`) stops one whose canary blocks too much.
 *
 * Requests carry what a real client sends (the case's headers plus curl's `User-Agent` and
 * `Accept`, and for a body `Content-Length` and — as `curl --data` does — a form Content-Type
 * when the case gives none). CRS v4.28.0 at paranoia level 1 misses W07 and W27 (PL2 rules) and
 * W41 (920250 scores 3, under the threshold), as ModSecurity 3 does: Palisade's own rules
 * (waf/rules/palisade-rules.conf, 210100/210200/210300, bundled with CRS) block them, so every W
 * case is asserted; B15, CRS's known false positive (941100 on an XML declaration), passes.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ControlPlaneProcess, DataPlaneProcess, updateBytes } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { rawRequest, sendRaw } from "./harness/raw-client.js";
import { RecordingUpstream } from "./harness/upstream.js";

interface Case {
  id: string;
  note?: string;
  request: { method: string; target: string; headers: [string, string][]; body: string };
}
const CASES = (
  JSON.parse(readFileSync(new URL("../fixtures/waf-cases.json", import.meta.url), "utf8")) as { cases: Case[] }
).cases;

/** One case as raw bytes: Host replaced by `host` (unless the case sends an empty one), curl's defaults added. */
function caseBytes(c: Case, host: string): Buffer {
  const headers: [string, string][] = c.request.headers.map(([k, v]) =>
    k.toLowerCase() === "host" && v !== "" ? [k, host] : [k, v],
  );
  const has = (n: string) => headers.some(([k]) => k.toLowerCase() === n);
  if (!has("user-agent")) headers.push(["User-Agent", "curl/8.5.0"]);
  if (!has("accept")) headers.push(["Accept", "*/*"]);
  headers.push(["X-Case-Id", c.id]);
  const body = Buffer.from(c.request.body, "utf8");
  if (body.length > 0 && !has("content-type")) headers.push(["Content-Type", "application/x-www-form-urlencoded"]);
  if (body.length > 0) headers.push(["Content-Length", String(body.length)]);
  headers.push(["Connection", "close"]);
  const version = c.note?.includes("HTTP/1.0") ? "HTTP/1.0" : "HTTP/1.1";
  return Buffer.concat([
    Buffer.from(rawRequest(c.request.method, c.request.target, headers, "", version), "utf8"),
    body,
  ]);
}

describe("WAF enforcement on real nodes: block, detect, exclusions, rule set push, detect → block rollout", () => {
  const upstream = new RecordingUpstream("waf-app");
  const dir = mkdtempSync(join(tmpdir(), "palisade-e2e-waf-run-"));
  let cp: ControlPlaneProcess;
  const nodes: DataPlaneProcess[] = [];
  let version = 0;

  const publish = async (message: string) => {
    version = (await cp.ok("POST", "/v1/config/versions", { message })).version;
    await cp.waitForNodes(
      nodes.map((n) => n.nodeId),
      version,
    );
  };
  /** Sends a case to node 0 under `host`: the answer and whether the upstream saw it. */
  const sendCase = async (c: Case, host: string) => {
    const seen = () => upstream.seen.filter((s) => s.headers["x-case-id"] === c.id).length;
    const before = seen();
    const r = await sendRaw(nodes[0]!.proxyPort, caseBytes(c, host), { responses: 1 });
    const answer = r.responses[0];
    return {
      status: answer?.status ?? 0,
      code: answer !== undefined && answer.status >= 400 ? (answer.json().error?.code as string) : "",
      eventId: answer !== undefined && answer.status === 403 ? (answer.json().error?.event_id as string) : "",
      reached: seen() > before,
    };
  };
  const route = (name: string, host: string | null, policies: string[]) =>
    cp.ok("POST", "/v1/routes", {
      name,
      paths: ["/"],
      ...(host === null ? {} : { hosts: [host], priority: 10 }),
      upstream: "app",
      policies,
    });
  const writeRules = (text: string) => {
    mkdirSync(join(dir, "probe", "rules"), { recursive: true });
    writeFileSync(join(dir, "probe", "crs-setup.conf"), "# no setup\n");
    writeFileSync(join(dir, "probe", "rules", "REQUEST-900-PROBE.conf"), text);
  };

  before(async () => {
    await upstream.start();
    cp = await new ControlPlaneProcess(undefined, { extraArgs: ["--rollout-tick-ms", "250"] }).start();
    await cp.ok("POST", "/v1/upstreams", { name: "app", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/policies", {
      name: "waf-block",
      type: "waf",
      config: { mode: "block", paranoia_level: 1 },
    });
    await cp.ok("POST", "/v1/policies", { name: "waf-detect", type: "waf", config: { mode: "detect" } });
    await cp.ok("POST", "/v1/policies", {
      name: "waf-tuned",
      type: "waf",
      config: {
        mode: "block",
        exclusions: [
          { rule_ids: ["913100"] },
          { tags: ["attack-xss"] },
          { rule_ids: ["942*"], target: "ARGS:comment" },
        ],
      },
    });
    await cp.ok("POST", "/v1/policies", { name: "waf-roll", type: "waf", config: { mode: "detect" } });
    writeRules(`SecRule ARGS "@rx probe" "id:100,phase:2,deny,status:403,msg:'probe word',tag:'attack-test'"\n`);
    const up = await cp.palisadectl("rule-set", "upload", join(dir, "probe"), "--name", "probe");
    assert.equal(up.code, 0, up.err);
    await cp.ok("POST", "/v1/policies", { name: "waf-probe", type: "waf", config: { rule_set: "probe" } });
    await route("block", null, ["waf-block"]);
    await route("detect", "detect.example.test", ["waf-detect"]);
    await route("tuned", "tuned.example.test", ["waf-tuned"]);
    await route("roll", "roll.example.test", ["waf-roll"]);
    await route("probe", "probe.example.test", ["waf-probe"]);
    version = (await cp.ok("POST", "/v1/config/versions", { message: "waf routes" })).version;
    for (const [id, region] of [
      ["waf-eu", "eu-west"],
      ["waf-us", "us-east"],
    ] as const)
      nodes.push(
        await new DataPlaneProcess(id, cp.syncPort, { region, extraArgs: ["--report-interval", "500"] }).start(),
      );
    await cp.waitForNodes(
      nodes.map((n) => n.nodeId),
      version,
    );
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.destroy()));
    await cp?.destroy();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("block mode stops the W attack cases with 403 before the upstream; the B cases pass", async (t) => {
    const listed: string[] = [];
    for (const c of CASES.filter((x) => x.id.startsWith("W"))) {
      const r = await sendCase(c, "api.example.test");
      assert.ok(
        (r.status === 403 && r.code === "WAF_BLOCKED") || (r.status === 400 && r.code !== "WAF_BLOCKED"),
        `${c.id}: ${r.status} ${r.code}`,
      );
      if (r.status === 400) listed.push(`${c.id}=400 ${r.code} (refused by Palisade's parser before the WAF)`);
      else assert.match(r.eventId, /^[0-9a-f-]{36}$/, `${c.id}: the 403 names its event`);
      assert.equal(r.reached, false, `${c.id}: nothing reaches the upstream`);
    }
    t.diagnostic(`refused before the WAF: ${listed.join(", ") || "none"}`);
    for (const c of CASES.filter((x) => x.id.startsWith("B"))) {
      const r = await sendCase(c, "api.example.test");
      assert.equal(r.status, 200, `${c.id}: ${r.status} ${r.code}`);
      assert.equal(r.reached, true, c.id);
    }
    const events = await nodes[0]!.securityEvents();
    const blocked = events.recent.filter((e: any) => e.type === "waf_blocked" && e.route !== null);
    assert.ok(blocked.length > 10, `${blocked.length} waf_blocked events`);
    const e = blocked.find((x: any) => x.waf.rules.some((r: any) => r.id === 942100))!;
    assert.ok(e, "an SQLi event names 942100");
    assert.equal(e.waf.mode, "block");
    assert.equal(e.waf.action, "deny");
    assert.equal(e.waf.paranoiaLevel, 1);
    assert.equal(e.status, 403);
    assert.ok(e.waf.anomalyScore.inbound >= 5);
    assert.ok(e.waf.rules.every((r: any) => Array.isArray(r.matchedVars) && typeof r.msg === "string"));
  });

  test("detect mode lets the attacks through and records what it would have blocked", async () => {
    const before = (await nodes[0]!.securityEvents()).counts.waf_detected ?? 0;
    let passed = 0;
    // W43 sends an empty Host: it cannot be routed to the detect route's host (the block route stops it).
    for (const c of CASES.filter((x) => x.id.startsWith("W") && x.id !== "W43")) {
      const r = await sendCase(c, "detect.example.test");
      if (r.status === 400 && r.code !== "WAF_BLOCKED") continue; // Palisade's parser: listed above
      assert.equal(r.status, 200, `${c.id}: ${r.status} ${r.code}`);
      assert.equal(r.reached, true, c.id);
      passed++;
    }
    assert.ok(passed >= 15, `${passed} attacks passed in detect mode`);
    const events = await nodes[0]!.securityEvents();
    assert.ok((events.counts.waf_detected ?? 0) - before >= passed, JSON.stringify(events.counts));
    const e = events.recent.filter((x: any) => x.type === "waf_detected" && x.route !== null).at(-1);
    assert.equal(e.waf.mode, "detect");
    assert.equal(e.waf.action, "pass");
    assert.equal(e.code, "");
    assert.equal(e.status, 200);
    // The nodes' reports carry the route's WAF figures to the control plane.
    const waf = await eventually("the control plane's WAF figures", async () => {
      const w = await cp.ok("GET", "/v1/security/waf?window_s=60");
      const det = w.routes.find((r: any) => r.route_name === "detect");
      const blk = w.routes.find((r: any) => r.route_name === "block");
      return det && det.detected >= passed && blk && blk.blocked > 10 ? { det, blk } : undefined;
    });
    assert.equal(waf.det.blocked, 0);
    assert.equal(waf.det.policy_name, "waf-detect");
    assert.ok(waf.blk.top_rules.some((r: any) => r.id === 949110 && r.blocking > 0 && r.msg !== ""));
  });

  test("exclusions by rule id, by tag and by target", async () => {
    const on = (host: string, path: string, headers: Record<string, string> = {}) =>
      nodes[0]!.get(path, { host, "user-agent": "curl/8.5.0", accept: "*/*", ...headers });
    // By id: 913100 (a security scanner's User-Agent).
    assert.equal((await on("tuned.example.test", "/x", { "user-agent": "nikto" })).status, 200);
    assert.equal((await on("api.example.test", "/x", { "user-agent": "nikto" })).status, 403);
    // By tag: attack-xss.
    const xss = "/x?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    assert.equal((await on("tuned.example.test", xss)).status, 200);
    assert.equal((await on("api.example.test", xss)).status, 403);
    // By target: 942* skip ARGS:comment; the same payload in another argument is still blocked.
    const sqli = "1%27%20OR%20%271%27%3D%271";
    assert.equal((await on("tuned.example.test", `/x?comment=${sqli}`)).status, 200);
    assert.equal((await on("tuned.example.test", `/x?q=${sqli}`)).status, 403);
    assert.equal((await on("api.example.test", `/x?comment=${sqli}`)).status, 403);
  });

  test("a rule set change reaches the nodes by config push; a route change never resends it", async () => {
    const on = (n: DataPlaneProcess, path: string) => n.get(path, { host: "probe.example.test" });
    for (const n of nodes) {
      assert.equal((await on(n, "/x?a=probe")).status, 403, n.nodeId);
      assert.equal((await on(n, "/x?a=scan")).status, 200, n.nodeId);
    }
    writeRules(`SecRule ARGS "@rx scan" "id:101,phase:2,deny,status:403,msg:'scan word',tag:'attack-test'"\n`);
    const up = await cp.palisadectl("rule-set", "upload", join(dir, "probe"), "--name", "probe");
    assert.equal(up.code, 0, up.err);
    await publish("probe rules v2");
    for (const n of nodes) {
      assert.equal((await on(n, "/x?a=scan")).status, 403, `${n.nodeId}: the new rule runs`);
      assert.equal((await on(n, "/x?a=probe")).status, 200, `${n.nodeId}: the old one is gone`);
    }
    const bytes = await Promise.all(nodes.map(updateBytes));
    await cp.ok("PUT", "/v1/routes/probe", {
      name: "probe",
      paths: ["/", "/more"],
      hosts: ["probe.example.test"],
      priority: 10,
      upstream: "app",
      policies: ["waf-probe"],
    });
    await publish("a route change");
    for (const [i, n] of nodes.entries()) {
      const sent = (await updateBytes(n)) - bytes[i]!;
      assert.ok(sent > 0 && sent < 2000, `${n.nodeId}: ${sent} bytes for a route change (no rule set in it)`);
      assert.equal((await on(n, "/x?a=scan")).status, 403, `${n.nodeId}: the WAF still runs`);
    }
  });

  describe("a staged rollout from detect to block", () => {
    /** Drives requests at both nodes on the roll route (one in `attackEvery` an SQL injection) until stopped. */
    const drive = (attackEvery: number) => {
      let stopped = false;
      const done = Promise.all(
        nodes.map(async (n) => {
          for (let i = 0; i < 10_000 && !stopped; i++) {
            const attack = attackEvery > 0 && i % attackEvery === 0;
            await n
              .get(attack ? `/r?id=1%27%20OR%20%271%27%3D%271&i=${i}` : `/r?page=${i}`, {
                host: "roll.example.test",
                "user-agent": "curl/8.5.0",
                accept: "*/*",
              })
              .catch(() => undefined);
            await sleep(10);
          }
        }),
      );
      return async () => {
        stopped = true;
        await done;
      };
    };
    const setMode = async (mode: "detect" | "block") =>
      cp.ok("PUT", "/v1/policies/waf-roll", { name: "waf-roll", type: "waf", config: { mode } });
    const rollout = async (gateThreshold: number) => {
      await setMode("block");
      const v = (await cp.ok("POST", "/v1/config/versions", { message: "waf-roll: block", deploy: "none" }))
        .version as number;
      const r = await cp.ok("POST", "/v1/rollouts", {
        version: v,
        strategy: "default",
        soak_s: 3,
        progress_deadline_s: 60,
        gates: [{ metric: "security_event_rate:waf_blocked", threshold: gateThreshold, min_requests: 20 }],
      });
      return { v, id: r.id as string, canary: r.stages[0].nodes[0].id as string };
    };
    const waitFor = (id: string, state: string) =>
      eventually(
        `rollout ${id} ${state}`,
        async () => {
          const r = await cp.ok("GET", `/v1/rollouts/${id}`);
          if (r.state !== state && r.state !== "running" && r.state !== "paused")
            throw new Error(`rollout ended ${r.state}: ${JSON.stringify(r.events.at(-1))}`);
          return r.state === state ? r : undefined;
        },
        90_000,
      );

    test("clean traffic: the rollout advances stage by stage and every node ends in block mode", async () => {
      const quietSince = Date.now();
      const stop = drive(0);
      try {
        // A gate counts the reports received after its stage starts, and a report covers the
        // interval before it: wait until every node has reported an interval of clean traffic
        // only, so the earlier tests' blocks are not counted (seen once on a loaded machine).
        await eventually(
          "a report of clean traffic only from every node",
          async () => {
            for (const n of nodes) {
              const report = (await cp.ok("GET", `/v1/nodes/${n.nodeId}`)).report as {
                at: number;
                interval_ms: number;
              } | null;
              if (report === null || report.at - report.interval_ms <= quietSince) return undefined;
            }
            return true;
          },
          60_000,
        );
        const { v, id } = await rollout(0.05);
        const r = await waitFor(id, "succeeded");
        assert.ok(r.stages.every((s: any) => s.state === "passed"));
        const gate = r.stages[0].gates[0];
        assert.equal(gate.metric, "security_event_rate:waf_blocked");
        assert.equal(gate.value, 0);
        assert.ok(gate.requests >= 20);
        await cp.waitForNodes(
          nodes.map((n) => n.nodeId),
          v,
        );
      } finally {
        await stop();
      }
      const attack = await nodes[1]!.get("/r?id=1%27%20OR%20%271%27%3D%271", { host: "roll.example.test" });
      assert.equal(attack.status, 403, "block mode everywhere");
    });

    test("a canary that blocks more than the gate allows is stopped and rolled back to detect", async () => {
      await setMode("detect");
      await publish("waf-roll: back to detect");
      const detectVersion = version;
      const stop = drive(3);
      try {
        const { id, canary } = await rollout(0.05);
        const r = await waitFor(id, "rolled_back");
        assert.equal(r.stages[0].state, "failed");
        const gate = r.stages[0].gates[0];
        assert.equal(gate.verdict, "fail");
        assert.ok(gate.value > 0.05, `block rate ${gate.value}`);
        assert.deepEqual(
          r.touched_nodes.map((n: any) => [n.id, n.previous_version]),
          [[canary, detectVersion]],
        );
        await cp.waitForNodes(
          nodes.map((n) => n.nodeId),
          detectVersion,
        );
      } finally {
        await stop();
      }
      for (const n of nodes) {
        const attack = await n.get("/r?id=1%27%20OR%20%271%27%3D%271", { host: "roll.example.test" });
        assert.equal(attack.status, 200, `${n.nodeId}: back in detect mode`);
      }
    });
  });
});
