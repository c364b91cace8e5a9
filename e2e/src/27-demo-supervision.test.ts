/**
 * Issue 21 point 1: the demo shows the design's main property. `npm start`'s fleet runs on free
 * ports with its state in a temporary directory; the control plane it started is killed with
 * SIGKILL (the demo prints its pid for that experiment): the demo reports it and keeps running,
 * both nodes go on answering /echo from their last-known-good config; `r` + Enter restarts the
 * control plane and both nodes reconnect to it; Ctrl-C (SIGINT) still stops every process.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { eventually, REPO_ROOT } from "./harness/process.js";

/** `n` distinct ports the kernel hands out as free on 127.0.0.1 (held together, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => {
      const s = createServer();
      return new Promise<ReturnType<typeof createServer>>((r) => s.listen(0, "127.0.0.1", () => r(s)));
    }),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("the demo fleet: a killed control plane is reported, the nodes keep serving, r restarts it, Ctrl-C stops all", async () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-demo-"));
  const ports = await freePorts(10);
  const at = (i: number): number => ports[i] as number;
  const [admin, sync, upstream, idp, pa, pb, ta, tb, sa, sb] = Array.from({ length: 10 }, (_, i) => at(i)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const demo: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, "deploy/demo/demo.mjs")], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PALISADE_DEMO_VAR_DIR: dir,
      PALISADE_DEMO_ADMIN_PORT: String(admin),
      PALISADE_DEMO_SYNC_PORT: String(sync),
      PALISADE_DEMO_UPSTREAM_PORT: String(upstream),
      PALISADE_DEMO_IDP_PORT: String(idp),
      PALISADE_DEMO_PROXY_PORTS: `${pa},${pb}`,
      PALISADE_DEMO_TLS_PORTS: `${ta},${tb}`,
      PALISADE_DEMO_STATUS_PORTS: `${sa},${sb}`,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  demo.stdout?.on("data", (c) => {
    out += c;
  });
  demo.stderr?.on("data", (c) => {
    err += c;
  });
  const exited = new Promise<number | null>((r) => demo.once("exit", (code) => r(code)));
  let cpPid = 0;
  try {
    await eventually(
      "the demo fleet to come up",
      async () => (out.includes("Palisade demo fleet is up.") && /Ctrl-C stops the fleet/.test(out)) || undefined,
      // The nodes' first apply compiles the OWASP CRS: seconds on a busy machine.
      180_000,
    );
    const token = /Demo token \(sub=demo-user, valid 12 h\): (\S+)/.exec(out)?.[1];
    const adminToken = /Admin token: (\S+)/.exec(out)?.[1];
    cpPid = Number(/kill -9 (\d+)/.exec(out)?.[1]);
    assert.ok(token && adminToken && cpPid > 0, `the demo prints the tokens and the control plane's pid:\n${out}`);
    const echo = async (port: number) =>
      (await fetch(`http://127.0.0.1:${port}/echo/hello`, { headers: { authorization: `Bearer ${token}` } })).status;
    assert.equal(await echo(pa), 200);
    assert.equal(await echo(pb), 200);

    process.kill(cpPid, "SIGKILL");
    // The report goes to stderr and the hint to stdout: two pipes, so either may arrive first.
    await eventually("the demo to report the control plane's exit and say how to restart it", async () =>
      /control-plane exited \(SIGKILL\)/.test(err) &&
      /The rest of the fleet keeps running\. Type r and Enter to restart control-plane\./.test(out)
        ? true
        : undefined,
    );
    assert.equal(demo.exitCode, null, "the demo is still running");
    assert.equal(await echo(pa), 200, "node-a serves from its last-known-good config");
    assert.equal(await echo(pb), 200, "node-b serves from its last-known-good config");

    demo.stdin?.write("r\n");
    const restarted = Number(
      (
        await eventually(
          "the control plane to restart",
          async () => /control-plane restarted \(pid (\d+)\)/.exec(out) ?? undefined,
        )
      )[1],
    );
    assert.notEqual(restarted, cpPid);
    cpPid = restarted;
    await eventually(
      "both nodes to reconnect to the restarted control plane",
      async () => {
        const r = await fetch(`http://127.0.0.1:${admin}/v1/nodes`, {
          headers: { authorization: `Bearer ${adminToken}` },
        }).catch(() => undefined);
        if (!r?.ok) return undefined;
        const nodes = ((await r.json()) as { items: { id: string; connected: boolean }[] }).items;
        return ["node-a", "node-b"].every((id) => nodes.some((n) => n.id === id && n.connected)) || undefined;
      },
      60_000,
    );
    assert.equal(await echo(pa), 200);

    demo.kill("SIGINT");
    assert.equal(await exited, 0);
    assert.match(out, /Stopped\./);
    assert.equal(alive(cpPid), false, "Ctrl-C stopped the restarted control plane too");
  } finally {
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill("SIGINT");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
