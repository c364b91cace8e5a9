// The container image's own scripts, run from the checkout as the image runs them: the entrypoint
// (deploy/container/palisade: role from the command, a node's join token taken from a folder
// named by node id, a database URL refused until issue 19), the HEALTHCHECK
// (deploy/container/healthcheck.mjs: /healthz of a control plane, /readyz of a node, found from
// the process's command line and environment), the compose fleet's bootstrap
// (deploy/compose/bootstrap.mjs) against a real control plane with mTLS, and the Grafana
// dashboards' queries (deploy/grafana, checked by the events package's dashboards test) against
// the /metrics of that control plane and node.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { http } from "./harness/fleet.js";
import { eventually, REPO_ROOT, TestProcess } from "./harness/process.js";

const ENTRYPOINT = join(REPO_ROOT, "deploy/container/palisade");
const BOOTSTRAP = join(REPO_ROOT, "deploy/compose/bootstrap.mjs");
const DASHBOARDS_TEST = join(REPO_ROOT, "events/dist/metrics/dashboards.test.js");
const ADMIN_TOKEN = "e2e-deploy-admin-token-0123456789abcdef";

/**
 * A port free on 127.0.0.1 now. The healthcheck finds a plane's port in its command line or
 * environment, so these processes get a concrete port instead of port 0.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `palisade healthcheck --pid <pid>`: exit status and what it said. */
function healthcheck(pid: number): { status: number | null; stderr: string } {
  const r = spawnSync("sh", [ENTRYPOINT, "healthcheck", "--pid", String(pid)], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

function bootstrap(dir: string, adminPort: number): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BOOTSTRAP], {
    encoding: "utf8",
    env: {
      ...process.env,
      PALISADE_ADMIN_URL: `http://127.0.0.1:${adminPort}`,
      PALISADE_ADMIN_TOKEN: ADMIN_TOKEN,
      FLEET_DIR: join(dir, "fleet"),
      FLEET_NODES: "edge-eu-1=eu-west",
      DEMO_UPSTREAM: "127.0.0.1:9",
      DEMO_REDIS: "127.0.0.1:6379",
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("deploy: the image's entrypoint, healthcheck and the compose bootstrap", () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-e2e-deploy-"));
  const procs: TestProcess[] = [];
  after(async () => {
    for (const p of procs) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a control plane and a node started by the entrypoint join, turn healthy and export the dashboards' metrics", async () => {
    const adminPort = await freePort();
    const cpStatusPort = await freePort();
    const cp = new TestProcess(
      "palisade palisade-cp",
      ENTRYPOINT,
      ["palisade-cp"],
      {
        PALISADE_DB: join(dir, "cp", "palisade.db"),
        PALISADE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
        PALISADE_SYNC_LISTEN: "127.0.0.1:0",
        PALISADE_STATUS_LISTEN: `127.0.0.1:${cpStatusPort}`,
        PALISADE_ADMIN_TOKEN: ADMIN_TOKEN,
      },
      "sh",
    );
    procs.push(cp);
    const syncPort = await cp.port("sync");
    await cp.port("admin");
    assert.equal(healthcheck(cp.child.pid!).status, 0, "the control plane's /healthz answers");

    // The compose bootstrap: the fleet CA, a join token per node id, the demo config published.
    const first = bootstrap(dir, adminPort);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /join token for edge-eu-1 \(eu-west\) written/);
    assert.match(first.stdout, /config version 1 published/);
    const caPem = readFileSync(join(dir, "fleet", "fleet-ca.crt"), "utf8");
    assert.match(caPem, /^-----BEGIN CERTIFICATE-----/);
    assert.match(readFileSync(join(dir, "fleet", "join-tokens", "edge-eu-1"), "utf8"), /^pjt_/);

    // The node finds its token in the folder by its node id, and the CA where the env says.
    const statusPort = await freePort();
    const dp = new TestProcess(
      "palisade palisade-dp",
      ENTRYPOINT,
      ["palisade-dp"],
      {
        PALISADE_NODE_ID: "edge-eu-1",
        PALISADE_REGION: "eu-west",
        PALISADE_CONTROL_PLANE: `localhost:${syncPort}`,
        PALISADE_LISTEN: "127.0.0.1:0",
        PALISADE_TLS_LISTEN: "off",
        PALISADE_STATUS_LISTEN: `127.0.0.1:${statusPort}`,
        PALISADE_WORKERS: "1",
        PALISADE_STATE_DIR: join(dir, "node"),
        PALISADE_CA_CERT: join(dir, "fleet", "fleet-ca.crt"),
        PALISADE_JOIN_TOKEN_DIR: join(dir, "fleet", "join-tokens"),
      },
      "sh",
    );
    procs.push(dp);
    await eventually("edge-eu-1 joined and applied version 1", async () => {
      const r = await http(adminPort, "/v1/nodes", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const node = r.json().items.find((n: any) => n.id === "edge-eu-1");
      return node?.connected && node.applied_version === 1 && node.region === "eu-west" ? node : undefined;
    });
    assert.ok(existsSync(join(dir, "node", "identity", "node.crt")), "the node keeps its certificate");
    assert.equal(healthcheck(dp.child.pid!).status, 0, "the node's /readyz answers 200");

    // Every metric the Grafana dashboards query that the catalogue says is exported is in the
    // expositions of these two processes (the events package's dashboards test, given their URLs).
    const check = spawnSync(process.execPath, ["--test", DASHBOARDS_TEST], {
      encoding: "utf8",
      // Without NODE_TEST_CONTEXT, which would make the child report to this runner, not in TAP.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "NODE_TEST_CONTEXT")),
        PALISADE_METRICS_URLS: `http://127.0.0.1:${cpStatusPort}/metrics,http://127.0.0.1:${statusPort}/metrics`,
      },
    });
    assert.equal(check.status, 0, check.stdout);
    assert.match(
      check.stdout,
      /^\s*ok \d+ - match what running planes export \(PALISADE_METRICS_URLS\)$/m,
      "the live check ran, not skipped",
    );

    // A second bootstrap (compose up again) mints nothing for a node that joined, publishes nothing new.
    const again = bootstrap(dir, adminPort);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /join token/);
    assert.match(again.stdout, /config version 1 unchanged/);

    // A consistent copy of the running control plane's database, restored beside its fleet CA:
    // a second control plane on the copy serves the same version and the same CA.
    const copy = join(dir, "restore", "palisade.db");
    mkdirSync(join(dir, "restore"));
    const backup = spawnSync("sh", [ENTRYPOINT, "backup-sqlite", join(dir, "cp", "palisade.db"), copy], {
      encoding: "utf8",
    });
    assert.equal(backup.status, 0, backup.stderr);
    assert.match(backup.stdout, /"msg":"backup written"/);
    const again2 = spawnSync("sh", [ENTRYPOINT, "backup-sqlite", join(dir, "cp", "palisade.db"), copy], {
      encoding: "utf8",
    });
    assert.equal(again2.status, 1, "an existing destination is never overwritten");
    cpSync(join(dir, "cp", "pki"), join(dir, "restore", "pki"), { recursive: true });
    const restored = new TestProcess(
      "palisade palisade-cp (restored)",
      ENTRYPOINT,
      ["palisade-cp"],
      {
        PALISADE_DB: copy,
        PALISADE_ADMIN_LISTEN: "127.0.0.1:0",
        PALISADE_SYNC_LISTEN: "127.0.0.1:0",
        PALISADE_ADMIN_TOKEN: ADMIN_TOKEN,
      },
      "sh",
    );
    procs.push(restored);
    const restoredPort = await restored.port("admin");
    const auth = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
    assert.equal((await http(restoredPort, "/v1/config/versions/1", auth)).status, 200);
    assert.equal((await http(restoredPort, "/v1/fleet/ca", auth)).json().certificate_pem, caPem);
    await restored.stop();

    // SIGTERM (what the runtime sends after the preStop delay) drains and exits 0.
    await dp.stop("SIGTERM", 20_000);
    assert.equal(dp.child.exitCode, 0);
    const gone = healthcheck(dp.child.pid!);
    assert.equal(gone.status, 1);
  });

  test("the entrypoint refuses an unknown role; a control plane given a database it cannot reach says so", () => {
    const none = spawnSync("sh", [ENTRYPOINT], { encoding: "utf8" });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /usage: palisade palisade-cp\|palisade-dp\|palisadectl\|healthcheck\|backup-sqlite/);
    const unknown = spawnSync("sh", [ENTRYPOINT, "palisade-xx"], { encoding: "utf8" });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown role "palisade-xx"/);
    const db = spawnSync("sh", [ENTRYPOINT, "palisade-cp"], {
      encoding: "utf8",
      env: { ...process.env, PALISADE_DATABASE_URL: "postgres://palisade@127.0.0.1:1/palisade" },
    });
    assert.equal(db.status, 1);
    assert.match(db.stderr, /palisade-cp: cannot start: database unavailable \(ECONNREFUSED\)/);
    const version = spawnSync("sh", [ENTRYPOINT, "palisadectl", "--help"], { encoding: "utf8" });
    assert.equal(version.status, 0);
    assert.match(version.stdout, /join-token --region R/);
  });

  test("the healthcheck says which plane is down and why", async () => {
    const idle = await freePort();
    const dp = new TestProcess(
      "palisade palisade-dp (no control plane)",
      ENTRYPOINT,
      ["palisade-dp", "--status-listen", `127.0.0.1:${idle}`, "--listen", "127.0.0.1:0", "--tls-listen", "off"],
      {
        PALISADE_NODE_ID: "edge-lonely",
        PALISADE_CONTROL_PLANE: "localhost:1",
        PALISADE_SYNC_INSECURE: "1",
        PALISADE_WORKERS: "1",
        PALISADE_STATE_DIR: join(dir, "lonely"),
      },
      "sh",
    );
    procs.push(dp);
    await dp.port("status");
    const r = healthcheck(dp.child.pid!);
    assert.equal(r.status, 1, "a node without config is not ready");
    assert.match(r.stderr, new RegExp(`node http://127\\.0\\.0\\.1:${idle}/readyz answered 503`));
    const self = healthcheck(process.pid);
    assert.equal(self.status, 1);
    assert.match(self.stderr, /runs neither palisade-cp nor palisade-dp/);
  });
});
