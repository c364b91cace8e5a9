import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ControlPlane } from "../control-plane.js";
import { startTestControlPlane } from "../test/running-control-plane.js";
import { runCli } from "./main.js";

const TOKEN = "cli-test-admin-token-0123456789";
const BIN = fileURLToPath(new URL("../bin/palisadectl.js", import.meta.url));

describe("palisadectl against a running control plane", () => {
  let cp: ControlPlane;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  /** Runs one command in-process; returns its exit status and what it printed. */
  const ctl = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, env, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "palisadectl-"));
    ({ cp, env } = await startTestControlPlane(TOKEN));
  });
  after(async () => {
    await cp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("apply passes the route path rules and body limit through, and reads them back unchanged", async () => {
    const file = join(dir, "rules.yaml");
    writeFileSync(
      file,
      [
        "upstreams:",
        "  - name: rules-up",
        "    targets: [{host: 127.0.0.1, port: 9080}]",
        "routes:",
        "  - name: rules",
        "    paths: [{exact: /admin/users}]",
        "    upstream: rules-up",
        "    strict_trailing_slash: true",
        '    allow_encoded: ["%5C"]',
        '    refuse_encoded: ["%23", "%3F", ";"]',
        "    max_body_bytes: 1048576",
        "",
      ].join("\n"),
    );
    const first = await ctl("apply", "-f", file);
    assert.equal(first.code, 0, first.err);
    const shown = JSON.parse((await ctl("get", "route", "rules", "-o", "json")).out);
    assert.deepEqual(
      [shown.strict_trailing_slash, shown.allow_encoded, shown.refuse_encoded, shown.max_body_bytes],
      [true, ["%5C"], ["%23", "%3F", ";"], 1048576],
    );
    assert.equal((await ctl("apply", "-f", file)).out, "upstreams/rules-up unchanged\nroutes/rules unchanged");
    writeFileSync(
      file,
      'routes:\n  - name: rules\n    paths: [/r]\n    upstream: rules-up\n    allow_encoded: ["%23"]\n',
    );
    const refused = await ctl("apply", "-f", file);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /VALIDATION_FAILED.*allow_encoded\.0/s);
  });

  test("apply creates upstreams before the routes that use them, then reports unchanged and configured", async () => {
    const file = join(dir, "orders.yaml");
    writeFileSync(
      file,
      [
        "kind: route",
        "name: orders",
        "paths: [{prefix: /orders}]",
        "upstream: orders",
        "---",
        "kind: upstream",
        "name: orders",
        "targets: [{host: 127.0.0.1, port: 9080}]",
        "",
      ].join("\n"),
    );
    const first = await ctl("apply", "-f", file, "--publish", "-m", "orders from the CLI");
    assert.equal(first.code, 0, first.err);
    assert.deepEqual(first.out.split("\n"), ["upstreams/orders created", "routes/orders created", "published v1"]);

    const again = await ctl("apply", "-f", file);
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(again.out.split("\n"), ["upstreams/orders unchanged", "routes/orders unchanged"]);

    writeFileSync(file, "upstreams:\n  - name: orders\n    targets: [{host: 127.0.0.1, port: 9081}]\n");
    const changed = await ctl("apply", "-f", file);
    assert.equal(changed.out, "upstreams/orders configured");
    const shown = await ctl("get", "upstream", "orders", "-o", "json");
    assert.equal(JSON.parse(shown.out).targets[0].port, 9081);

    const list = await ctl("get", "routes");
    assert.match(list.out, /^NAME\s+HOSTS\s+PATHS\s+UPSTREAM/);
    assert.match(list.out, /\norders\s+-\s+\/orders\s+orders/);
    const versions = await ctl("get", "versions");
    assert.match(versions.out, /\n1\s+\S+\s+[0-9a-f]{12}\s+orders from the CLI/);
  });

  test("apply makes a resource exactly what the manifest says, and names the fields that leaves out", async () => {
    const file = join(dir, "guarded.yaml");
    writeFileSync(
      file,
      [
        "policies:",
        "  - {name: guard, type: ip-restriction, config: {allow: [10.0.0.0/8]}}",
        "upstreams:",
        "  - {name: guarded, targets: [{host: 127.0.0.1, port: 9090}]}",
        "routes:",
        "  - {name: guarded, paths: [/guarded], upstream: guarded, policies: [guard]}",
        "",
      ].join("\n"),
    );
    assert.equal((await ctl("apply", "-f", file)).code, 0);
    // The same route without its policy: applying removes it, and says so.
    const bare = join(dir, "guarded-bare.yaml");
    writeFileSync(bare, "kind: route\nname: guarded\npaths: [/guarded]\nupstream: guarded\n");
    const r = await ctl("apply", "-f", bare);
    assert.equal(r.out, "routes/guarded configured (removed: policies)");
    const shown = JSON.parse((await ctl("get", "route", "guarded", "-o", "json")).out);
    assert.equal(shown.policies, undefined);
    assert.equal((await ctl("apply", "-f", bare)).out, "routes/guarded unchanged");
    const missing = await ctl("apply", "-f", join(dir, "nope.yaml"));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /USAGE: cannot read .*nope\.yaml: ENOENT/);
  });

  test("publish --no-deploy then rollout start/status: a version reaches the (empty) fleet by stages; a second start is refused", async () => {
    const file = join(dir, "staged.yaml");
    writeFileSync(file, "upstreams:\n  - {name: staged, targets: [{host: 127.0.0.1, port: 9091}]}\n");
    assert.equal((await ctl("apply", "-f", file)).code, 0);
    const pub = await ctl("publish", "--no-deploy", "-m", "staged");
    assert.match(pub.out, /^published v(\d+) \(not deployed: start a rollout\)$/);
    const version = pub.out.match(/v(\d+)/)![1]!;
    const started = await ctl("rollout", "start", version, "--strategy", "all-now", "--soak", "0");
    assert.equal(started.code, 0, started.err);
    assert.match(started.out, /^rollout \S+ started \((running|succeeded)\)$/);
    const status = await ctl("rollout", "status");
    assert.match(status.out, new RegExp(`-> v${version}, (running|succeeded)`));
    const again = await ctl("rollout", "start", version, "--strategy", "all-now");
    assert.equal(again.code, 1);
    assert.match(again.err, /(VALIDATION_FAILED: version \d+ is already the stable version|ROLLOUT_ACTIVE)/);
    const bad = await ctl("rollout", "start", version, "--soak", "soon");
    assert.equal(bad.code, 2);
  });

  test("the API's refusal is printed with its code and the field at fault, exit 1, nothing applied", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({ upstreams: [{ name: "bad", targets: [{ host: "127.0.0.1", port: 70000 }] }] }),
    );
    const r = await ctl("apply", "-f", file);
    assert.equal(r.code, 1);
    assert.match(r.err, /VALIDATION_FAILED: .*bad\.json#1: upstreams\[0\] \(upstreams\/bad\).*field targets\.0\.port/);
    assert.equal((await ctl("get", "upstream", "bad")).code, 1);
  });

  test("a bad manifest, an unknown command and a missing token are usage or manifest errors, never a stack", async () => {
    const file = join(dir, "typo.yaml");
    writeFileSync(file, "kind: rout\nname: x\n");
    const typo = await ctl("apply", "-f", file);
    assert.equal(typo.code, 1);
    assert.match(typo.err, /BAD_MANIFEST: .*typo\.yaml#1: kind "rout" is not one of/);
    const unknown = await ctl("frobnicate");
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /USAGE: unknown command "frobnicate"/);
    const saved = env;
    env = { PALISADE_ADMIN_URL: saved.PALISADE_ADMIN_URL };
    const noToken = await ctl("get", "routes");
    env = saved;
    assert.equal(noToken.code, 2);
    assert.match(noToken.err, /no admin token/);
    const wrong = await runCli(
      ["get", "routes"],
      { ...env, PALISADE_ADMIN_TOKEN: "wrong" },
      { out: () => {}, err: () => {} },
    );
    assert.equal(wrong, 1);
  });

  test("resync names the node; an unknown node is the API's NOT_FOUND, exit 1", async () => {
    const none = await ctl("resync");
    assert.equal(none.code, 2);
    assert.match(none.err, /USAGE: resync needs a node id/);
    const ghost = await ctl("resync", "ghost");
    assert.equal(ghost.code, 1);
    assert.match(ghost.err, /NOT_FOUND: no node "ghost"/);
  });

  test("join-token mints a single-use token for a region; status and delete work; the token is never printed", async () => {
    const t = await ctl("join-token", "--region", "eu-west", "--ttl", "600", "-o", "json");
    assert.equal(t.code, 0, t.err);
    const minted = JSON.parse(t.out);
    assert.equal(minted.region, "eu-west");
    assert.match(minted.token, /^\S{40,}$/);
    const status = await ctl("status");
    assert.match(status.out, /latest_version: v2 \(\S+\) staged\nstable_version: v2 /);
    assert.match(status.out, /nodes: 0/);
    assert.equal((await ctl("delete", "route", "orders")).out, "routes/orders deleted");
    for (const r of [t, status]) assert.doesNotMatch(r.out + r.err, new RegExp(TOKEN));
  });

  test("telemetry set replaces the SIEM sink config, telemetry shows it redacted; events lists and filters", async () => {
    const file = join(dir, "telemetry.yaml");
    writeFileSync(
      file,
      [
        "siem_sinks:",
        "  - name: wazuh",
        "    syslog: {address: 'wazuh.internal:514', protocol: tcp, framing: lf}",
        "  - name: hook",
        "    webhook: {url: 'https://siem.example/in', headers: {Authorization: Bearer cli-hook-secret}}",
        "siem_overrides:",
        "  - {sink_name: wazuh, selector: {regions: [us-east]}, disabled: true}",
      ].join("\n"),
    );
    const set = await ctl("telemetry", "set", "-f", file);
    assert.equal(set.code, 0, set.err);
    assert.equal(set.out, "telemetry configured");
    const shown = await ctl("telemetry");
    assert.match(shown.out, /address: wazuh\.internal:514/);
    assert.match(shown.out, /Authorization: ["']?\[redacted\]["']?/);
    assert.doesNotMatch(shown.out, /cli-hook-secret/);
    writeFileSync(file, "siem_sinks:\n  - {name: bad, syslog: {address: nope, protocol: tcp}}\n");
    const bad = await ctl("telemetry", "set", "-f", file);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /VALIDATION_FAILED.*siem_sinks\.0\.syslog\.address/s);
    const events = await ctl("events", "category=waf", "--limit", "5");
    assert.equal(events.code, 0, events.err);
    assert.match(events.out, /^TIME\s+CATEGORY\s+TYPE\s+NODE/);
    assert.equal((await ctl("events", "colour=red")).code, 2);
  });

  test("rule sets: upload a CRS directory, apply a manifest naming it with a waf policy scoped to a route, re-apply unchanged", async () => {
    const crs = join(dir, "my-crs");
    mkdirSync(join(crs, "rules"), { recursive: true });
    writeFileSync(join(crs, "crs-setup.conf.example"), "# setup\n");
    writeFileSync(
      join(crs, "rules", "REQUEST-900-TEST.conf"),
      `SecComponentSignature "OWASP_CRS/4.99.0"\nSecRule ARGS "@pmFromFile words.data" "id:942100,phase:2,deny,msg:'word',tag:'attack-sqli'"\n`,
    );
    writeFileSync(join(crs, "rules", "words.data"), "union\nselect\n");
    writeFileSync(join(crs, "rules", "REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf.example"), "not loaded\n");
    writeFileSync(join(crs, "README.md"), "not loaded\n");
    const up = await ctl("rule-set", "upload", crs, "--name", "crs-test");
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, /^rule-sets\/crs-test created: \d+ rules, \d+ bytes, CRS 4\.99\.0, hash [0-9a-f]{12}$/);
    assert.match((await ctl("rule-set", "upload", crs, "--name", "crs-test")).out, /crs-test unchanged/);
    const list = await ctl("get", "rule-sets");
    assert.match(list.out, /^crs-4\.28\.0 \(default\)\s+4\.28\.0\s+\d+/m);
    assert.match(list.out, /^crs-test\s+4\.99\.0/m);

    const file = join(dir, "waf.yaml");
    writeFileSync(
      file,
      [
        "kind: rule-set",
        "name: crs-test",
        "directory: my-crs",
        "---",
        "kind: policy",
        "name: waf-test",
        "type: waf",
        "config:",
        "  rule_set: crs-test",
        "  mode: detect",
        '  exclusions: [{rule_ids: ["942*"], target: "ARGS:password", routes: [waf-login]}]',
        "---",
        "kind: upstream",
        "name: waf-up",
        "targets: [{host: 127.0.0.1, port: 9080}]",
        "---",
        "kind: route",
        "name: waf-login",
        "paths: [/login]",
        "upstream: waf-up",
        "policies: [waf-test]",
      ].join("\n"),
    );
    const first = await ctl("apply", "-f", file);
    assert.equal(first.code, 0, first.err);
    assert.deepEqual(first.out.split("\n"), [
      "rule-sets/crs-test unchanged",
      "upstreams/waf-up created",
      "policies/waf-test created",
      "routes/waf-login created",
    ]);
    const again = await ctl("apply", "-f", file);
    assert.deepEqual(again.out.split("\n"), [
      "rule-sets/crs-test unchanged",
      "upstreams/waf-up unchanged",
      "policies/waf-test unchanged",
      "routes/waf-login unchanged",
    ]);
    // The directory's files are the rule set the control plane holds: no difference; a dump
    // lists it by hash, which diff takes as the same files.
    assert.equal((await ctl("diff", "-f", file, "--no-prune")).code, 0);
    const dumped = await ctl("dump");
    assert.match(dumped.out, /rule-sets:\n {2}- name: crs-test\n {4}content_hash: [0-9a-f]{64}/);
    const dumpFile = join(dir, "waf-dump.yaml");
    writeFileSync(dumpFile, dumped.out);
    assert.equal((await ctl("diff", "-f", dumpFile)).code, 0);
    const shown = await ctl("get", "policy", "waf-test");
    assert.match(shown.out, /rule_set: crs-test/);
    assert.match(shown.out, /- waf-login/);
    writeFileSync(join(crs, "rules", "REQUEST-901-BAD.conf"), `SecRule ARGS "@rx (?<=a)b" "id:1,phase:2,deny"\n`);
    const bad = await ctl("rule-set", "upload", crs, "--name", "crs-test");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /RULE_SET_INVALID: rules\/REQUEST-901-BAD\.conf:1 rule 1: .*\(field files\.\d+\)/);
    const missing = await ctl("rule-set", "upload", join(dir, "nowhere"), "--name", "x");
    assert.deepEqual([missing.code, /cannot read the rule set directory/.test(missing.err)], [2, true]);
  });

  test("the installed binary runs: --help exits 0; an unreachable control plane is one line and exit 1", async () => {
    const run = promisify(execFile);
    const help = await run(process.execPath, [BIN, "--help"]);
    assert.match(help.stdout, /^palisadectl: manage a Palisade control plane/);
    const down = await run(process.execPath, [BIN, "get", "nodes"], {
      env: { ...process.env, PALISADE_ADMIN_URL: "http://127.0.0.1:1", PALISADE_ADMIN_TOKEN: TOKEN },
    }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((down as { code: number }).code, 1);
    assert.match(
      (down as { stderr: string }).stderr,
      /^palisadectl: UNREACHABLE: cannot reach the control plane at http:\/\/127\.0\.0\.1:1 /,
    );
    assert.equal((down as { stderr: string }).stderr.trim().split("\n").length, 1);
  });
});
