import assert from "node:assert/strict";
import { test } from "node:test";
import { Store } from "../store/store.js";
import { testAdminApi } from "../test/admin-app.js";
import { storeBackends } from "../test/backends.js";

/**
 * A database that is down or read-only: the admin API answers 503 STORE_UNAVAILABLE (with
 * Retry-After), stores nothing of the refused change, and works again by itself once the
 * database is back, without a restart of the control plane.
 */
const [sqlite, postgres] = storeBackends();

/** The admin API over `store` with one upstream and one route, published as version 1. */
async function seeded(store: Store) {
  const t = await testAdminApi({ store });
  assert.equal(
    (await t.call("POST", "/v1/upstreams", { name: "up", targets: [{ host: "127.0.0.1", port: 9 }] })).status,
    201,
  );
  assert.equal((await t.call("POST", "/v1/routes", { name: "r", paths: ["/r"], upstream: "up" })).status, 201);
  assert.equal((await t.call("POST", "/v1/config/versions", {})).status, 201);
  return t;
}

/** What a client sees of a refused change, and that the draft and versions did not move. */
async function assertRefused(t: Awaited<ReturnType<typeof seeded>>, store: Store, reads: boolean): Promise<void> {
  const changes = [
    await t.call("POST", "/v1/routes", { name: "r2", paths: ["/r2"], upstream: "up" }),
    await t.call("PUT", "/v1/routes/r", { name: "r", paths: ["/changed"], upstream: "up" }),
    await t.call("DELETE", "/v1/routes/r"),
  ];
  for (const r of changes) {
    assert.equal(r.status, 503, r.text);
    assert.equal(r.body.error.code, "STORE_UNAVAILABLE");
    assert.equal(r.headers["retry-after"], "1");
    assert.doesNotMatch(r.text, /postgres:\/\/|palisade@|SQLITE_/, "no driver detail or URL in the answer");
  }
  // A publish: refused, or (a read-only database) nothing to publish since the draft did not move.
  const publish = await t.call("POST", "/v1/config/versions", { message: "refused" });
  assert.ok(publish.status === 503 || (publish.status === 200 && publish.body.created === false), publish.text);
  if (reads) {
    assert.equal(await store.latestVersionNumber(), 1, "no version");
    const list = await t.call("GET", "/v1/routes");
    assert.deepEqual(
      list.body.items.map((r: { name: string; paths: string[] }) => [r.name, r.paths]),
      [["r", ["/r"]]],
      "reads still work: the draft is as it was",
    );
  }
}

test("sqlite read-only: changes answer 503 and store nothing; writable again, they work", async () => {
  const store = await sqlite!.open();
  try {
    const t = await seeded(store);
    await store.db.exec("PRAGMA query_only = ON");
    await assertRefused(t, store, true);
    assert.equal(await store.latestVersionNumber(), 1);
    await store.db.exec("PRAGMA query_only = OFF");
    assert.equal((await t.call("POST", "/v1/routes", { name: "r2", paths: ["/r2"], upstream: "up" })).status, 201);
    assert.equal((await t.call("POST", "/v1/config/versions", {})).status, 201);
  } finally {
    await store.close();
  }
});

test("postgres read-only (a standby, default_transaction_read_only): 503, nothing stored; recovers by itself", async () => {
  const url = await postgres!.location();
  const name = new URL(url).pathname.slice(1);
  const store = await Store.open(url);
  const admin = await Store.open(postgres!.cluster!.url);
  const setReadOnly = async (on: boolean) => {
    await admin.db.exec(`ALTER DATABASE ${name} SET default_transaction_read_only = ${on ? "on" : "off"}`);
    // Open sessions keep their setting: end them, the pool opens new ones.
    await admin.db.all(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()",
      [name],
    );
  };
  try {
    const t = await seeded(store);
    await setReadOnly(true);
    // The first query after the terminations may meet a dead pooled connection: also a 503.
    await t.call("GET", "/v1/routes");
    await assertRefused(t, store, true);
    assert.equal(await store.latestVersionNumber(), 1, "no version from the refused publish");
    await setReadOnly(false);
    await t.call("GET", "/v1/routes");
    assert.equal((await t.call("POST", "/v1/routes", { name: "r2", paths: ["/r2"], upstream: "up" })).status, 201);
    const v = await t.call("POST", "/v1/config/versions", {});
    assert.deepEqual([v.status, v.body.version], [201, 2], "the next version follows the last committed one");
  } finally {
    await store.close();
    await admin.close();
  }
});

test("postgres down: reads and changes answer 503 at once (no hang); back up, the same control plane serves again", async () => {
  const cluster = postgres!.cluster!;
  const store = await Store.open(await postgres!.location());
  try {
    const t = await seeded(store);
    await cluster.down();
    try {
      const read = await t.call("GET", "/v1/routes");
      assert.deepEqual([read.status, read.body.error.code], [503, "STORE_UNAVAILABLE"]);
      await assertRefused(t, store, false);
    } finally {
      await cluster.up();
    }
    // The pool may hold connections that died with the server: the first query may still fail.
    await t.call("GET", "/v1/routes");
    const list = await t.call("GET", "/v1/routes");
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 1, "nothing of the refused changes");
    assert.equal(await store.latestVersionNumber(), 1);
    assert.equal((await t.call("POST", "/v1/routes", { name: "r2", paths: ["/r2"], upstream: "up" })).status, 201);
  } finally {
    await store.close();
  }
});
