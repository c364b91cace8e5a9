import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { TokenStore } from "../rbac/token-store.js";
import { storeBackends } from "../test/backends.js";
import { IdentityStore } from "./identity-store.js";
import { RolloutStore } from "./rollout-store.js";
import type { NodeHelloFacts, Store } from "./store.js";

/**
 * The store's contract, run on both backends (SQLite in memory and a real PostgreSQL): what the
 * control plane reads back after each write, ordering, upserts, and transactions.
 */
const backends = storeBackends();

const hello = (id: string, region: string): NodeHelloFacts => ({
  id,
  region,
  labels: { tier: "edge" },
  softwareVersion: "1.2.3",
  policyTypes: ["jwt"],
  appliedVersion: 0,
  appliedHash: "",
  features: ["upstreams", "routes"],
  reportIntervalMs: 5000,
  certSerial: null,
  certNotAfter: null,
});

for (const backend of backends)
  describe(`store on ${backend.name}`, () => {
    test("resources: found by id or name, listed in byte order of names, revised on update, deleted with credentials", async () => {
      const s = await backend.open();
      try {
        for (const name of ["b", "B", "a_b", "a-b", "Z", "a"])
          await s.insertResource("routes", `id-${name}`, name, { paths: [`/${name}`] });
        assert.deepEqual(
          (await s.listResources("routes")).map((r) => r.name),
          ["B", "Z", "a", "a-b", "a_b", "b"],
          "byte order (SQLite BINARY, PostgreSQL COLLATE C), whatever the database's locale",
        );
        assert.equal((await s.getResource("routes", "a-b"))?.id, "id-a-b");
        assert.deepEqual((await s.getResource("routes", "id-a"))?.body, { paths: ["/a"] });
        assert.equal(await s.getResource("routes", "missing"), undefined);
        assert.equal(await s.nameTaken("routes", "a"), true);
        assert.equal(await s.nameTaken("routes", "a", "id-a"), false, "its own name is not taken");
        await s.updateResource("routes", "id-a", "a2", { paths: ["/a2"] });
        const a = await s.getResourceWithRevision("routes", "id-a");
        assert.deepEqual([a?.name, a?.rev, a?.body], ["a2", 2, { paths: ["/a2"] }]);
        await assert.rejects(s.insertResource("routes", "other", "b", {}), "a name is unique per kind");
        await s.insertResource("upstreams", "u", "b", {});

        const c = await s.insertResource("consumers", randomUUID(), "alice", {});
        await s.insertCredential(
          { id: "k1", consumer_id: c.id, type: "api-key", body: { hash: "h" }, created_at: "2026-01-01T00:00:00.000Z" },
          "api-key:h",
        );
        assert.equal((await s.getResourceWithRevision("consumers", c.id))?.rev, 2, "a credential revises its consumer");
        assert.equal(await s.credentialIdentityTaken("api-key:h"), true);
        assert.equal((await s.deleteResource("consumers", c.id)) && (await s.listCredentials()).length, 0);
        assert.equal(await s.deleteResource("consumers", c.id), false);
        assert.deepEqual((await s.listResourceRevisions()).map((r) => `${r.kind}/${r.id}/${r.rev}`).sort(), [
          "routes/id-B/1",
          "routes/id-Z/1",
          "routes/id-a-b/1",
          "routes/id-a/2",
          "routes/id-a_b/1",
          "routes/id-b/1",
          "upstreams/u/1",
        ]);
      } finally {
        await s.close();
      }
    });

    test("credentials: oldest first per consumer, one identity across consumers; settings upsert", async () => {
      const s = await backend.open();
      try {
        const cred = (id: string, consumer: string, at: string) => ({
          id,
          consumer_id: consumer,
          type: "jwt",
          body: { iss: id },
          created_at: at,
        });
        await s.insertCredential(cred("c2", "x", "2026-01-02T00:00:00.000Z"), "jwt:2");
        await s.insertCredential(cred("c1", "x", "2026-01-01T00:00:00.000Z"), "jwt:1");
        await s.insertCredential(cred("c3", "y", "2026-01-01T00:00:00.000Z"), "jwt:3");
        assert.deepEqual(
          (await s.listCredentials("x")).map((c) => c.id),
          ["c1", "c2"],
        );
        assert.deepEqual((await s.getCredential("x", "c1"))?.body, { iss: "c1" });
        assert.equal(await s.getCredential("y", "c1"), undefined, "another consumer's credential is not found");
        await assert.rejects(s.insertCredential(cred("c4", "y", "2026-01-03T00:00:00.000Z"), "jwt:1"));
        assert.equal((await s.listCredentials()).length, 3, "the refused credential left nothing");
        assert.equal(await s.deleteCredential("x", "c2"), true);
        assert.equal(await s.deleteCredential("x", "c2"), false);

        assert.deepEqual(await s.getSettings(), {});
        await s.putSettings({ merge_slashes: true });
        await s.putSettings({ global_policies: ["p"] });
        assert.deepEqual(await s.getSettings(), { global_policies: ["p"] });
      } finally {
        await s.close();
      }
    });

    test("versions: snapshots read back byte for byte, also once compressed; the latest, lists and the delta history", async () => {
      const s = await backend.open();
      try {
        assert.equal(await s.latestVersion(), undefined);
        assert.equal(await s.latestVersionNumber(), 0);
        const snap = (n: number) => Buffer.from(Array.from({ length: 300 }, (_, i) => (i * n) % 256));
        for (const n of [1, 2, 3])
          await s.insertVersion({
            version: n,
            hash: `h${n}`,
            message: `m${n}`,
            created_at: `2026-01-0${n}T00:00:00.000Z`,
            features: n === 3 ? ["jwt"] : [],
            touched: n === 1 ? null : [`routes/r${n}`],
            snapshot: snap(n),
          });
        await s.compressVersion(2, gzipSync(snap(2)));
        assert.deepEqual((await s.getVersion(2))?.snapshot, snap(2), "stored gzip, read back as it was");
        const latest = await s.latestVersion();
        assert.deepEqual(
          [latest?.version, latest?.hash, latest?.features, latest?.touched],
          [3, "h3", ["jwt"], ["routes/r3"]],
        );
        assert.deepEqual(latest?.snapshot, snap(3));
        assert.equal(await s.latestVersionNumber(), 3);
        assert.deepEqual(
          (await s.listVersions(2)).map((v) => v.version),
          [3, 2],
        );
        assert.deepEqual(
          (await s.versionsAfter(1)).map((v) => [v.version, v.touched]),
          [
            [2, ["routes/r2"]],
            [3, ["routes/r3"]],
          ],
        );
        assert.equal(await s.hasVersion(2), true);
        assert.equal(await s.hasVersion(9), false);
        await assert.rejects(
          s.insertVersion({
            version: 3,
            hash: "x",
            message: "",
            created_at: "",
            features: [],
            touched: null,
            snapshot: snap(1),
          }),
          "a version number is taken once",
        );
      } finally {
        await s.close();
      }
    });

    test("nodes: a hello upserts, ACK/NACK/blocked/revoked read back, listed by region then id", async () => {
      const s = await backend.open();
      try {
        await s.upsertNodeHello(hello("n2", "eu"));
        await s.upsertNodeHello(hello("n1", "us"));
        await s.upsertNodeHello({ ...hello("n1", "eu"), softwareVersion: "1.2.4" });
        assert.deepEqual(
          (await s.listNodes()).map((n) => `${n.region}/${n.id}`),
          ["eu/n1", "eu/n2"],
        );
        await s.recordAck("n1", 4, "hash4");
        await s.recordNack("n1", {
          version: 5,
          runningVersion: 4,
          code: "INTERNAL",
          kind: "node_fault",
          message: "m",
          resource: "r",
        });
        await s.setNodeBlocked("n1", { version: 6, missing: ["waf"] });
        let n1 = (await s.getNode("n1"))!;
        assert.deepEqual(
          [n1.software_version, n1.connected, n1.applied_version, n1.applied_hash, n1.labels, n1.features],
          ["1.2.4", true, 4, "hash4", { tier: "edge" }, ["upstreams", "routes"]],
        );
        assert.deepEqual(
          [n1.last_nack?.version, n1.last_nack?.kind, n1.blocked],
          [5, "node_fault", { version: 6, missing: ["waf"] }],
        );
        await s.clearNodeNack("n1");
        await s.setNodeBlocked("n1", null);
        n1 = (await s.getNode("n1"))!;
        assert.deepEqual([n1.last_nack, n1.blocked], [null, null]);
        await s.markAllNodesDisconnected();
        assert.deepEqual(
          (await s.listNodes()).map((n) => n.connected),
          [false, false],
        );
        await s.markNodeRevoked("ghost", "ap");
        const first = (await s.getNode("ghost"))!.revoked_at;
        assert.ok(first);
        await new Promise((r) => setTimeout(r, 5));
        await s.markNodeRevoked("ghost");
        assert.equal((await s.getNode("ghost"))!.revoked_at, first, "the first revocation time stays");
        assert.equal(await s.deleteNode("ghost"), true);
        assert.equal(await s.getNode("ghost"), undefined);
      } finally {
        await s.close();
      }
    });

    test("audit log: ids in order, filters by kind prefix (wildcards escaped), resource, actor, time and cursor", async () => {
      const s = await backend.open();
      try {
        const entry = (kind: string, at: string, resource: string) => ({
          at,
          actor: { id: "env", label: "PALISADE_ADMIN_TOKEN", fingerprint: "abc" },
          source: "api",
          method: "POST",
          path: `/v1/${kind}`,
          kind,
          resource_id: resource,
          resource_name: `${resource}-name`,
          status: 200,
          before: null,
          after: { n: 1 },
        });
        const ids = [];
        ids.push(await s.insertAudit(entry("rollouts", "2026-01-01T00:00:00.000Z", "r1")));
        ids.push(await s.insertAudit(entry("rollouts/pause", "2026-01-02T00:00:00.000Z", "r1")));
        ids.push(await s.insertAudit(entry("rollouts_x", "2026-01-03T00:00:00.000Z", "r2")));
        ids.push(await s.insertAudit(entry("routes", "2026-01-04T00:00:00.000Z", "r3")));
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
        );
        const kinds = async (q: Parameters<Store["listAudit"]>[0]) => (await s.listAudit(q)).map((e) => e.kind);
        assert.deepEqual(await kinds({ kind: "rollouts", limit: 10 }), ["rollouts/pause", "rollouts"]);
        assert.deepEqual(await kinds({ kind: "rollouts_", limit: 10 }), [], "_ is no wildcard");
        assert.deepEqual(await kinds({ resource: "r1-name", limit: 10 }), ["rollouts/pause", "rollouts"]);
        assert.deepEqual(
          await kinds({ since: "2026-01-02T00:00:00.000Z", until: "2026-01-04T00:00:00.000Z", limit: 10 }),
          ["rollouts_x", "rollouts/pause"],
        );
        assert.deepEqual(await kinds({ beforeId: ids[2]!, limit: 1 }), ["rollouts/pause"]);
        assert.deepEqual(await kinds({ actor: "1", limit: 10 }), []);
        const [last] = await s.listAudit({ limit: 1 });
        assert.deepEqual([last?.after, last?.before, last?.actor.label], [{ n: 1 }, null, "PALISADE_ADMIN_TOKEN"]);
      } finally {
        await s.close();
      }
    });

    test("API tokens and custom roles (TokenStore): ids in order, a rotation keeps the previous hash, roles upsert", async () => {
      const s = await backend.open();
      try {
        const tokens = new TokenStore(s);
        const row = (name: string, hash: string) => ({
          name,
          role: "viewer",
          regions: ["eu"],
          route_prefixes: [],
          hash,
          source: "api" as const,
          subject: null,
          created_at: "2026-01-01T00:00:00.000Z",
          created_by: null,
          expires_at: null,
        });
        const a = await tokens.insert(row("a", "h1"));
        const b = await tokens.insert(row("b", "h2"));
        assert.ok(b.id > a.id);
        assert.deepEqual(a.regions, ["eu"]);
        await assert.rejects(tokens.insert(row("c", "h1")), "a secret's hash is unique");
        await tokens.rotate(a.id, "h3", "2026-01-02T00:00:00.000Z", null);
        assert.deepEqual([(await tokens.get(a.id))?.hash, (await tokens.get(a.id))?.previous_hash], ["h3", "h1"]);
        await tokens.revoke(b.id, "2026-01-03T00:00:00.000Z");
        assert.equal(await tokens.activeWithRole("viewer"), 1);
        assert.equal(await tokens.hasUsableAdmin("2026-01-01T00:00:00.000Z"), false);
        await tokens.putRole({ name: "ops", description: "d", permissions: ["routes:read"] }, "t1");
        await tokens.putRole({ name: "ops", description: "d2", permissions: ["routes:write"] }, "t2");
        assert.deepEqual(
          (await tokens.roles()).map((r) => [r.name, r.description, r.permissions]),
          [["ops", "d2", ["routes:write"]]],
        );
        assert.equal(await tokens.deleteRole("ops"), true);
      } finally {
        await s.close();
      }
    });

    test("a transaction that throws leaves nothing, and no other flow ever reads its writes; a failed savepoint only undoes itself", async () => {
      const s = await backend.open();
      try {
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        let inserted!: () => void;
        const wrote = new Promise<void>((r) => {
          inserted = r;
        });
        const tx = s.transaction(async () => {
          await s.insertResource("routes", "t1", "t1", {});
          inserted();
          await gate;
          throw new Error("refused");
        });
        await wrote;
        // Another flow while the transaction is open: SQLite waits for it, PostgreSQL reads the committed state.
        const outside = s.getResource("routes", "t1");
        release();
        await assert.rejects(tx, /refused/);
        assert.equal(await outside, undefined);
        assert.equal(await s.getResource("routes", "t1"), undefined);

        await s.transaction(async () => {
          await s.insertResource("routes", "kept", "kept", {});
          await assert.rejects(
            s.transaction(async () => {
              await s.insertResource("routes", "undone", "undone", {});
              throw new Error("inner");
            }),
          );
        });
        assert.deepEqual(
          (await s.listResources("routes")).map((r) => r.name),
          ["kept"],
        );
      } finally {
        await s.close();
      }
    });

    test("rollout and identity companions: stable version, records newest first, events in order, single-use join tokens", async () => {
      const s = await backend.open();
      try {
        const ro = new RolloutStore(s);
        assert.deepEqual((await ro.stable()).version, 0);
        await ro.setStable(3, "2026-01-01T00:00:00.000Z");
        assert.deepEqual(await ro.stable(), { version: 3, setAt: "2026-01-01T00:00:00.000Z" });
        const rec = (seq: number) =>
          ({
            id: `r${seq}`,
            seq,
            version: 3,
            state: seq === 2 ? "running" : "succeeded",
            updated_at: "",
            created_at: "",
          }) as never;
        assert.equal(await ro.nextSeq(), 1);
        await ro.insert(rec(1));
        await ro.insert(rec(2));
        assert.equal(await ro.nextSeq(), 3);
        assert.deepEqual(
          (await ro.list({ limit: 10 })).map((r) => r.id),
          ["r2", "r1"],
        );
        assert.deepEqual(
          (await ro.list({ limit: 10, state: "succeeded" })).map((r) => r.id),
          ["r1"],
        );
        assert.equal((await ro.last())?.id, "r2");
        await ro.addEvent("r2", { at: "a", type: "started", who: "ops", message: "m1", stage: null });
        await ro.addEvent("r2", { at: "b", type: "paused", who: "ops", message: "m2", stage: "eu" });
        assert.deepEqual(
          (await ro.events("r2")).map((e) => [e.type, e.stage]),
          [
            ["started", null],
            ["paused", "eu"],
          ],
        );

        const ids = new IdentityStore(s);
        await ids.insertJoinToken({
          id: "t",
          hash: "h",
          region: "eu",
          node_id: null,
          expires_at: "2030-01-01T00:00:00.000Z",
          created_at: "2026-01-01T00:00:00.000Z",
        });
        assert.equal(await ids.useJoinToken("t", "n1", "2026-01-01T00:00:01.000Z"), true);
        assert.equal(await ids.useJoinToken("t", "n2", "2026-01-01T00:00:02.000Z"), false, "single use");
        assert.equal((await ids.getJoinTokenByHash("h"))?.used_by, "n1");
        await ids.insertNodeCert({ serial: "AA", node_id: "n1", region: "eu", not_after: "x", issued_at: "1" });
        await ids.insertNodeCert({ serial: "BB", node_id: "n1", region: "us", not_after: "x", issued_at: "2" });
        assert.equal(await ids.regionOf("n1"), "us");
        assert.equal(await ids.revokeNodeCerts("n1", "now"), 2);
        assert.equal((await ids.getNodeCert("AA"))?.revoked_at, "now");
      } finally {
        await s.close();
      }
    });
  });
