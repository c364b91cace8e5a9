import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { storeBackends } from "../test/backends.js";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./migrations.js";
import { PgDb } from "./pg-db.js";
import { RolloutStore } from "./rollout-store.js";
import type { SqlDb } from "./sql-db.js";
import { SqliteDb } from "./sqlite-db.js";
import { Store } from "./store.js";

/**
 * Schema migrations on both backends, from every earlier schema version: a database left at
 * version k (with rows of what existed then) opens at the current version with the same schema
 * as a new database, and its rows read back with the defaults later versions added.
 */
const backends = storeBackends();

/** Every table's columns (`table.column type null/not-null default collation`) and index, sorted. */
async function schemaOf(db: SqlDb): Promise<string[]> {
  if (db.dialect === "sqlite") {
    const tables = await db.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    const out: string[] = [];
    for (const t of tables)
      for (const c of await db.all<{ name: string; type: string; notnull: number; dflt_value: string | null }>(
        `PRAGMA table_info(${t.name})`,
      ))
        out.push(`${t.name}.${c.name} ${c.type} ${c.notnull ? "not-null" : "null"} ${c.dflt_value ?? ""}`);
    for (const i of await db.all<{ sql: string | null; name: string }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index'",
    ))
      out.push(`index ${i.name} ${i.sql ?? ""}`);
    return out.sort();
  }
  const cols = await db.all<{ t: string; c: string; type: string; n: string; d: string | null; coll: string | null }>(
    `SELECT table_name AS t, column_name AS c, data_type AS type, is_nullable AS n, column_default AS d,
            collation_name AS coll
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );
  const indexes = await db.all<{ d: string }>("SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public'");
  return [
    ...cols.map((c) => `${c.t}.${c.c} ${c.type} ${c.n} ${c.d ?? ""} ${c.coll ?? ""}`),
    ...indexes.map((i) => `index ${i.d}`),
  ].sort();
}

/** Rows of what schema version `k` has, written with that version's columns only. */
async function fill(db: SqlDb, k: number): Promise<void> {
  const t = "2026-01-01T00:00:00.000Z";
  if (k >= 1) {
    await db.run("INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", [
      "routes",
      "r1",
      "route-1",
      '{"paths":["/a"]}',
      t,
      t,
    ]);
    await db.run("INSERT INTO config_versions (version, hash, snapshot, message, created_at) VALUES (?, ?, ?, ?, ?)", [
      1,
      "h1",
      Buffer.from([1, 2, 3]),
      "first",
      t,
    ]);
    await db.run(
      "INSERT INTO nodes (id, region, first_seen_at, last_seen_at, last_nack_version, last_nack_code) VALUES (?, ?, ?, ?, ?, ?)",
      ["n1", "eu", t, t, 1, "INTERNAL"],
    );
    await db.run("INSERT INTO admin_tokens (hash, created_at) VALUES (?, ?)", ["aa", t]);
    // From migration 8 on, tokens are api_tokens (migration 8 copied admin_tokens' rows).
    if (k >= 8)
      await db.run("INSERT INTO api_tokens (name, role, hash, source, created_at) VALUES (?, ?, ?, ?, ?)", [
        "bootstrap",
        "admin",
        "aa",
        "bootstrap",
        t,
      ]);
  }
  if (k >= 2)
    await db.run(
      "INSERT INTO audit_log (at, actor_id, actor_label, actor_fingerprint, source, method, path, kind, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [t, "env", "env", "f", "api", "POST", "/v1/routes", "routes", 201],
    );
  // From version 6 on, the control plane writes the NACK's kind itself.
  if (k >= 6) await db.run("UPDATE nodes SET last_nack_kind = 'node_fault' WHERE id = 'n1'");
  if (k >= 3)
    await db.run(
      "INSERT INTO credentials (id, consumer_id, type, body, identity, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      ["c1", "consumer", "api-key", "{}", "api-key:x", t],
    );
}

for (const backend of backends)
  describe(`migrations on ${backend.name}`, () => {
    test("a new database is at the current version; a newer one is refused", async () => {
      const store = await Store.open(await backend.location());
      try {
        assert.equal(await schemaVersion(store.db), SCHEMA_VERSION);
        assert.equal(await migrate(store.db), SCHEMA_VERSION, "nothing left to run");
        if (backend.name === "sqlite") await store.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
        else await store.db.run("UPDATE palisade_schema SET version = ?", [SCHEMA_VERSION + 1]);
        await assert.rejects(migrate(store.db), /newer than this control plane/);
      } finally {
        await store.close();
      }
    });

    for (let k = 0; k < SCHEMA_VERSION; k++)
      test(`from schema version ${k}: same schema as a new database, rows kept`, async () => {
        const fresh = await Store.open(await backend.location());
        const expected = await schemaOf(fresh.db);
        await fresh.close();

        // A new database migrated up to version k only, with rows of that version.
        const target = await backend.location();
        const db: SqlDb = backend.name === "sqlite" ? new SqliteDb(target) : new PgDb(target);
        await migrate(db, k);
        assert.equal(await schemaVersion(db), k);
        await fill(db, k);
        await db.close();

        const store = await Store.open(target);
        try {
          assert.equal(await schemaVersion(store.db), SCHEMA_VERSION);
          assert.deepEqual(await schemaOf(store.db), expected);
          if (k === 0) return;
          const route = await store.getResourceWithRevision("routes", "r1");
          assert.deepEqual([route?.name, route?.body, route?.rev], ["route-1", { paths: ["/a"] }, 1]);
          const v = await store.getVersion(1);
          assert.deepEqual([v?.hash, v?.features, v?.touched, [...(v?.snapshot ?? [])]], ["h1", [], null, [1, 2, 3]]);
          const node = await store.getNode("n1");
          assert.deepEqual(
            [node?.last_nack?.code, node?.last_nack?.kind, node?.features, node?.revoked_at],
            ["INTERNAL", "node_fault", [], null],
            "an older NACK is classified by its code (migration 6)",
          );
          assert.deepEqual(
            (await store.db.all<{ hash: string; role: string }>("SELECT hash, role FROM api_tokens")).map((t) => [
              t.hash,
              t.role,
            ]),
            [["aa", "admin"]],
            "a token of migration 1 is an admin token (migration 8)",
          );
          const stable = await new RolloutStore(store).stable();
          assert.equal(stable.version, k < 5 ? 1 : 0, "migration 5 makes the latest version stable");
          if (k >= 2) assert.equal((await store.listAudit({ limit: 10 }))[0]?.kind, "routes");
          if (k >= 3) assert.equal(await store.credentialIdentityTaken("api-key:x"), true);
          // The migrated database takes new writes of every kind.
          await store.insertResource("routes", "r2", "route-2", {});
          await store.upsertNodeHello({
            id: "n1",
            region: "eu",
            labels: {},
            softwareVersion: "2",
            policyTypes: [],
            appliedVersion: 1,
            appliedHash: "h1",
            features: [],
            reportIntervalMs: 1000,
            certSerial: null,
            certNotAfter: null,
          });
          assert.equal((await store.getNode("n1"))?.software_version, "2");
        } finally {
          await store.close();
        }
      });
  });
