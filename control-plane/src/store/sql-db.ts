import { AsyncLocalStorage } from "node:async_hooks";

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | Buffer | null;

/** Which engine runs the SQL. Statements are written once, in the SQL both accept. */
export type SqlDialect = "sqlite" | "postgres";

/**
 * The store's one door to a database: better-sqlite3 (sqlite-db.ts) or PostgreSQL through `pg`
 * (pg-db.ts). Statements use `?` placeholders and SQL both engines accept (`ON CONFLICT … DO`,
 * `RETURNING`, `LIMIT ?`); the PostgreSQL backend numbers the placeholders.
 *
 * Inside {@link transaction} every call of the same async flow (however deep, found through
 * AsyncLocalStorage) runs in that transaction; calls of other flows wait (SQLite: one connection)
 * or use another connection (PostgreSQL). Errors meaning the database cannot be used now (down,
 * unreachable, read-only, locked out) are thrown as {@link StoreUnavailableError}.
 */
export interface SqlDb {
  readonly dialect: SqlDialect;
  /** Every row of a query. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement. @returns how many rows it changed */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs several statements without parameters (schema migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (the
   * error is rethrown). Nested calls are savepoints.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Inside a transaction, waits until no other transaction holds `key` (PostgreSQL: a
   * transaction-level advisory lock; SQLite: nothing to do, its write transactions are serial).
   * `shared`: held by many transactions at once, excluding only the exclusive holder.
   */
  lockInTransaction(key: number, mode?: "exclusive" | "shared"): Promise<void>;
  /**
   * Tells every process listening on `channel` (PostgreSQL NOTIFY: delivered at commit when
   * called in a transaction, never for a rolled-back one; SQLite: one process, nothing to tell).
   */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Calls `fn` with each notification on `channels` until the returned stop is called; `fn` gets
   * `"(reconnected)"` after the listening connection was lost and made again (notifications may
   * have been missed meanwhile: read the state again). SQLite: never called.
   */
  listen(channels: readonly string[], fn: (channel: string, payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The payload {@link SqlDb.listen} passes after a lost listening connection was made again. */
export const RECONNECTED = "(reconnected)";

/**
 * The database cannot be used now: it is down or unreachable, read-only, or busy past the
 * timeout. The admin API answers 503 `STORE_UNAVAILABLE`; the transaction it interrupted was
 * rolled back, so nothing of the change is stored.
 */
export class StoreUnavailableError extends Error {
  readonly code = "STORE_UNAVAILABLE";
  /** The driver's code (`ECONNREFUSED`, `57P01`, `SQLITE_READONLY`…), for the log. */
  readonly reason: string;
  constructor(reason: string, cause: unknown) {
    super(`the database is unavailable (${reason})`, { cause });
    this.name = "StoreUnavailableError";
    this.reason = reason;
  }
}

/** The transaction an async flow runs in, per database; `open` turns false at commit or rollback. */
export interface TxContext<C> {
  readonly db: object;
  readonly conn: C;
  open: boolean;
  savepoints: number;
}

/** One AsyncLocalStorage for every database: a flow is in at most one transaction. */
export const txStorage = new AsyncLocalStorage<TxContext<unknown>>();

/** The open transaction of this flow on `db`, if any. */
export function currentTx<C>(db: object): TxContext<C> | undefined {
  const tx = txStorage.getStore();
  return tx && tx.db === db && tx.open ? (tx as TxContext<C>) : undefined;
}

/**
 * Runs `fn` as a savepoint of the open transaction `tx` (a nested `transaction` call).
 * @param exec runs one statement on the transaction's connection
 */
export async function inSavepoint<T>(
  tx: TxContext<unknown>,
  exec: (sql: string) => Promise<void> | void,
  fn: () => Promise<T>,
): Promise<T> {
  const name = `sp${++tx.savepoints}`;
  await exec(`SAVEPOINT ${name}`);
  try {
    const out = await fn();
    await exec(`RELEASE SAVEPOINT ${name}`);
    return out;
  } catch (err) {
    if (tx.open) {
      try {
        await exec(`ROLLBACK TO SAVEPOINT ${name}`);
        await exec(`RELEASE SAVEPOINT ${name}`);
      } catch {
        // The connection is gone: the outer transaction fails and rolls back as a whole.
      }
    }
    throw err;
  }
}
