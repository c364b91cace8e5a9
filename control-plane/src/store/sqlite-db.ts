import Database from "better-sqlite3";
import {
  currentTx,
  inSavepoint,
  type SqlDb,
  type SqlValue,
  StoreUnavailableError,
  type TxContext,
  txStorage,
} from "./sql-db.js";

/** SQLite result codes that mean the database cannot be written or read now (not a bad statement). */
const UNAVAILABLE = /^SQLITE_(READONLY|BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOTADB)/;

/**
 * The SQLite backend (the default): better-sqlite3 with WAL, one connection. Statements run
 * synchronously and are cached by their text; a transaction holds the connection, so calls of
 * other async flows wait until it commits (they would otherwise run inside it).
 */
export class SqliteDb implements SqlDb {
  readonly dialect = "sqlite" as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /** Resolved when the open transaction ends; undefined while none is open. */
  #txDone: Promise<void> | undefined;

  /**
   * Opens (or creates) the file at `path` (`:memory:` for tests).
   * @throws StoreUnavailableError when the file cannot be opened
   */
  constructor(path: string) {
    try {
      this.#db = new Database(path);
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = NORMAL");
      this.#db.pragma("foreign_keys = ON");
      this.#db.pragma("busy_timeout = 5000");
    } catch (err) {
      throw mapError(err);
    }
  }

  /** Whether the connection is open. */
  get open(): boolean {
    return this.#db.open;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (this.#txDone && !currentTx(this)) await this.#idle();
    return this.#do(() => this.#statement(sql).all(...params) as T[]);
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    if (this.#txDone && !currentTx(this)) await this.#idle();
    return this.#do(() => this.#statement(sql).get(...params) as T | undefined);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    if (this.#txDone && !currentTx(this)) await this.#idle();
    return this.#do(() => {
      const st = this.#statement(sql);
      // A statement with RETURNING is a reader: run it through all() so it completes.
      return st.reader ? st.all(...params).length : st.run(...params).changes;
    });
  }

  async exec(sql: string): Promise<void> {
    if (this.#txDone && !currentTx(this)) await this.#idle();
    this.#do(() => this.#db.exec(sql));
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = currentTx(this);
    if (outer)
      return inSavepoint(
        outer,
        (sql) => {
          this.#do(() => this.#db.exec(sql));
        },
        fn,
      );
    while (this.#txDone) await this.#txDone;
    let release!: () => void;
    this.#txDone = new Promise((r) => {
      release = r;
    });
    const tx: TxContext<null> = { db: this, conn: null, open: true, savepoints: 0 };
    try {
      // IMMEDIATE: take the write lock now, so another process on the file waits here (busy_timeout).
      this.#do(() => this.#db.exec("BEGIN IMMEDIATE"));
      const out = await txStorage.run(tx, fn);
      this.#do(() => this.#db.exec("COMMIT"));
      return out;
    } catch (err) {
      if (this.#db.open && this.#db.inTransaction) this.#db.exec("ROLLBACK");
      throw err;
    } finally {
      tx.open = false;
      this.#txDone = undefined;
      release();
    }
  }

  async lockInTransaction(): Promise<void> {}

  async notify(): Promise<void> {}

  async listen(): Promise<() => Promise<void>> {
    return async () => {};
  }

  /**
   * Copies the database to `file` with SQLite's online backup API (readers and writers keep
   * going; the copy is a consistent snapshot).
   * @returns pages copied
   */
  async backup(file: string): Promise<number> {
    if (this.#txDone && !currentTx(this)) await this.#idle();
    const r = await this.#db.backup(file);
    return r.totalPages;
  }

  async close(): Promise<void> {
    if (this.#txDone) await this.#idle();
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }

  async #idle(): Promise<void> {
    while (this.#txDone && !currentTx(this)) await this.#txDone;
  }

  #statement(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  #do<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw mapError(err);
    }
  }
}

/** A driver error as the store throws it: {@link StoreUnavailableError} when the database cannot be used now. */
function mapError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE.test(code)) return new StoreUnavailableError(code, err);
  if (err instanceof TypeError && /database connection is not open/.test(err.message))
    return new StoreUnavailableError("closed", err);
  return err;
}
