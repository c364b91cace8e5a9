import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type PostgresCluster, startPostgres } from "@palisade/test-support";
import { Store } from "../store/store.js";

/** One store backend as the tests use it. */
export interface TestBackend {
  readonly name: "sqlite" | "postgres";
  /**
   * Where a new, empty database is, for tests that open it more than once (a restart, two
   * control planes on one database): a new file in a temp directory (SQLite) or a new database
   * on the cluster.
   */
  location(): Promise<string>;
  /** A store over a new, empty, migrated database (SQLite: in memory). */
  open(): Promise<Store>;
  /** The running cluster (PostgreSQL only, after `before` ran). */
  readonly cluster: PostgresCluster | undefined;
}

/**
 * The two backends every store test runs on: SQLite in memory, and PostgreSQL on a throwaway
 * cluster (test-support startPostgres: initdb + pg_ctl in a temp dir, a free loopback port)
 * started before the file's tests and stopped after them; each `open()` gets its own database.
 * Call once at the top level of a test file.
 */
export function storeBackends(): readonly TestBackend[] {
  let cluster: PostgresCluster | undefined;
  let n = 0;
  const dir = mkdtempSync(join(tmpdir(), "palisade-store-"));
  before(async () => {
    cluster = await startPostgres();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cluster?.stop();
  });
  const sqlite: TestBackend = {
    name: "sqlite",
    location: async () => join(dir, `t${++n}.db`),
    open: () => Store.open(":memory:"),
    cluster: undefined,
  };
  const postgres: TestBackend = {
    name: "postgres",
    location: () => {
      if (!cluster) throw new Error("the PostgreSQL cluster is not started");
      return cluster.createDatabase(`t${++n}`);
    },
    open: async () => Store.open(await postgres.location()),
    get cluster() {
      return cluster;
    },
  };
  return [sqlite, postgres];
}
