import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Publisher } from "../config/publisher.js";
import { storeBackends } from "../test/backends.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { Store } from "./store.js";

/**
 * Backup and restore: `palisade-cp backup` / `restore` (the real binary) for SQLite through its
 * online backup API, and the documented pg_dump / pg_restore procedure for PostgreSQL.
 */
const [sqlite, postgres] = storeBackends();
const CP = fileURLToPath(new URL("../bin/palisade-cp.js", import.meta.url));
const run = promisify(execFile);

/** Runs `palisade-cp …args`; resolves with the exit code and output (never rejects). */
async function cp(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [CP, ...args], { env: { PATH: process.env.PATH ?? "" } });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

/** A draft with one upstream and one route, published as version 1. */
async function seed(store: Store): Promise<Publisher> {
  const up = await store.insertResource("upstreams", "u1", "up", { targets: [{ host: "127.0.0.1", port: 9 }] });
  await store.insertResource("routes", "r1", "r1", { paths: ["/r1"], upstream: up.id });
  const p = await Publisher.open(store);
  await p.publish("v1");
  return p;
}

test("sqlite: an online backup while the control plane writes, restored into a new file, holds what was there then", async () => {
  const dir = (await sqlite!.location()).replace(/[^/]+$/, "");
  const live = join(dir, "live.db");
  const file = join(dir, "backup-1.db");
  const store = await Store.open(live);
  try {
    await seed(store);
    const b = await cp("backup", file, "--db", live);
    assert.equal(b.code, 0, b.err);
    assert.match(b.out, new RegExp(`schema version ${SCHEMA_VERSION}`));
    // Written after the backup: not in it.
    await store.insertResource("routes", "r2", "r2", { paths: ["/r2"], upstream: "u1" });
    const again = await cp("backup", file, "--db", live);
    assert.deepEqual([again.code, /exists/.test(again.err)], [1, true], "a backup never overwrites a file");
  } finally {
    await store.close();
  }
  const restored = join(dir, "restored.db");
  const r = await cp("restore", file, "--db", restored);
  assert.equal(r.code, 0, r.err);
  const back = await Store.open(restored);
  try {
    assert.deepEqual(
      (await back.listResources("routes")).map((x) => x.name),
      ["r1"],
    );
    assert.equal((await back.latestVersion())?.message, "v1");
    const p = await Publisher.open(back);
    await back.insertResource("routes", "r3", "r3", { paths: ["/r3"], upstream: "u1" });
    assert.equal((await p.publish("after restore")).version.version, 2, "versions go on from the backup's");
  } finally {
    await back.close();
  }
  // Restored over the live file (control plane stopped): the later write is gone.
  assert.equal((await cp("restore", file, "--db", live)).code, 0);
  const old = await Store.open(live);
  try {
    assert.deepEqual(
      (await old.listResources("routes")).map((x) => x.name),
      ["r1"],
    );
  } finally {
    await old.close();
  }
});

test("backup and restore refuse what they cannot do, saying why", async () => {
  const dir = (await sqlite!.location()).replace(/[^/]+$/, "");
  const junk = join(dir, "junk.db");
  writeFileSync(junk, "not a database at all, just text that is long enough to look like a file header");
  const notDb = await cp("restore", junk, "--db", join(dir, "x.db"));
  assert.equal(notDb.code, 1);
  assert.match(notDb.err, /not a SQLite database|cannot be opened/);

  const newer = join(dir, "newer.db");
  const s = await Store.open(newer);
  await s.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  await s.close();
  const tooNew = await cp("restore", newer, "--db", join(dir, "y.db"));
  assert.equal(tooNew.code, 1);
  assert.match(tooNew.err, /newer than this build/);

  const missing = await cp("backup", join(dir, "b.db"), "--db", join(dir, "none.db"));
  assert.deepEqual([missing.code, /no database/.test(missing.err)], [1, true]);
  assert.equal((await cp("backup")).code, 2, "no file named");

  const pg = await cp(
    "backup",
    join(dir, "pg.dump"),
    "--database-url",
    "postgres://cp:s3cret@db.internal:5432/palisade",
  );
  assert.equal(pg.code, 2);
  assert.match(
    pg.err,
    /pg_dump --format=custom --file .*pg\.dump 'postgres:\/\/cp:\*\*\*@db\.internal:5432\/palisade'/,
  );
  assert.doesNotMatch(pg.err, /s3cret/, "the password is never printed");
});

test("postgres: the documented pg_dump / pg_restore round trip gives a database the control plane opens and goes on with", async () => {
  const cluster = postgres!.cluster!;
  const url = await postgres!.location();
  const store = await Store.open(url);
  try {
    await seed(store);
  } finally {
    await store.close();
  }
  const dump = join(cluster.dir, "palisade.dump");
  await cluster.tool("pg_dump", ["--format=custom", "--file", dump, url]);
  const target = await cluster.createDatabase("restored");
  await cluster.tool("pg_restore", ["--no-owner", "--dbname", target, dump]);
  const back = await Store.open(target);
  try {
    assert.deepEqual(
      (await back.listResources("routes")).map((x) => x.name),
      ["r1"],
    );
    const p = await Publisher.open(back);
    await back.insertResource("routes", "r2", "r2", { paths: ["/r2"], upstream: "u1" });
    assert.equal((await p.publish("after restore")).version.version, 2);
    // Identity columns go on after the restored rows (audit ids keep increasing).
    const id = await back.insertAudit({
      at: new Date().toISOString(),
      actor: { id: "env", label: "env", fingerprint: "f" },
      source: "api",
      method: "POST",
      path: "/v1/routes",
      kind: "routes",
      resource_id: "r2",
      resource_name: "r2",
      status: 201,
      before: null,
      after: null,
    });
    assert.ok(id >= 1);
  } finally {
    await back.close();
  }
});
