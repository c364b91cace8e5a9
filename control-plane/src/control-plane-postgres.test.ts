import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pino } from "pino";
import { type ControlPlane, startControlPlane } from "./control-plane.js";
import type { Logger } from "./log.js";
import { parseCpOptions } from "./options.js";
import { storeBackends } from "./test/backends.js";

/**
 * The control plane started with `--database-url` (PALISADE_DATABASE_URL): it serves the admin
 * API from PostgreSQL, keeps its versions across a restart, and never logs the URL's password.
 */
const [, postgres] = storeBackends();
const TOKEN = "pg-test-admin-token-0123456789";

/** A control plane on the database at `url` (through PALISADE_DATABASE_URL), listening on free ports. */
async function startOn(url: string, pki: string, log: Logger, insecure: boolean): Promise<ControlPlane> {
  const opts = parseCpOptions(
    [
      "--admin-listen",
      "127.0.0.1:0",
      "--sync-listen",
      "127.0.0.1:0",
      "--pki-dir",
      pki,
      ...(insecure ? ["--sync-insecure"] : []),
    ],
    { PALISADE_DATABASE_URL: url, PALISADE_ADMIN_TOKEN: TOKEN },
  );
  if (typeof opts !== "object") throw new Error("unexpected");
  return startControlPlane(opts, log);
}

/** One admin API call over HTTP with the token. */
async function call(cp: ControlPlane, method: string, path: string, body?: unknown) {
  const r = await fetch(`http://127.0.0.1:${cp.admin.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

test("palisade-cp on PostgreSQL: publish, restart, the same versions; the password stays out of the log", async () => {
  const url = await postgres!.location();
  // The cluster trusts loopback: any password is accepted, and must never be printed.
  const withPassword = url.replace("palisade@", "palisade:pw-s3cret@");
  const pki = mkdtempSync(join(tmpdir(), "palisade-pki-"));
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (l: string) => void lines.push(l) });
  const start = () => startOn(withPassword, pki, log, false);
  let cp = await start();
  try {
    assert.equal(
      (await call(cp, "POST", "/v1/upstreams", { name: "u", targets: [{ host: "127.0.0.1", port: 9 }] })).status,
      201,
    );
    assert.equal((await call(cp, "POST", "/v1/routes", { name: "r", paths: ["/r"], upstream: "u" })).status, 201);
    const v = await call(cp, "POST", "/v1/config/versions", { message: "on postgres" });
    assert.deepEqual([v.status, v.body.version], [201, 1]);
    await cp.close();
    cp = await start();
    const versions = await call(cp, "GET", "/v1/config/versions");
    assert.deepEqual(
      (versions.body.items as Array<{ version: number; message: string }>).map((x) => [x.version, x.message]),
      [[1, "on postgres"]],
    );
    assert.equal(versions.body.stable_version, 1);
    const audit = await call(cp, "GET", "/v1/audit?kind=routes");
    assert.equal((audit.body.items as unknown[]).length, 1, "the audit log is in PostgreSQL too");
  } finally {
    await cp.close();
    rmSync(pki, { recursive: true, force: true });
  }
  const ready = lines.find((l) => l.includes("control plane ready"));
  assert.ok(ready, "the start is logged");
  assert.match(ready, /postgres:\/\/palisade:\*\*\*@127\.0\.0\.1/);
  assert.equal(
    lines.some((l) => l.includes("pw-s3cret")),
    false,
    "no log line holds the password",
  );
});

test("two control planes on one PostgreSQL: a publish through one is the other's latest and stable version, a token made through one works on the other (NOTIFY)", async () => {
  const url = await postgres!.location();
  const pki = mkdtempSync(join(tmpdir(), "palisade-pki-"));
  const start = () => startOn(url, pki, pino({ level: "silent" }), true);
  /** Polls `read` until it holds (at most 10 s). */
  const eventually = async (what: string, read: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await read()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`${what} not reached`);
  };
  const a = await start();
  const b = await start();
  try {
    assert.equal(
      (await call(a, "POST", "/v1/upstreams", { name: "u", targets: [{ host: "127.0.0.1", port: 9 }] })).status,
      201,
    );
    assert.equal((await call(a, "POST", "/v1/routes", { name: "r", paths: ["/r"], upstream: "u" })).status, 201);
    assert.equal((await call(a, "POST", "/v1/config/versions", {})).status, 201);
    // B's own memory: the latest version its sessions offer, and the stable version.
    await eventually(
      "B's latest version 1",
      async () => (await call(b, "GET", "/v1/config/draft")).body.latest_version === 1,
    );
    await eventually(
      "B's stable version 1",
      async () => (await call(b, "GET", "/v1/config/versions")).body.stable_version === 1,
    );
    // And the other way: an edit and a publish through B reach A.
    assert.equal(
      (await call(b, "PUT", "/v1/routes/r", { name: "r", paths: ["/r", "/r2"], upstream: "u" })).status,
      200,
    );
    const v2 = await call(b, "POST", "/v1/config/versions", {});
    assert.deepEqual([v2.status, v2.body.version], [201, 2]);
    await eventually(
      "A's latest version 2",
      async () => (await call(a, "GET", "/v1/config/draft")).body.latest_version === 2,
    );
    const draft = await call(a, "GET", "/v1/config/draft");
    assert.equal(draft.body.changed, false, "A's draft is B's published version");
    // A token made through A is known to B (its in-memory token index reloads).
    const minted = await call(a, "POST", "/v1/tokens", { name: "reader", role: "viewer" });
    assert.equal(minted.status, 201);
    await eventually("the token on B", async () => {
      const r = await fetch(`http://127.0.0.1:${b.admin.port}/v1/routes`, {
        headers: { authorization: `Bearer ${String(minted.body.token)}` },
      });
      return r.status === 200;
    });
  } finally {
    await a.close();
    await b.close();
    rmSync(pki, { recursive: true, force: true });
  }
});
