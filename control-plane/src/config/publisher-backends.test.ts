import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { Store } from "../store/store.js";
import { storeBackends } from "../test/backends.js";
import { Publisher, readDraft } from "./publisher.js";
import { buildSnapshot } from "./snapshot.js";

/**
 * Publishing on both backends: one transaction, monotonic numbers, and two control planes on
 * one database (PostgreSQL replicas; two processes on one SQLite file) that publish at once.
 */
const backends = storeBackends();

/** A draft with one upstream and `n` routes. */
async function seed(store: Store, n: number): Promise<string[]> {
  const up = await store.insertResource("upstreams", randomUUID(), "up", { targets: [{ host: "127.0.0.1", port: 9 }] });
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push((await store.insertResource("routes", randomUUID(), `r${i}`, { paths: [`/r${i}`], upstream: up.id })).id);
  return ids;
}

for (const backend of backends)
  describe(`publish on ${backend.name}`, () => {
    test("a version is the next number; an unchanged draft makes none; a refused publish stores nothing", async () => {
      const store = await backend.open();
      try {
        const routes = await seed(store, 3);
        const p = await Publisher.open(store);
        const v1 = await p.publish("first");
        assert.deepEqual([v1.created, v1.version.version], [true, 1]);
        assert.equal((await p.publish("again")).created, false);
        const draft = await store.getResource("routes", routes[0]!);
        await store.updateResource("routes", routes[0]!, "r0", { ...draft!.body, upstream: "gone" });
        await assert.rejects(p.publish("dangling"), { code: "REFERENCE_NOT_FOUND" });
        assert.equal(await store.latestVersionNumber(), 1, "nothing of the refused publish is stored");
        await store.updateResource("routes", routes[0]!, "r0", { ...draft!.body, paths: ["/new"] });
        const v2 = await p.publish("second");
        assert.deepEqual([v2.created, v2.version.version], [true, 2]);
        assert.equal((await store.getVersion(2))?.hash, buildSnapshot(await readDraft(store)).hash);
        assert.deepEqual((await store.latestVersion())?.touched, [`routes/${routes[0]}`]);
      } finally {
        await store.close();
      }
    });

    // PostgreSQL: two replicas (two stores, two pools). SQLite is one process's database (its
    // driver is synchronous: a second connection in the same process would block the first), so
    // there the two publishers share one store.
    test("two publishers at once get consecutive versions, none lost or doubled", async () => {
      const where = backend.name === "postgres" ? await backend.location() : undefined;
      const a = where ? await Store.open(where) : await backend.open();
      const b = where ? await Store.open(where) : a;
      try {
        const routes = await seed(a, 4);
        const pa = await Publisher.open(a);
        const pb = await Publisher.open(b);
        await pa.publish("base");
        for (let round = 0; round < 5; round++) {
          // Each edits its own route, then both publish at the same moment.
          for (const [s, i] of [
            [a, 0],
            [b, 1],
          ] as const) {
            const r = (await s.getResource("routes", routes[i]!))!;
            await s.updateResource("routes", r.id, r.name, { ...r.body, paths: [`/round${round}/${i}`] });
          }
          const [ra, rb] = await Promise.all([pa.publish(`a${round}`), pb.publish(`b${round}`)]);
          // The first to commit may publish both edits (PostgreSQL: it compares the whole draft
          // after the lock), then the second finds nothing new; never one number twice.
          assert.ok(ra.created || rb.created, "the edits made a version");
          if (ra.created && rb.created) assert.notEqual(ra.version.version, rb.version.version);
        }
        const versions = (await a.listVersions(100)).map((v) => v.version).reverse();
        assert.deepEqual(
          versions,
          Array.from({ length: versions.length }, (_, i) => i + 1),
          "numbers are consecutive from 1",
        );
        const hashes = (await a.listVersions(100)).map((v) => v.hash);
        assert.equal(new Set(hashes).size, hashes.length, "no version repeats another's content");
        assert.equal(hashes[0], buildSnapshot(await readDraft(a)).hash, "the latest version is the whole draft");
        // Each publisher knows the latest version once it publishes again.
        await pa.publish("sync-a");
        await pb.publish("sync-b");
        assert.equal(pa.latest()?.version, pb.latest()?.version);
      } finally {
        await a.close();
        await b.close();
      }
    });

    if (backend.name === "postgres")
      test("an edit made through another control plane is in the next publish here, whichever path the publish takes", async () => {
        const where = await backend.location();
        const a = await Store.open(where);
        const b = await Store.open(where);
        try {
          const routes = await seed(a, 2);
          const pa = await Publisher.open(a);
          await pa.publish("v1");
          const r = (await b.getResource("routes", routes[1]!))!;
          await b.updateResource("routes", r.id, r.name, { ...r.body, paths: ["/through-b"] });
          const v2 = await pa.publish("v2");
          assert.equal(v2.created, true, "the other control plane's edit is a change");
          assert.deepEqual((await a.latestVersion())?.touched, [`routes/${r.id}`]);
          assert.equal(v2.version.hash, buildSnapshot(await readDraft(a)).hash);
          // Only A wrote since: its own change list suffices (the incremental path), same content.
          const own = (await a.getResource("routes", routes[0]!))!;
          await a.updateResource("routes", own.id, own.name, { ...own.body, paths: ["/through-a"] });
          const v3 = await pa.publish("v3");
          assert.deepEqual((await a.latestVersion())?.touched, [`routes/${own.id}`]);
          assert.equal(v3.version.hash, buildSnapshot(await readDraft(a)).hash);
          // Both wrote: B's write in the log sends A back to the whole comparison, which finds both.
          await a.updateResource("routes", own.id, own.name, { ...own.body, paths: ["/a-again"] });
          await b.deleteResource("routes", r.id);
          const v4 = await pa.publish("v4");
          assert.deepEqual((await a.latestVersion())?.touched, [`routes/${own.id}`, `routes/${r.id}`].sort());
          assert.equal(v4.version.hash, buildSnapshot(await readDraft(a)).hash);
        } finally {
          await a.close();
          await b.close();
        }
      });
  });
