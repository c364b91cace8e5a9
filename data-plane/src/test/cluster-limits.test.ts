// Node-local rate limits are shared EXACTLY by all worker processes of a node: a real
// node:cluster primary with two real worker processes, each running the proxy; 100 requests on
// fresh connections (spread over both workers by the cluster's round-robin) against 10/min.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

function get(
  port: number,
  path: string,
): Promise<{ status: number; worker: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: "POST", agent: false, headers: { "content-length": "0" } },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode!, worker: String(res.headers["x-worker"]), headers: res.headers }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

test("2 worker processes, 100 requests against 10/min: exactly 10 admitted, both workers answered", async (t) => {
  const upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const child = spawn(process.execPath, [fileURLToPath(new URL("./cluster-fixture.js", import.meta.url))], {
    env: {
      ...process.env,
      FIXTURE_UPSTREAM_PORT: String((upstream.address() as AddressInfo).port),
      FIXTURE_WORKERS: "2",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  t.after(async () => {
    child.kill("SIGTERM");
    await exited;
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    exited.then(() => reject(new Error("cluster fixture exited before it was ready")));
  });
  const results = [];
  for (let i = 0; i < 100; i++) results.push(await get(port, "/auth/login"));
  const ok = results.filter((r) => r.status === 200);
  assert.equal(ok.length, 10, `admitted ${ok.length}`);
  assert.equal(results.filter((r) => r.status === 429).length, 90);
  assert.deepEqual(new Set(results.map((r) => r.worker)), new Set(["w1", "w2"]), "both workers served requests");
  assert.deepEqual(
    ok.map((r) => r.headers["ratelimit-remaining"]),
    ["9", "8", "7", "6", "5", "4", "3", "2", "1", "0"],
    "one count across processes",
  );
  assert.ok(Number(results[99]!.headers["retry-after"]) >= 1);
});
