/**
 * Issue 18 point 3: palisadectl for GitOps, the real binary against a real control plane and a
 * real node. GitHub's REST API description (@octokit/openapi, ~1,200 operations; installed on
 * first use into bench/.cache/, pinned, not by `npm ci`) is imported, synced, published and a
 * sample of its operations is routed through the node to a recording upstream; the
 * 10,000-route configuration of the benchmarks goes dump → sync → diff with no difference; a
 * file with an error, a token without the permission and an invalid description change nothing.
 * Times are reported as diagnostics, never asserted (bench/gitops/round-trip.mjs measures them).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { generateConfig, githubDescriptionPath } from "@palisade/test-support";
import { dump } from "js-yaml";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { REPO_ROOT } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

const BIN = join(REPO_ROOT, "control-plane/bin/palisadectl.js");
const run = promisify(execFile);

describe("palisadectl GitOps: the real binary, a real control plane and a real node", () => {
  const upstream = new RecordingUpstream("github");
  let cp: ControlPlaneProcess;
  let node: DataPlaneProcess;
  let dir: string;

  /** Runs palisadectl; returns exit status, output and how long it took (ms). */
  const ctl = async (args: string[], token = cp.adminToken) => {
    const t0 = performance.now();
    const env = { ...process.env, PALISADE_ADMIN_URL: `http://127.0.0.1:${cp.adminPort}`, PALISADE_ADMIN_TOKEN: token };
    try {
      const r = await run(process.execPath, [BIN, ...args], { env, maxBuffer: 256 * 1024 * 1024 });
      return { code: 0, out: r.stdout.trimEnd(), err: r.stderr.trimEnd(), ms: performance.now() - t0 };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout.trimEnd(), err: x.stderr.trimEnd(), ms: performance.now() - t0 };
    }
  };
  const publish = async (message: string) => {
    const p = await ctl(["publish", "-m", message, "-o", "json"]);
    assert.equal(p.code, 0, p.err);
    const v = JSON.parse(p.out).version as number;
    await cp.waitForNodes([node.nodeId], v);
    return v;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "palisade-e2e-gitops-"));
    await upstream.start();
    cp = await new ControlPlaneProcess().start();
    node = await new DataPlaneProcess("gitops-1", cp.syncPort).start();
  });
  after(async () => {
    await node?.destroy();
    await cp?.destroy();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("GitHub's REST API description imports, publishes, and routes a sample of its operations through a node", async (t) => {
    const spec = githubDescriptionPath();
    const imported = await ctl(["openapi", "import", spec, "--upstream-url", `http://127.0.0.1:${upstream.port}`]);
    assert.equal(imported.code, 0, imported.err);
    const [, ops, routes] = /: (\d+) operations → (\d+) routes, 0 policies, 1 upstream$/.exec(imported.err) ?? [];
    assert.ok(Number(ops) > 1000, imported.err);
    const file = join(dir, "github.yaml");
    writeFileSync(file, `${imported.out}\n`);
    t.diagnostic(
      `import: ${ops} operations → ${routes} routes, ${imported.out.length} bytes of YAML, ${Math.round(imported.ms)} ms`,
    );

    const synced = await ctl(["sync", "-f", file, "--prune"]);
    assert.equal(synced.code, 0, synced.err);
    assert.match(
      synced.out,
      new RegExp(`^${Number(routes) + 1} to create, 0 to update, 0 to delete, 3 unchanged\\nsynced$`, "m"),
    );
    await publish("GitHub REST API");

    // Every 20th operation, its templates filled in, answers from the upstream with its own path.
    const doc = JSON.parse(readFileSync(spec, "utf8")) as { paths: Record<string, Record<string, unknown>> };
    const sample: Array<[string, string]> = [];
    let i = 0;
    for (const [path, item] of Object.entries(doc.paths))
      for (const m of ["get", "post", "put", "patch", "delete"])
        if (item[m] && i++ % 20 === 0) sample.push([m.toUpperCase(), path.replace(/\{[^}]+\}/g, "octo")]);
    assert.ok(sample.length > 50);
    for (const [method, path] of sample) {
      const r = await node.request(path, {
        method,
        ...(method === "GET" || method === "DELETE"
          ? {}
          : { body: "{}", headers: { "content-type": "application/json" } }),
      });
      assert.equal(r.status, 200, `${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.deepEqual([r.json().method, r.json().url], [method, path]);
    }
    assert.equal((await node.request("/definitely/not/github")).status, 404);
    const wrongMethod = await node.request("/emojis", { method: "DELETE" });
    assert.equal(wrongMethod.status, 404, "GET /emojis only");
  });

  test("dump → sync → diff on the 10,000-route configuration shows no difference", async (t) => {
    // With the mapping sections a document holds beside the resources (telemetry, anomaly).
    const generated = generateConfig(10_000);
    const config = {
      ...generated,
      telemetry: { siem_sinks: [{ name: "audit", file: { path: "/var/log/palisade/siem.ndjson" } }] },
      anomaly: {
        enabled: true,
        thresholds: { routes: { [generated.routes[0]!.name]: { bruteForce: { minPerMin: 5 } } } },
      },
    };
    const file = join(dir, "10k.yaml");
    writeFileSync(file, dump(config, { noRefs: true, lineWidth: -1 }));
    const seeded = await ctl(["sync", "-f", file, "--prune", "--force"]);
    assert.equal(seeded.code, 0, seeded.err);
    const dumped = await ctl(["dump"]);
    assert.equal(dumped.code, 0, dumped.err);
    const dumpFile = join(dir, "dump.yaml");
    writeFileSync(dumpFile, dumped.out);
    const again = await ctl(["sync", "-f", dumpFile, "--prune"]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /^0 to create, 0 to update, 0 to delete, \d+ unchanged\nnothing to change$/);
    const diff = await ctl(["diff", "-f", dumpFile]);
    assert.equal(diff.code, 0, diff.out);
    const [, unchanged] = /^0 to create, 0 to update, 0 to delete, (\d+) unchanged$/.exec(diff.out) ?? [];
    assert.equal(Number(unchanged), config.routes.length + config.upstreams.length + config.policies.length + 3);
    // The hand-generated file is the same config as its dump.
    assert.equal((await ctl(["diff", "-f", file])).code, 0);
    t.diagnostic(
      `10,000 routes: first sync ${Math.round(seeded.ms)} ms; dump ${Math.round(dumped.ms)} ms + sync ${Math.round(again.ms)} ms + diff ${Math.round(diff.ms)} ms = ${Math.round(dumped.ms + again.ms + diff.ms)} ms`,
    );
  });

  test("bad input: a file with an error, a token without the permission and an invalid description change nothing", async () => {
    const before = (await ctl(["dump", "-o", "json"])).out;
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      "upstreams:\n  - {name: ok-up, targets: [{host: 127.0.0.1, port: 1}]}\nroutes:\n  - {name: bad, paths: [/bad], upstream: ghost}\n",
    );
    const r = await ctl(["sync", "-f", bad]);
    assert.equal(r.code, 1);
    assert.match(r.err, /REFERENCE_NOT_FOUND: routes\/bad: no upstream named or with id "ghost"/);
    const viewer = JSON.parse((await ctl(["tokens", "create", "ci", "--role", "viewer", "-o", "json"])).out).token;
    const write = await ctl(["apply", "-f", bad], viewer);
    assert.equal(write.code, 1);
    assert.match(write.err, /PERMISSION_DENIED: .*role viewer lacks upstreams:write/);
    const spec = join(dir, "broken-spec.json");
    writeFileSync(
      spec,
      JSON.stringify({
        openapi: "3.0.0",
        servers: [{ url: "http://x" }],
        paths: { "/a b": { get: { operationId: "spaced" } } },
      }),
    );
    const imp = await ctl(["openapi", "import", spec]);
    assert.equal(imp.code, 1);
    assert.match(imp.err, /BAD_SPEC: .*GET \/a b \(spaced\): "\/a b" has characters a route path cannot hold/);
    assert.equal((await ctl(["dump", "-o", "json"])).out, before, "nothing changed");
  });
});
