import type { SqlDb } from "./sql-db.js";

/** Advisory lock key of draft writes (shared) against a publish's read of the draft (exclusive): "pal" + 4. */
const DRAFT_LOCK = 0x70616c04;

/**
 * The draft's change log: which draft resources (`kind/id`) this process wrote since the
 * publisher last took them (its incremental path), and on a shared database (PostgreSQL
 * replicas) the `draft_changes` rows and the draft lock that tell a publish whether another
 * control plane wrote the draft meanwhile.
 */
export class DraftLog {
  readonly #db: SqlDb;
  readonly #instance: string;
  /** `kind/id` of draft resources written by this process since the publisher last took them. */
  readonly #changes = new Set<string>();

  /** @param instance this control plane's name among the replicas (`Store.instance`) */
  constructor(db: SqlDb, instance: string) {
    this.#db = db;
    this.#instance = instance;
  }

  /**
   * Runs a write of draft resource `key` (`kind/id`): noted for the publisher's incremental path;
   * on a shared database in one transaction under the shared draft lock, logged in
   * `draft_changes` with this control plane as its writer (see {@link DraftLog.lockDraft}).
   */
  write<T>(key: string, fn: () => Promise<T>): Promise<T> {
    this.#changes.add(key);
    if (this.#db.dialect !== "postgres") return fn();
    return this.#db.transaction(async () => {
      await this.#db.lockInTransaction(DRAFT_LOCK, "shared");
      const out = await fn();
      await this.#db.run("INSERT INTO draft_changes (writer) VALUES (?)", [this.#instance]);
      return out;
    });
  }

  /**
   * Inside the publish transaction on a shared database: waits for every draft write in flight
   * (they hold the draft lock shared, this takes it exclusive until the commit), then tells
   * whether another control plane wrote the draft after change `since` (or the log no longer
   * reaches back that far).
   * @returns the latest change number, and whether others wrote since `since`
   */
  async lockDraft(since: number): Promise<{ seq: number; others: boolean }> {
    await this.#db.lockInTransaction(DRAFT_LOCK);
    const r = await this.#db.get<{ seq: number | null; first: number | null; others: number | null }>(
      `SELECT MAX(seq) AS seq, MIN(seq) AS first,
         (SELECT 1 FROM draft_changes WHERE seq > ? AND writer <> ? LIMIT 1) AS others FROM draft_changes`,
      [since, this.#instance],
    );
    const seq = r?.seq ?? 0;
    return { seq, others: r?.others === 1 || (r?.first != null && r.first > since + 1) };
  }

  /** Drops the draft log up to `keepAfter` (the oldest some control plane may still compare with). */
  async pruneDraftChanges(keepAfter: number): Promise<void> {
    await this.#db.run("DELETE FROM draft_changes WHERE seq <= ?", [keepAfter]);
  }

  /**
   * `kind/id` of the draft resources this process wrote since `forgetChanges` (a write that was
   * rolled back may be listed: readers re-read each one). The publisher's incremental path.
   */
  changedResources(): string[] {
    return [...this.#changes];
  }

  /** Forgets changes the publisher has taken into a version. */
  forgetChanges(keys: Iterable<string>): void {
    for (const k of keys) this.#changes.delete(k);
  }
}
