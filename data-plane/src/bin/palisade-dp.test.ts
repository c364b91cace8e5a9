// Runs the real binary: flag errors, --help, and a boot → config → proxy → SIGTERM cycle.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { StreamConfigResponseSchema } from "@palisade/proto";
import { fakeControlPlane } from "../test/fake-control-plane.js";
import { fullUpdate, route, snapshot, upstream } from "../test/fixtures.js";

const BIN = fileURLToPath(new URL("./palisade-dp.js", import.meta.url));

test("a bad flag is one line on stderr and exit code 2", () => {
  const r = spawnSync(process.execPath, [BIN, "--listen", "0.0.0.0:70000"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "palisade-dp: --listen: port 70000 is out of range (0-65535)\n");
  const u = spawnSync(process.execPath, [BIN, "--policies", "bundled,nope"], { encoding: "utf8" });
  assert.equal(u.status, 2);
  assert.doesNotMatch(u.stderr, /\n\s+at /, "no stack trace");
});

test("--help lists every flag and exits 0", () => {
  const r = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
  assert.equal(r.status, 0);
  for (const f of [
    "--control-plane",
    "--node-id",
    "--region",
    "--labels",
    "--listen",
    "--status-listen",
    "--policies",
    "--log-level",
    "--state-dir",
    "--config-file",
    "--join-token",
    "--ca-cert",
    "--sync-insecure",
    "--report-interval",
  ]) {
    assert.ok(r.stdout.includes(f), f);
  }
});

/** Reads JSON log lines until `listening` lines for proxy and status have been seen. */
function ports(child: ChildProcess): Promise<{ proxy: number; status: number }> {
  return new Promise((resolve, reject) => {
    const found: Record<string, number> = {};
    const rl = createInterface({ input: child.stdout! });
    rl.on("line", (line) => {
      const rec = JSON.parse(line) as { msg?: string; listener?: string; port?: number; level?: number };
      if (rec.msg === "listening" && rec.level === 30 && rec.listener && rec.port) found[rec.listener] = rec.port;
      if (found.proxy && found.status) resolve({ proxy: found.proxy, status: found.status });
    });
    child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
  });
}

test("boots, logs its ports (even at --log-level error), applies config from the control plane, proxies, and stops on SIGTERM", async () => {
  const cp = await fakeControlPlane();
  const backend = createServer((req, res) => res.end(`backend saw ${req.url}`));
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  const backendPort = (backend.address() as AddressInfo).port;
  const stateDir = mkdtempSync(join(tmpdir(), "palisade-dp-bin-"));
  const child = spawn(
    process.execPath,
    [
      BIN,
      "--listen",
      "127.0.0.1:0",
      "--status-listen",
      "127.0.0.1:0",
      // Loopback and ephemeral like every test server (the default is 0.0.0.0:8443).
      "--tls-listen",
      "127.0.0.1:0",
      "--node-id",
      "bin-test",
      "--sync-insecure",
      "--state-dir",
      stateDir,
    ],
    { env: { ...process.env, PALISADE_CONTROL_PLANE: `127.0.0.1:${cp.port}`, PALISADE_LOG_LEVEL: "error" } },
  );
  try {
    const { proxy, status } = await ports(child);
    assert.equal((await fetch(`http://127.0.0.1:${status}/readyz`)).status, 503);
    assert.equal((await fetch(`http://127.0.0.1:${proxy}/api/x`)).status, 503);

    await cp.until(() => cp.streams[0]?.messages.length === 1);
    const s = cp.streams[0]!;
    assert.equal(s.messages[0]!.kind.case === "hello" && s.messages[0]!.kind.value.nodeId, "bin-test");
    const snap = snapshot(
      { upstreams: [upstream("b", [`127.0.0.1:${backendPort}`])], routes: [route("api", "b", ["/api"])] },
      5n,
      "h5",
    );
    s.call.write(
      create(StreamConfigResponseSchema, {
        kind: { case: "update", value: fullUpdate(snap, 5n, "x") },
      }),
    );
    await cp.until(() => s.messages.length === 2);
    assert.equal(s.messages[1]!.kind.case, "ack");

    const ready = await fetch(`http://127.0.0.1:${status}/readyz`);
    assert.deepEqual(await ready.json(), { status: "ready", version: 5, source: "control-plane" });
    const r = await fetch(`http://127.0.0.1:${proxy}/api/x?q=1`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "backend saw /api/x?q=1");

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    cp.close();
    backend.closeAllConnections();
    backend.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
